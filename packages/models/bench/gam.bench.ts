/**
 * GAM benchmark: 100,000 rows, y ~ s(x1, bs="cr", k=20) + s(x2, …) + s(x3, …), Gaussian,
 * REML, fitted by geoml and by R's mgcv `gam` (REML) and `bam` (fREML), each in its own
 * process so peak memory is its own. Clocks cover the fit only: R's start-up and reading
 * the data are outside mgcv's `proc.time()` window, as imports and reading are outside
 * geoml's. geoml runs with 1 and with 2 threads for its cross-product; mgcv with its
 * defaults and one BLAS thread. Every process warms up on the first 5,000 rows before its
 * clock starts. Contenders run REPEATS times (default 3) in turns, the order reversed every
 * other round, so a busy spell on a shared machine falls on every contender alike; the
 * table, printed between `<!-- bench:models/gam -->` lines for docs/benchmarks.md, gives
 * the median and range.
 *
 *   npx tsx bench/gam.bench.ts [rows]      (default 100000, or GAM_BENCH_ROWS; REPEATS=3)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeProblem } from "./gam/data.js";
import { inTurns, median, spread } from "./rounds.js";

const here = dirname(fileURLToPath(import.meta.url));
const n = Number(process.argv[2] ?? process.env.GAM_BENCH_ROWS ?? 100_000);
// The generated data lives in a temporary folder, removed when the benchmark ends (also
// after an error).
const dataDir = mkdtempSync(join(tmpdir(), "geoml-gam-bench-"));
process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
const prefix = join(dataDir, `rows-${n}`);
writeProblem(prefix, n);

interface Run {
  seconds: number;
  cpuSeconds: number;
  peakMiB: number;
  edf: number[];
  score: number;
}

// one BLAS/OpenMP thread for R, as geoml's 1-thread row (geoml's own count is its argument)
const env: NodeJS.ProcessEnv = { ...process.env };
for (const v of ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]) env[v] = "1";
delete env.GEOML_THREADS;

function run(cmd: string, args: string[]): Run {
  const out = execFileSync(cmd, args, { encoding: "utf8", env, maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop() as string) as Run;
}

const repeats = Math.max(1, Number(process.env.REPEATS ?? 3));

const ours = (threads: number) => () =>
  run(process.execPath, [
    "--import",
    "tsx",
    join(here, "gam", "fit.ts"),
    prefix,
    String(n),
    String(threads),
  ]);
const mgcv = (fn: string) => () =>
  run("Rscript", [join(here, "gam", "mgcv.R"), prefix, String(n), fn]);
const contenders: [string, () => Run][] = [
  ["geoml gam REML (2 threads)", ours(2)],
  ["geoml gam REML (1 thread)", ours(1)],
  ["mgcv bam fREML", mgcv("bam")],
  ["mgcv gam REML", mgcv("gam")],
];
const { runs, loadBefore, loadAfter } = inTurns(contenders, repeats);

const rVersion = execFileSync(
  "Rscript",
  ["-e", 'cat(R.version.string, "mgcv", as.character(packageVersion("mgcv")))'],
  {
    encoding: "utf8",
  },
);
const ref = runs[3][0].edf; // mgcv gam's REML answer
const oursWall = median(runs[0].map((r) => r.seconds));
const oursPeak = median(runs[0].map((r) => r.peakMiB));
const head = [
  "fitter",
  "wall s: median (range)",
  "cpu s",
  "time ÷ geoml",
  "peak MiB",
  "memory ÷ geoml",
  "edf (x1, x2, x3)",
  "max edf rel. diff vs gam",
];
const rows = contenders.map(([name], c) => {
  const rs = runs[c];
  const wall = rs.map((x) => x.seconds);
  const peak = median(rs.map((x) => x.peakMiB));
  const e = rs[0].edf;
  return [
    name,
    spread(wall, 2),
    spread(
      rs.map((x) => x.cpuSeconds),
      2,
    ),
    (median(wall) / oursWall).toFixed(2),
    peak.toFixed(0),
    (peak / oursPeak).toFixed(2),
    e.map((v) => v.toFixed(3)).join(", "),
    Math.max(...e.map((v, j) => Math.abs(v - ref[j]) / ref[j])).toExponential(1),
  ];
});
const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`;
// the table as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("<!-- bench:models/gam -->");
console.log(
  `\`cd packages/models && npx tsx bench/gam.bench.ts\`: ${n.toLocaleString("en")} rows, ${repeats} run${repeats === 1 ? "" : "s"} of each fitter in turns; ` +
    `node ${process.version}, ${rVersion} (one BLAS thread), ${cpus().length} × ${cpus()[0]?.model}; ` +
    `load average ${loadBefore} before, ${loadAfter} after.\n`,
);
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log("<!-- /bench:models/gam -->");
