/** Fixtures for the tests: the statsmodels reference grid as labelled arrays. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DataArray, decodeTimes } from "@geoml/grid";

export interface CellsReference {
  gaussian_formula: string;
  poisson_formula: string;
  shape: [number, number, number];
  time: number[];
  time_units: string;
  calendar: string;
  lat: number[];
  lon: number[];
  sst: (number | null)[];
  count: (number | null)[];
  sst_w: (number | null)[];
  wind: (number | null)[];
  covariate_formula: string;
  covariate: Record<"coef" | "se", (number[] | null)[]> &
    Record<"nobs" | "deviance", (number | null)[]>;
  gaussian: Record<"coef" | "se", (number[] | null)[]> &
    Record<"nobs" | "deviance" | "scale", (number | null)[]>;
  poisson: Record<"coef" | "se", (number[] | null)[]> &
    Record<"nobs" | "deviance", (number | null)[]>;
  singular_cell: [number, number];
  few_cell: [number, number];
}

export const FIXTURES = join(import.meta.dirname, "__fixtures__");

export function cellsReference(): CellsReference {
  return JSON.parse(readFileSync(join(FIXTURES, "cells_statsmodels.json"), "utf8"));
}

/** A reference field as a (time, lat, lon) array (`sst_w` is named `sst`). */
export function referenceArray(
  ref: CellsReference,
  field: "sst" | "count" | "sst_w" | "wind",
): DataArray {
  const [nt, ny, nx] = ref.shape;
  const name = field === "sst_w" ? "sst" : field;
  const data = Float32Array.from(ref[field], (v) => (v === null ? Number.NaN : v));
  const time = Float64Array.from(ref.time);
  return new DataArray({
    name,
    dims: ["time", "lat", "lon"],
    shape: [nt, ny, nx],
    data: name === "count" ? Float64Array.from(data) : data,
    coords: {
      time: {
        dims: ["time"],
        values: time,
        attrs: { units: ref.time_units, calendar: ref.calendar },
        times: decodeTimes(time, ref.time_units, ref.calendar) as never,
      },
      lat: { dims: ["lat"], values: Float64Array.from(ref.lat), attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: Float64Array.from(ref.lon), attrs: { units: "degrees_east" } },
    },
    attrs: { units: name === "sst" ? "degC" : name === "wind" ? "m s-1" : "1" },
  });
}

/** Largest relative difference |a − b| / max(|b|, floor). */
export function relErr(a: number, b: number, floor = 1e-300): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

/**
 * Write `array` as an archive of NetCDF files (or Zarr stores) split along time (`n` files, named so that
 * name order is not time order) and return their paths.
 */
export async function writeArchive(
  dir: string,
  array: DataArray,
  n: number,
  extra: readonly DataArray[] = [],
  prefix = "part",
  as: "netcdf" | "zarr2" | "zarr3" = "netcdf",
): Promise<string[]> {
  const { isel } = await import("@geoml/grid");
  const { writeNetcdf } = await import("@geoml/netcdf");
  const { writeZarr } = await import("@geoml/zarr");
  const T = array.shape[0];
  const per = Math.ceil(T / n);
  const paths: string[] = [];
  for (let k = 0; k < n; k++) {
    const range = { time: { start: k * per, stop: Math.min(T, (k + 1) * per) } };
    const parts = [array, ...extra].map((a) => isel(a, range));
    const ext = as === "netcdf" ? "nc" : "zarr";
    const path = join(dir, `${prefix}_${String((k * 7) % n).padStart(2, "0")}_${k}.${ext}`);
    const encoding = Object.fromEntries(parts.map((a) => [a.name, { _FillValue: -999 }]));
    if (as === "netcdf") await writeNetcdf(path, parts, { encoding });
    else await writeZarr(path, parts, { format: as === "zarr2" ? 2 : 3, encoding });
    paths.push(path);
  }
  return paths;
}

/**
 * True when the Debian tool `name` is installed. Under CI (`CI=true`) a missing tool
 * still returns true, so the test runs and fails rather than skipping; elsewhere the test
 * is skipped with a printed notice.
 */
export async function haveTool(name: string): Promise<boolean> {
  const { spawnSync } = await import("node:child_process");
  const ok = spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
  if (ok || process.env.CI === "true") return true;
  console.warn(`skipping tests that need ${name}: not installed (apt-get install ${name})`);
  return false;
}

/** A free loopback TCP port. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

/** Start Debian's redis-server on a free loopback port, without persistence. */
export async function startRedis(
  args: string[] = [],
): Promise<{ port: number; stop(): Promise<void> }> {
  const { spawn } = await import("node:child_process");
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += String(d);
      if (out.includes("Ready to accept connections")) resolve();
    });
    proc.on("error", reject);
    proc.on("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  // `stop` resolves once the server has exited, so a test's clean-up never races it.
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  return { port, stop };
}

/** Every file of a store (path → bytes), to compare two stores byte for byte. */
export function storeFiles(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p));
    }
  };
  walk(root);
  return out;
}

/** Formula of the Zarr fixtures read by `tools/oracles/batch_zarr_xarray.py`. */
export const ZARR_FIXTURE_FORMULA = "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)";

/**
 * Write the Zarr v2 fixtures xarray reads in `tools/oracles/batch_zarr_xarray.py`:
 * `fit_v2.zarr` (per-cell fit of the reference grid) and `pred_v2.zarr` (a GLM's
 * predictions over it), through the same writers `batchFit`/`batchPredict` use.
 */
export async function writeZarrFixtures(dir: string): Promise<{ fit: string; pred: string }> {
  const { fitAlong } = await import("./fit-along.js");
  const { predictAlong } = await import("./predict-along.js");
  const { gridRows } = await import("./grid-rows.js");
  const { writeFitOutput, writePredictionOutput } = await import("./output.js");
  const { glm } = await import("@geoml/models");
  const sst = referenceArray(cellsReference(), "sst");
  const attrs = { source: "cells_statsmodels.json", history: "writeZarrFixtures" };
  const fit = join(dir, "fit_v2.zarr");
  const res = await fitAlong(sst, { formula: ZARR_FIXTURE_FORMULA, along: "time" });
  await writeFitOutput(fit, res, attrs, { zarrFormat: 2 });
  const model = glm({ family: "gaussian" }).fit({
    formula: `${ZARR_FIXTURE_FORMULA} + lat`,
    data: gridRows(sst).columns,
  });
  const pred = join(dir, "pred_v2.zarr");
  await writePredictionOutput(pred, await predictAlong(model.toJSON(), sst), attrs, {
    zarrFormat: 2,
  });
  return { fit, pred };
}
