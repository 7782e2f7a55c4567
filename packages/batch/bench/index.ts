/**
 * Per-cell trend + two harmonics over 480 months × 180 × 360 (1°) float32 with a land mask
 * and 5 % missing ocean steps: `fitAlong` (one thread, then two worker threads) against
 * numpy's vectorised masked normal equations (one BLAS thread) in the same run, turns
 * interleaved (the order rotating between rounds), median and range reported, the table
 * printed between `<!-- bench:batch/cells -->` lines for docs/benchmarks.md. REPEATS rounds
 * (default 3); BENCH_ROWS latitude rows (default 180, fewer for a quick run).
 *
 *     npx -y pnpm@10.34.9 --filter @geoml/batch bench
 *
 * The grid is generated in memory (seeded) and handed to numpy as a raw file in the temp
 * folder, removed afterwards. Timed: the public API from in-memory data, on both sides.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { DataArray, decodeTimes } from "@geoml/grid";
import { buildDesign } from "@geoml/models";
import { fitAlong } from "../src/index.js";
import { featuresOf } from "../src/time-features.js";

const T = 480;
const NY = Number(process.env.BENCH_ROWS ?? 180);
const NX = 360;
const REPEATS = Number(process.env.REPEATS ?? 3);
const FORMULA =
  "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12) + cos(4*pi*month/12) + sin(4*pi*month/12)";

let seed = 12345;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

function generate(): DataArray {
  const data = new Float32Array(T * NY * NX);
  const land = new Uint8Array(NY * NX);
  for (let y = 0; y < NY; y++)
    for (let x = 0; x < NX; x++) {
      // Blocky continents: about 30 % of cells.
      const l = Math.sin(x / 23) * Math.cos(y / 17) + 0.3 * Math.sin((x + y) / 7);
      land[y * NX + x] = l > 0.45 ? 1 : 0;
    }
  for (let t = 0; t < T; t++) {
    const m = t % 12;
    for (let c = 0; c < NY * NX; c++) {
      const i = t * NY * NX + c;
      if (land[c] === 1 || rand() < 0.05) data[i] = Number.NaN;
      else {
        const lat = -89.5 + Math.floor(c / NX);
        data[i] =
          15 +
          10 * Math.cos((lat * Math.PI) / 180) +
          0.02 * (t / 12) +
          3 * Math.cos((2 * Math.PI * (m + 1)) / 12) +
          (rand() - 0.5);
      }
    }
  }
  const time = Float64Array.from({ length: T }, (_, k) => k * 30.436875 + 15);
  const units = "days since 1980-01-01";
  return new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [T, NY, NX],
    data,
    coords: {
      time: {
        dims: ["time"],
        values: time,
        attrs: { units },
        times: decodeTimes(time, units) as never,
      },
      lat: {
        dims: ["lat"],
        values: Float64Array.from({ length: NY }, (_, k) => -89.5 + k),
        attrs: {},
      },
      lon: {
        dims: ["lon"],
        values: Float64Array.from({ length: NX }, (_, k) => 0.5 + k),
        attrs: {},
      },
    },
  });
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

const sst = generate();
const dir = mkdtempSync(join(tmpdir(), "geoml-bench-batch-"));
// Removed when the benchmark ends, also after an error.
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
const gridPath = join(dir, "sst.f32");
const designPath = join(dir, "x.f64");
writeFileSync(gridPath, new Uint8Array((sst.data as Float32Array).buffer));
const times = sst.coords.time.times!;
const design = buildDesign(FORMULA, { ...featuresOf(times) }, { noResponse: true });
const xRow = new Float64Array(T * design.p);
for (let j = 0; j < design.p; j++)
  for (let i = 0; i < T; i++) xRow[i * design.p + j] = design.x[j * T + i];
writeFileSync(designPath, new Uint8Array(xRow.buffer));

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
const loadBefore = load();
// Warm-up: JIT, and the worker threads' start-up (the pool is kept between calls).
await fitAlong(sst, { formula: FORMULA });
await fitAlong(sst, { formula: FORMULA, workers: 2 });
const ours: number[] = [];
const ours2: number[] = [];
const peer: number[] = [];
let check:
  | { seconds: number[]; cells: number; check: [number, number[], number[]][]; numpy: string }
  | undefined;
let last: Awaited<ReturnType<typeof fitAlong>> | undefined;
const turns: (() => Promise<void>)[] = [
  async () => {
    const t0 = performance.now();
    last = await fitAlong(sst, { formula: FORMULA });
    ours.push((performance.now() - t0) / 1000);
  },
  async () => {
    const t0 = performance.now();
    await fitAlong(sst, { formula: FORMULA, workers: 2 });
    ours2.push((performance.now() - t0) / 1000);
  },
  async () => {
    // a fresh process per round: reading the files, imports and a warm-up on 1,000 cells
    // stay outside its clock (peer.py)
    const py = spawnSync(
      "/usr/bin/python3",
      [
        join(import.meta.dirname, "peer.py"),
        gridPath,
        designPath,
        `${T}`,
        `${NY}`,
        `${NX}`,
        `${design.p}`,
        "1",
      ],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          OPENBLAS_NUM_THREADS: "1",
          OMP_NUM_THREADS: "1",
          MKL_NUM_THREADS: "1",
        },
        maxBuffer: 1 << 24,
      },
    );
    if (py.status !== 0) throw new Error(py.stderr);
    check = JSON.parse(py.stdout);
    peer.push(...check!.seconds);
  },
];
for (let r = 0; r < REPEATS; r++)
  for (let k = 0; k < turns.length; k++) await turns[(k + r) % turns.length]();
rmSync(dir, { recursive: true, force: true });

// Agreement on a few cells.
let worst = 0;
const C = NY * NX;
for (const [cell, beta, se] of check!.check) {
  beta.forEach((b, j) => {
    worst = Math.max(worst, Math.abs((last!.coef.data[j * C + cell] as number) - b) / Math.abs(b));
    worst = Math.max(worst, Math.abs((last!.se.data[j * C + cell] as number) - se[j]) / se[j]);
  });
}
const ocean = [...(last!.nobs.data as Int32Array)].filter((n) => n >= design.p).length;
if (ocean !== check!.cells) throw new Error(`cells fitted: geoml ${ocean}, numpy ${check!.cells}`);
const cell = (v: number[]) =>
  `${median(v).toFixed(2)} s (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})`;
const m = median(peer);
// the table as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("<!-- bench:batch/cells -->");
console.log(
  `\`npx -y pnpm@10.34.9 --filter @geoml/batch bench\`: ${T} months × ${NY} × ${NX}, ${ocean.toLocaleString("en")} cells fitted; ` +
    `node ${process.version}, numpy ${check!.numpy}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `load average ${loadBefore} before, ${load()} after; ${REPEATS} interleaved rounds after a warm-up, median (lowest–highest). ` +
    `Coefficients and standard errors agree to ${worst.toExponential(1)} relative.\n`,
);
console.log(`| case | geoml | numpy ${check!.numpy} (1 BLAS thread) | ratio (geoml / numpy) |`);
console.log("| --- | ---: | ---: | ---: |");
console.log(
  `| fitAlong, 1 thread | ${cell(ours)} | ${cell(peer)} | ${(median(ours) / m).toFixed(2)} |`,
);
console.log(
  `| fitAlong, 2 worker threads | ${cell(ours2)} | ${cell(peer)} | ${(median(ours2) / m).toFixed(2)} |`,
);
console.log("<!-- /bench:batch/cells -->");
