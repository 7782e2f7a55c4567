/**
 * Matrix products on one thread and on two, in one process: GFLOP/s of
 * `matmul(a, b)` for square float32 and float64 matrices of 256, 512 and 1024.
 * Each round times one call on one thread and one on two, alternating which goes
 * first; the table gives the median over BENCH_ROUNDS rounds (default 15), the
 * spread (lowest–highest), and the speed-up of the medians. Data generation,
 * worker start-up and one warm-up call per setting stay outside the clock. The
 * machine's load average is printed before and after, since other work on a
 * shared machine takes threads away. Run with `pnpm bench` in this package; the table is
 * printed between `<!-- bench:autodiff/threads -->` lines for docs/benchmarks.md.
 * BENCH_SIZES=256,512 limits the sizes (a quick run).
 */
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import * as ad from "../src/index.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SIZES = (process.env.BENCH_SIZES ?? "256,512,1024").split(",").map(Number);
const load = () =>
  loadavg()
    .map((v) => v.toFixed(1))
    .join(" ");

function seconds(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];

const loadBefore = load();
const lines: string[] = [];
lines.push("| matmul | 1 thread GFLOP/s | 2 threads GFLOP/s | 2 threads / 1 |");
lines.push("|---|---:|---:|---:|");
const rng = new ad.Rng(1);
for (const n of SIZES)
  for (const dtype of ["float32", "float64"] as const) {
    const a = rng.normal([n, n], { dtype });
    const b = rng.normal([n, n], { dtype });
    const flop = 2 * n ** 3;
    const runs: Record<1 | 2, number[]> = { 1: [], 2: [] };
    for (const t of [1, 2] as const) {
      ad.setThreads(t);
      ad.matmul(a, b); // warm-up: JIT, wasm memory, worker start and module import
    }
    for (let r = 0; r < ROUNDS; r++)
      for (const t of r % 2 === 0 ? ([1, 2] as const) : ([2, 1] as const)) {
        ad.setThreads(t);
        runs[t].push(flop / seconds(() => ad.matmul(a, b)) / 1e9);
      }
    const cell = (x: number[]) =>
      `${median(x).toFixed(1)} (${Math.min(...x).toFixed(1)}–${Math.max(...x).toFixed(1)})`;
    lines.push(
      `| ${n}×${n} ${dtype} | ${cell(runs[1])} | ${cell(runs[2])} | ${(median(runs[2]) / median(runs[1])).toFixed(2)}× |`,
    );
  }
// the table as docs/benchmarks.md shows it (`pnpm bench` puts it there)
console.log("<!-- bench:autodiff/threads -->");
console.log(
  `\`cd packages/autodiff && npx tsx bench/threads.ts\`: node ${process.version}, ${availableParallelism()} × ` +
    `${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadBefore} before, ` +
    `${load()} after; ${ROUNDS} interleaved rounds, median GFLOP/s (lowest–highest).\n`,
);
for (const l of lines) console.log(l);
console.log("<!-- /bench:autodiff/threads -->");
await ad.stopWorkers();
