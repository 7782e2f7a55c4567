// Conservative regridding 0.25° → 1° of 365 daily fields: @geoml/regrid against CDO's
// remapcon in the same run, weights and their application timed apart, rounds interleaved,
// medians reported. geoml is timed in memory (weights; application to the 365 steps) and
// end to end (read the NetCDF file, weights, apply, write), CDO as commands (`gencon`;
// `remap` with those weights; `remapcon`), which always read and write files. Each round
// runs geoml's three timings and CDO's three, which side goes first alternating between
// rounds. The table is printed between `<!-- bench:regrid -->` lines for
// docs/benchmarks.md. BENCH_REPS rounds (default 3); BENCH_STEPS daily steps (default 365,
// fewer for a quick run). Scratch data goes to the system temp folder.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { DataArray } from "@geoml/grid";
import { openNetcdf, writeNetcdf } from "@geoml/netcdf";
import { globalGrid, gridOf, Regridder, readGrid } from "../src/index.js";

// The generated input and the outputs, in a temporary folder removed when the benchmark ends
// (also after an error).
const dir = mkdtempSync(join(tmpdir(), "geoml-regrid-bench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const STEPS = Number(process.env.BENCH_STEPS ?? 365);
const src = join(dir, `sst_025deg_${STEPS}d.nc`);
const tgt = join(dir, "grid_1deg.nc");
const rounds = Number(process.env.BENCH_REPS ?? 3);

function axis(start: number, step: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => start + i * step);
}

/** A daily SST-like field on the 0.25° grid with land missing (NaN), float32. */
function makeField(): DataArray {
  const lat = axis(-89.875, 0.25, 720);
  const lon = axis(0.125, 0.25, 1440);
  const n = 720 * 1440;
  const data = new Float32Array(STEPS * n);
  const base = new Float32Array(n);
  const r = Math.PI / 180;
  for (let j = 0; j < 720; j++) {
    for (let i = 0; i < 1440; i++) {
      const land = Math.sin(lon[i] * 1.7 * r) * Math.cos(lat[j] * 2.3 * r) > 0.6;
      base[j * 1440 + i] = land ? Number.NaN : 273 + 28 * Math.cos(lat[j] * r) ** 2;
    }
  }
  for (let t = 0; t < STEPS; t++) {
    const season = 2 * Math.sin((2 * Math.PI * t) / 365);
    for (let k = 0; k < n; k++)
      data[t * n + k] = base[k] + season * Math.sin(lat[Math.floor(k / 1440)] * r);
  }
  return new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [STEPS, 720, 1440],
    data,
    coords: {
      time: {
        dims: ["time"],
        values: axis(0, 1, STEPS),
        attrs: { units: "days since 2001-01-01", calendar: "noleap" },
      },
      lat: { dims: ["lat"], values: lat, attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: lon, attrs: { units: "degrees_east" } },
    },
    attrs: { units: "K", long_name: "sea surface temperature" },
  });
}

function seconds(f: () => void): number {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
}

async function secondsAsync(f: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

// CDO on one thread, as geoml
const cdoEnv = { ...process.env, OMP_NUM_THREADS: "1" };
const cdo = (...args: string[]) =>
  execFileSync("cdo", ["-s", "-P", "1", ...args], {
    stdio: ["ignore", "ignore", "inherit"],
    env: cdoEnv,
  });

const field = makeField();
console.error(`writing ${src} (${((field.size * 4) / 2 ** 30).toFixed(2)} GiB)…`);
await writeNetcdf(src, [field], { format: "64bit-offset" });
const target = globalGrid(1);
await writeNetcdf(tgt, [
  new DataArray({
    name: "mask",
    dims: ["lat", "lon"],
    shape: [180, 360],
    data: new Float32Array(180 * 360),
    coords: {
      lat: { dims: ["lat"], values: target.lat, attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: target.lon, attrs: { units: "degrees_east" } },
    },
  }),
]);
const cdoVersion = execFileSync("cdo", ["--version"], { encoding: "utf8" })
  .split("\n")[0]
  .replace(/ \(https?:.*\)$/, "");
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
const loadBefore = load();
const sourceGrid = gridOf(field);
const times: Record<string, number[]> = {};
const add = (k: string, s: number) => {
  times[k] ??= [];
  times[k].push(s);
};
let links = 0;
async function geoml(): Promise<void> {
  let regridder: Regridder | undefined;
  add(
    "weights",
    seconds(() => {
      regridder = new Regridder(sourceGrid, target, { method: "conservative" });
    }),
  );
  links = regridder!.weights.sources.length;
  add(
    "apply",
    seconds(() => {
      regridder!.regrid(field);
    }),
  );
  const ours = join(dir, "out_geoml.nc");
  add(
    "job",
    await secondsAsync(async () => {
      const ds = await openNetcdf(src);
      const { data, grid } = await readGrid(ds, "sst");
      await ds.close();
      const out = new Regridder(grid, target, { method: "conservative" }).regrid(data);
      await writeNetcdf(ours, [out], { format: "64bit-offset" });
    }),
  );
  rmSync(ours, { force: true });
}
function cdoRound(): void {
  const w = join(dir, "w.nc");
  const out = join(dir, "out_cdo.nc");
  add(
    "cdo weights",
    seconds(() => cdo(`gencon,${tgt}`, src, w)),
  );
  add(
    "cdo apply",
    seconds(() => cdo(`remap,${tgt},${w}`, src, out)),
  );
  add(
    "cdo job",
    seconds(() => cdo(`remapcon,${tgt}`, src, out)),
  );
  rmSync(out, { force: true });
}
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    await geoml();
    cdoRound();
  } else {
    cdoRound();
    await geoml();
  }
  console.error(`round ${r + 1}/${rounds} done`);
}
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const cell = (k: string) =>
  `${m[k].toFixed(2)} s (${Math.min(...times[k]).toFixed(2)}–${Math.max(...times[k]).toFixed(2)})`;
const ratio = (a: string, b: string) => (m[a] / m[b]).toFixed(m[a] / m[b] < 0.1 ? 3 : 2);
// the table as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("<!-- bench:regrid -->");
console.log(
  `\`npx -y pnpm@10.34.9 --filter @geoml/regrid bench\`: ${STEPS} daily steps 1440 × 720 → 360 × 180, ` +
    `input ${(statSync(src).size / 2 ** 30).toFixed(2)} GiB; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}; ` +
    `${cdoVersion}, one thread each side; load average ${loadBefore} before, ${load()} after; ` +
    `${rounds} interleaved rounds, median (lowest–highest).\n`,
);
console.log("| step | geoml | CDO | time | ratio (geoml / CDO) |");
console.log("| --- | ---: | --- | ---: | ---: |");
console.log(
  `| weights (${links.toLocaleString("en")} links) | ${cell("weights")} | \`cdo gencon\` | ${cell("cdo weights")} | ${ratio("weights", "cdo weights")} |`,
);
console.log(
  `| apply to ${STEPS} steps | ${cell("apply")} (in memory) | \`cdo remap\` with the \`gencon\` weights (file to file) | ${cell("cdo apply")} | ${ratio("apply", "cdo apply")} |`,
);
console.log(
  `| whole job, file to file (read, weights, apply, write) | ${cell("job")} | \`cdo remapcon\` | ${cell("cdo job")} | ${ratio("job", "cdo job")} |`,
);
console.log("<!-- /bench:regrid -->");
