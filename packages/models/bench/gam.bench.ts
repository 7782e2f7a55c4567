/**
 * GAM benchmark: 100,000 rows, y ~ s(x1, bs="cr", k=20) + s(x2, …) + s(x3, …), Gaussian,
 * REML, fitted by geoml and by R's mgcv `gam` (REML) and `bam` (fREML), each in its own
 * process so peak memory is its own. Clocks cover the fit only: R's start-up and reading
 * the data are outside mgcv's `proc.time()` window, as imports and reading are outside
 * geoml's. geoml runs with 1 and with 2 threads for its cross-product; mgcv with its
 * defaults (one thread; R's BLAS as installed). Contenders run REPEATS times (default 3)
 * in turns, so a busy spell on a shared machine falls on every contender alike; the table
 * gives the median and range.
 *
 *   npx tsx bench/gam.bench.ts [rows]      (default 100000; REPEATS=3)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeProblem } from "./gam/data.js";

const here = dirname(fileURLToPath(import.meta.url));
const n = Number(process.argv[2] ?? 100_000);
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

function run(cmd: string, args: string[]): Run {
  const out = execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop() as string) as Run;
}

const repeats = Math.max(1, Number(process.env.REPEATS ?? 3));
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (v: number[]) =>
  v.length > 1
    ? `${median(v).toFixed(2)} (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})`
    : v[0].toFixed(2);

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
const runs: Run[][] = contenders.map(() => []);
for (let r = 0; r < repeats; r++)
  contenders.forEach(([, fit], c) => {
    runs[c].push(fit());
  });

const rVersion = execFileSync(
  "Rscript",
  ["-e", 'cat(R.version.string, "mgcv", as.character(packageVersion("mgcv")))'],
  {
    encoding: "utf8",
  },
);
console.log(`node ${process.version}; ${rVersion}; ${cpus().length} cores (${cpus()[0].model})`);
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
    spread(wall),
    spread(rs.map((x) => x.cpuSeconds)),
    (median(wall) / oursWall).toFixed(2),
    peak.toFixed(0),
    (peak / oursPeak).toFixed(2),
    e.map((v) => v.toFixed(3)).join(", "),
    Math.max(...e.map((v, j) => Math.abs(v - ref[j]) / ref[j])).toExponential(1),
  ];
});
const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`;
console.log(
  `\nGAM, ${n} rows, 3 cr smooths (k = 20), Gaussian; ${repeats} run${repeats === 1 ? "" : "s"} each\n`,
);
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
