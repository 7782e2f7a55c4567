import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "@geoml/autodiff";
import { fitAlong } from "@geoml/batch";
import { DataArray } from "@geoml/grid";
import { openMfDataset } from "@geoml/io";
import { writeNetcdf } from "@geoml/netcdf";
import { mapSvg } from "@geoml/plot";
import { svgToPng } from "@geoml/plot/png";
import { loadSst } from "./data.js";

/** Options of {@link runBatch}. */
export interface BatchOptions {
  /** Folder holding `netcdf/sstdata_netcdf.nc` and `netcdf/landsea.nc`. */
  datasets: string;
  /** Folder for `batch.html` and `batch-summary.json`. */
  out: string;
  /** Years of the generated archive, starting in 2000 (default 10). */
  years?: number;
  /** Years per NetCDF file (default 2). */
  yearsPerFile?: number;
  /** Standard deviation of the added noise, °C (default 0.4). */
  noise?: number;
  seed?: number;
  log?: (line: string) => void;
}

/** What {@link runBatch} measured. */
export interface BatchSummary {
  files: number;
  steps: number;
  /** Time steps left out of the archive (missing months). */
  missingSteps: number;
  oceanCells: number;
  /** Ocean cells with a fitted trend. */
  fittedCells: number;
  /** Mean |recovered − generated| trend, °C per decade. */
  meanAbsError: number;
  /** Mean standard error of the trend, °C per decade. */
  meanSe: number;
  /** Share of cells whose generated trend lies within ±1.96 SE of the recovered one. */
  coverage95: number;
  seconds: number;
}

/**
 * Puts the batch section into the demo's `report.html` when there is one (replacing the
 * section of an earlier run), so the report stays one self-contained file.
 */
async function addToReport(report: string, section: string): Promise<void> {
  let html: string;
  try {
    html = await readFile(report, "utf8");
  } catch {
    return; // no report yet: batch.html stands alone
  }
  const without = html.replace(/<section id="batch">[\s\S]*?<\/section>\n?/, "");
  await writeFile(report, without.replace("<script>", `${section}\n<script>`));
}

/** The generated warming trend of a cell, °C per year: stronger to the north and in the Pacific. */
export function generatedTrend(latDeg: number, lonDeg: number): number {
  const phi = (latDeg * Math.PI) / 180;
  const lam = (lonDeg * Math.PI) / 180;
  return (0.2 + 0.15 * Math.sin(phi) + 0.1 * Math.sin(lam)) / 10;
}

const DAYS_PER_YEAR = 365.2425; // fitAlong's t: days ÷ the Gregorian mean year

/**
 * The batch section: writes a multi-year monthly SST archive built from the real
 * climatology (climatology + a known per-cell trend + Gaussian noise, some months missing,
 * a few cells missing at random) as several NetCDF files in the OS temporary folder, fits
 * `sst ~ t + C(month)` to every cell with `fitAlong` of @geoml/batch, and compares the
 * recovered trend with the generated one. Writes `batch.html` (trend, its standard error
 * and the generated trend as inline maps) and `batch-summary.json` to `out`, and adds the
 * same section to `out/report.html` when the demo has written one.
 */
export async function runBatch(options: BatchOptions): Promise<BatchSummary> {
  const log = options.log ?? (() => {});
  const years = options.years ?? 10;
  const perFile = options.yearsPerFile ?? 2;
  const sd = options.noise ?? 0.4;
  if (!Number.isInteger(years) || years < 3)
    throw new RangeError("runBatch: years must be an integer ≥ 3");
  const started = performance.now();
  const { sst, ocean } = await loadSst(
    join(options.datasets, "netcdf/sstdata_netcdf.nc"),
    join(options.datasets, "netcdf/landsea.nc"),
  );
  const lat = sst.coords.latitude.values as Float64Array;
  const lon = sst.coords.longitude.values as Float64Array;
  const cells = lat.length * lon.length;
  const clim = sst.data as Float64Array;
  const trend = new Float64Array(cells);
  for (let i = 0; i < lat.length; i++)
    for (let j = 0; j < lon.length; j++) trend[i * lon.length + j] = generatedTrend(lat[i], lon[j]);

  const rng = new Rng(options.seed ?? 11);
  // Months missing from the archive: a seeded handful of whole steps.
  const nSteps = 12 * years;
  const order = rng.permutation(nSteps);
  const missing = new Set(Array.from(order.slice(0, Math.max(1, Math.round(nSteps / 20)))));
  const dir = await mkdtemp(join(tmpdir(), "geoml-sst-archive-"));
  const files: string[] = [];
  let steps = 0;
  try {
    for (let y0 = 0; y0 < years; y0 += perFile) {
      const idx: number[] = [];
      for (let s = 12 * y0; s < 12 * Math.min(years, y0 + perFile); s++)
        if (!missing.has(s)) idx.push(s);
      const time = new Float64Array(idx.length);
      const data = new Float32Array(idx.length * cells);
      const noise = rng.normal([idx.length * cells]).data;
      const gaps = rng.uniform([idx.length * cells]).data;
      idx.forEach((s, k) => {
        const year = 2000 + Math.floor(s / 12);
        const m = s % 12;
        const days = (Date.UTC(year, m, 15) - Date.UTC(2000, 0, 1)) / 86_400_000;
        time[k] = days;
        const t = days / DAYS_PER_YEAR;
        for (let c = 0; c < cells; c++) {
          const o = k * cells + c;
          data[o] =
            ocean.data[c] && gaps[o] > 0.02
              ? clim[m * cells + c] + trend[c] * t + sd * noise[o]
              : Number.NaN;
        }
      });
      steps += idx.length;
      const file = join(dir, `sst_${2000 + y0}.nc`);
      await writeNetcdf(
        file,
        [
          new DataArray({
            name: "sst",
            dims: ["time", "lat", "lon"],
            shape: [idx.length, lat.length, lon.length],
            data,
            coords: {
              time: {
                dims: ["time"],
                values: time,
                attrs: {
                  units: "days since 2000-01-01",
                  calendar: "standard",
                  standard_name: "time",
                  axis: "T",
                },
              },
              lat: {
                dims: ["lat"],
                values: lat,
                attrs: { units: "degrees_north", standard_name: "latitude", axis: "Y" },
              },
              lon: {
                dims: ["lon"],
                values: lon,
                attrs: { units: "degrees_east", standard_name: "longitude", axis: "X" },
              },
            },
            attrs: { units: "degC", standard_name: "sea_surface_temperature" },
          }),
        ],
        {
          attrs: {
            Conventions: "CF-1.8",
            title: "synthetic SST archive: climatology + trend + noise",
          },
          encoding: { sst: { dtype: "float32", _FillValue: 9.969209968386869e36 } },
        },
      );
      files.push(file);
    }
    log(`wrote ${files.length} files, ${steps} monthly steps (${missing.size} missing) in ${dir}`);

    const ds = await openMfDataset(join(dir, "sst_*.nc"));
    let fit: Awaited<ReturnType<typeof fitAlong>>;
    try {
      fit = await fitAlong(ds, { formula: "sst ~ t + C(month)", along: "time" });
    } finally {
      await ds.close();
    }
    const terms = Array.from(fit.coef.coords.term.values as ArrayLike<string>);
    const k = terms.indexOf("t");
    if (k < 0) throw new Error(`fitAlong: no term "t" among ${terms.join(", ")}`);
    const slope = Float64Array.from(
      (fit.coef.data as Float64Array).subarray(k * cells, (k + 1) * cells),
      (v) => v * 10,
    );
    const se = Float64Array.from(
      (fit.se.data as Float64Array).subarray(k * cells, (k + 1) * cells),
      (v) => v * 10,
    );
    let oceanCells = 0;
    let fitted = 0;
    let abs = 0;
    let seSum = 0;
    let covered = 0;
    for (let c = 0; c < cells; c++) {
      if (!ocean.data[c]) {
        slope[c] = Number.NaN;
        se[c] = Number.NaN;
        continue;
      }
      oceanCells++;
      if (!Number.isFinite(slope[c])) continue;
      fitted++;
      const err = slope[c] - 10 * trend[c];
      abs += Math.abs(err);
      seSum += se[c];
      if (Math.abs(err) <= 1.96 * se[c]) covered++;
    }
    const summary: BatchSummary = {
      files: files.length,
      steps,
      missingSteps: missing.size,
      oceanCells,
      fittedCells: fitted,
      meanAbsError: abs / fitted,
      meanSe: seSum / fitted,
      coverage95: covered / fitted,
      seconds: (performance.now() - started) / 1000,
    };

    await mkdir(options.out, { recursive: true });
    const truth = Float64Array.from(trend, (v, c) => (ocean.data[c] ? 10 * v : Number.NaN));
    const img = (
      id: string,
      values: Float64Array,
      caption: string,
      vmin: number,
      vmax: number,
      cmap: "viridis" | "coolwarm",
    ) => {
      const field = new DataArray({
        name: id,
        dims: ["latitude", "longitude"],
        shape: [lat.length, lon.length],
        data: values,
        coords: {
          latitude: { dims: ["latitude"], values: lat, attrs: { units: "degrees_north" } },
          longitude: { dims: ["longitude"], values: lon, attrs: { units: "degrees_east" } },
        },
        attrs: { long_name: caption, units: "°C per decade" },
      });
      const png = svgToPng(mapSvg(field, { cmap, vmin, vmax, width: 560 }));
      return `<figure id="${id}"><img src="data:image/png;base64,${Buffer.from(png).toString("base64")}" alt="${caption}" width="560"></figure>`;
    };
    const section = `<section id="batch">
<h2>Per-cell SST trends fitted in batch</h2>
<p>A ${years}-year monthly archive (2000–${1999 + years}) built from the real climatology: each month's
climatology plus a known per-cell trend (0.2 + 0.15 sin φ + 0.1 sin λ °C per decade) plus Gaussian
noise (σ = ${sd} °C); ${missing.size} of ${nSteps} months left out and 2% of the values missing at random,
written as ${files.length} NetCDF files. <code>fitAlong</code> of @geoml/batch fits
<code>sst ~ t + C(month)</code> to every cell at once.</p>
<p>Ocean cells fitted: ${fitted} of ${oceanCells}. Mean |recovered − generated| trend:
${summary.meanAbsError.toFixed(4)} °C/decade; mean standard error ${summary.meanSe.toFixed(4)} °C/decade;
the generated trend lies within ±1.96 SE of the recovered one in ${(summary.coverage95 * 100).toFixed(1)}% of cells (95% expected).</p>
${img("trend", slope, "recovered trend", -0.2, 0.6, "viridis")}
${img("trend_se", se, "standard error of the trend", 0, Math.max(0.01, 3 * summary.meanSe), "viridis")}
${img("trend_generated", truth, "generated trend", -0.2, 0.6, "viridis")}
${img(
  "trend_error",
  slope.map((v, c) => v - truth[c]),
  "recovered − generated",
  -0.2,
  0.2,
  "coolwarm",
)}
</section>`;
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>geoml — SST demo, batch trends</title>
<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
figure{display:inline-block;margin:0 10px 14px 0}</style></head><body>
${section}
</body></html>
`;
    await writeFile(join(options.out, "batch.html"), html);
    await addToReport(join(options.out, "report.html"), section);
    await writeFile(
      join(options.out, "batch-summary.json"),
      `${JSON.stringify(summary, null, 2)}\n`,
    );
    return summary;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
