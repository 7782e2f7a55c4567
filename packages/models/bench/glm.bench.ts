/**
 * GLM benchmark: logistic and Poisson regression on 1,000,000 rows × 20 features, fitted
 * to convergence through what users call — geoml `glm({ family }).fit({ formula, data })`
 * from in-memory columns, scikit-learn (lbfgs, no penalty) and statsmodels GLM (IRLS) from
 * numpy arrays — each in its own process so peak memory is comparable. Imports and data
 * loading are outside every clock. Each contender runs with the same thread count
 * (GEOML_THREADS for geoml, OMP/OpenBLAS threads for the peers), once per count in
 * THREADS (default "1,2"); geoml and scikit-learn run REPEATS times (default 5) in turns,
 * so a busy spell on a shared machine falls on every contender alike, and the table gives
 * their median and range. statsmodels (~10 s a fit) runs once, on one thread. Each
 * process then times a second fit of the same data ("next fit": geoml reuses the first
 * fit's design memory, the peers their allocator's; statsmodels is not timed again).
 *
 *   npx tsx bench/glm.bench.ts [rows]      (default 1000000; REPEATS=5 THREADS=1,2)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FEATURES, writeProblem } from "./glm/data.js";
import { median, spread } from "./rounds.js";

const here = dirname(fileURLToPath(import.meta.url));
const n = Number(process.argv[2] ?? 1_000_000);
// The generated data lives in a temporary folder, removed when the benchmark ends (also
// after an error).
const dataDir = mkdtempSync(join(tmpdir(), "geoml-glm-bench-"));
process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
const prefix = join(dataDir, `rows-${n}`);
writeProblem(prefix, n);

interface Run {
  seconds: number;
  /** A second fit of the same data in the same process; null where not timed. */
  nextSeconds: number | null;
  cpuSeconds: number;
  peakMiB: number;
  /** geoml only: resident memory with the data loaded, before the clock. */
  baseMiB?: number;
  iterations: number;
  params: number[];
  blas?: string[];
  /**
   * Fresh memory of the design matrix's size, filled once after the fits (off the clock);
   * null from statsmodels' process.
   */
  fresh: { ms: number; hugeMiB: number | null } | null;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Run {
  const out = execFileSync(cmd, args, { env, encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop()!) as Run;
}

/** The environment of a contender pinned to `threads` threads. */
function pinned(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GEOML_THREADS: String(threads) };
  for (const v of ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"])
    env[v] = String(threads);
  // the machine-wide OpenBLAS tuning variables slow a current numpy: unset for the peers
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const repeats = Math.max(1, Number(process.env.REPEATS ?? 5));
const threadCounts = (process.env.THREADS ?? "1,2").split(",").map(Number);

console.log(
  `GLM, ${n} rows × 20 features (+ intercept); ${repeats} run(s) of geoml and scikit-learn in turns`,
);
console.log(
  `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}; load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}\n`,
);
const rows: string[][] = [];
const notes: string[] = [];
for (const which of ["logit", "poisson"] as const) {
  let reference: number[] | undefined;
  for (const threads of threadCounts) {
    const env = pinned(threads);
    const ours = () =>
      run(
        process.execPath,
        ["--import", "tsx", join(here, "glm", "fit.ts"), prefix, String(n), which],
        env,
      );
    const peer = (tool: string) => () =>
      run("/usr/bin/python3", [join(here, "glm", "peers.py"), prefix, String(n), which, tool], env);
    const contenders: [name: string, fit: () => Run, times: number][] = [
      ["geoml glm().fit", ours, repeats],
      ["scikit-learn lbfgs", peer("sklearn"), repeats],
    ];
    if (threads === threadCounts[0]) contenders.push(["statsmodels GLM", peer("statsmodels"), 1]);
    const runs: Run[][] = contenders.map(() => []);
    for (let r = 0; r < repeats; r++)
      contenders.forEach(([, fit, times], c) => {
        if (r < times) runs[c].push(fit());
      });
    reference ??= runs[2]?.[0]?.params;
    const oursWall = median(runs[0].map((r) => r.seconds));
    const oursNext = median(runs[0].map((r) => r.nextSeconds ?? Number.NaN));
    const oursPeak = median(runs[0].map((r) => r.peakMiB));
    const base = median(runs[0].map((r) => r.baseMiB ?? 0));
    notes.push(
      `${which}, ${threads} thread(s): geoml resident with the data loaded ${base.toFixed(0)} MiB, ` +
        `so the fit's own peak is ${(oursPeak - base).toFixed(0)} MiB ` +
        `(design matrix ${((n * (FEATURES + 1) * 8) / 2 ** 20).toFixed(0)} MiB)`,
    );
    contenders.forEach(([name], c) => {
      const rs = runs[c];
      const wall = rs.map((x) => x.seconds);
      const next = rs.flatMap((x) => (x.nextSeconds === null ? [] : [x.nextSeconds]));
      const peak = median(rs.map((x) => x.peakMiB));
      const diff = reference
        ? Math.max(...rs[0].params.map((v, j) => Math.abs(v - reference![j]))).toExponential(1)
        : "";
      rows.push([
        which,
        String(threads),
        name,
        spread(wall, 3),
        spread(
          rs.map((x) => x.cpuSeconds),
          3,
        ),
        (median(wall) / oursWall).toFixed(2),
        next.length ? spread(next, 3) : "—",
        next.length ? (median(next) / oursNext).toFixed(2) : "—",
        peak.toFixed(0),
        (peak / oursPeak).toFixed(2),
        String(rs[0].iterations),
        diff,
      ]);
      // what fresh memory costs each library on this machine: the design matrix of a first
      // fit lives in such memory (geoml's in a WebAssembly memory, which V8 maps in small
      // pages; numpy asks the system for transparent huge pages)
      const fresh = rs.flatMap((x) => (x.fresh ? [x.fresh] : []));
      if (threads === threadCounts[0] && fresh.length > 0) {
        const huge = fresh.map((f) => f.hugeMiB);
        notes.push(
          `${which}, ${name}: fresh memory of the design matrix's size, allocated and filled ` +
            `once after the fits: ${spread(
              fresh.map((f) => f.ms),
              0,
            )} ms, of it in transparent huge pages ${
              huge.every((h) => h !== null)
                ? `${median(huge as number[]).toFixed(0)} MiB (median)`
                : "unknown"
            }`,
        );
      }
      if (rs[0].blas) console.error(`${which} ${name} ${threads}t: ${rs[0].blas.join("; ")}`);
    });
  }
}
const head = [
  "model",
  "threads",
  "fitter",
  "wall s: median (range)",
  "cpu s",
  "time ÷ geoml",
  "next fit s",
  "next ÷ geoml",
  "peak MiB",
  "memory ÷ geoml",
  "iterations",
  "max \\|β − β_statsmodels\\|",
];
const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
const line = (r: string[]) => `| ${r.map((c, j) => c.padEnd(widths[j])).join(" | ")} |`;
// the table and its notes as docs/benchmarks.md shows them (`pnpm bench` puts them there)
console.log("<!-- bench:models/glm -->");
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const r of rows) console.log(line(r));
console.log(`\n${notes.map((n) => `- ${n}`).join("\n")}`);
console.log("<!-- /bench:models/glm -->");

// where the time of one fit goes, on one thread (bench/glm/profile.ts): each phase timed
// on its own, CPU milliseconds, medians of ROUNDS rounds (a fit starts from a subsample
// from 200,000 rows on, and the phases are those of such a fit)
const phases = (n >= 200_000 ? (["logit", "poisson"] as const) : []).map((which) => {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", join(here, "glm", "profile.ts"), prefix, String(n), which],
    { env: { ...pinned(1), ROUNDS: process.env.ROUNDS ?? "5" }, encoding: "utf8" },
  );
  const line = out.split("\n").find((l) => l.startsWith("PHASES "));
  if (!line) throw new Error(`bench/glm/profile.ts printed no phases for ${which}`);
  return JSON.parse(line.slice(7)) as {
    cpu: Record<string, number>;
    passes: number;
    accounted: number;
  };
});
if (phases.length === 0) {
  console.log("\n(phases of a fit: only from 200,000 rows)");
  process.exit(0);
}
const [pl, pp] = phases;
const phaseRows: [string, (p: (typeof phases)[0]) => number][] = [
  ["design matrix from the formula", (p) => p.cpu["design from the formula"]],
  ["family's check of y and weights", (p) => p.cpu["family.validate(y, w)"]],
  ["subsample start (20,000 rows)", (p) => p.cpu["subsample start (20,000 rows)"]],
  [
    "pass set-up: the row kernel's flag from y (tables for the JavaScript kernel only)",
    (p) => p.cpu["pass set-up (y's flag, tables)"],
  ],
  [
    "first full-data pass: score only (and the deviance's part in y alone)",
    (p) => p.cpu["first pass (score only)"],
  ],
  [
    `each full pass with the cross-product (${pl.passes} in the fit)`,
    (p) => p.cpu["one full-data pass"],
  ],
  ["p×p Cholesky solve", (p) => p.cpu["p×p solve"]],
  ["sum of the phases, each as often as the fit runs it", (p) => p.accounted],
  ["whole glm().fit", (p) => p.cpu["whole glm().fit"]],
];
console.log("\n<!-- bench:models/glm-phases -->");
console.log("| phase of one fit, 1 thread | logit, cpu ms | poisson, cpu ms |");
console.log("|---|---:|---:|");
for (const [name, f] of phaseRows)
  console.log(`| ${name} | ${f(pl).toFixed(1)} | ${f(pp).toFixed(1)} |`);
console.log("<!-- /bench:models/glm-phases -->");
console.log(
  `\nload average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
