/**
 * Worker threads for passes over the rows of a design. The solvers are
 * synchronous, so the main thread hands a row range to each worker, computes its
 * own share, then blocks on `Atomics.wait` until the workers flag completion. Only
 * arrays backed by a SharedArrayBuffer can be shared without copying; a pass whose
 * large arrays are not shared runs on the main thread alone.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ModelError } from "../contract/errors.js";
import { createSimdKernels, type SimdKernels } from "./simd.js";

/** Below this many multiply-adds a pass is faster on one thread. */
const MIN_WORK = 2e7;
/** Typed-array arguments longer than this must be shared for a pass to go parallel. */
const SMALL = 4096;

/**
 * Work over a range of rows that adds its contribution to `out` (sums, so the
 * ranges' results add up). `run` and every function of `lib` are self-contained:
 * they refer only to their parameters (helpers come through `lib`), because worker
 * threads rebuild them from their source text.
 */
export interface RowTask<A, L extends Record<string, unknown>> {
  /** Names the task in a worker's cache of compiled tasks; unique per `run` and `lib`. */
  readonly name: string;
  readonly run: (
    args: A,
    r0: number,
    r1: number,
    out: Float64Array,
    simd: SimdKernels | null,
    lib: L,
  ) => void;
  readonly lib: L;
}

let pool: PoolWorker[] | null = null;
let simdKernel: SimdKernels | null | undefined;
let simdEnabled = true;

/** The SIMD kernel of this thread (built on first use), or null when unavailable or disabled. */
export function mainSimd(): SimdKernels | null {
  if (!simdEnabled) return null;
  if (simdKernel === undefined) simdKernel = createSimdKernels();
  return simdKernel;
}

/** Turns the WebAssembly SIMD kernel on or off (for comparison; on by default). */
export function setLinalgSimd(enabled: boolean): void {
  simdEnabled = enabled;
}
/** Most threads used by default (more rarely pays for passes this memory-bound). */
const DEFAULT_MAX = 8;

/** Checks a thread count from `source` (an option or the environment). */
function checkThreads(count: unknown, source: string): number {
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1024)
    throw new ModelError(
      "BAD_OPTION",
      `${source}: the number of threads must be an integer from 1 to 1024, got ${String(count)}`,
    );
  return count;
}

/** The thread count: `GEOML_THREADS` when set, else the cores available (at most 8). */
function initialThreads(): number {
  const env = typeof process !== "undefined" ? process.env?.GEOML_THREADS : undefined;
  if (env !== undefined && env.trim() !== "")
    return checkThreads(Number(env.trim()), `GEOML_THREADS=${JSON.stringify(env)}`);
  return Math.max(1, Math.min(availableParallelism?.() ?? 1, DEFAULT_MAX));
}

let threads = initialThreads();

/**
 * Pins the number of threads (the calling thread included) that passes over the
 * rows of a design use: GLM cross-products and IRLS passes. 1 runs everything on
 * the calling thread. The default is the `GEOML_THREADS` environment variable when
 * set, else the number of cores available (at most 8).
 *
 * @throws ModelError (`BAD_OPTION`) unless `count` is an integer from 1 to 1024.
 */
export function setThreads(count: number): void {
  threads = checkThreads(count, "setThreads(count)");
  if (pool && pool.length > threads - 1) {
    for (const w of pool.splice(threads - 1)) void w.worker.terminate();
  }
}

/** The number of threads that passes over the rows use (see {@link setThreads}). */
export function getThreads(): number {
  return threads;
}

/**
 * Sets the number of threads used by passes over the rows (1 disables workers).
 * @deprecated use {@link setThreads}, which checks its argument.
 */
export function setLinalgThreads(count: number): void {
  setThreads(Math.max(1, Math.floor(count)));
}

interface PoolWorker {
  worker: Worker;
  /** Set to 1 by the worker once its script has loaded. */
  ready: Int32Array;
}

/** The source text that rebuilds a task in a worker: `{ run, lib }`. */
function taskSource(task: RowTask<unknown, Record<string, unknown>>): string {
  const lib = Object.entries(task.lib)
    .map(([k, f]) => `${JSON.stringify(k)}: ${String(f)}`)
    .join(",\n");
  return `({ run: ${task.run.toString()}, lib: { ${lib} } })`;
}

function workers(count: number): PoolWorker[] {
  pool ??= [];
  while (pool.length < count) {
    // __name: the helper that bundlers insert into function sources to keep names
    const src = `
      const __name = (f) => f;
      const { parentPort, workerData } = require("node:worker_threads");
      const createSimdKernels = ${createSimdKernels.toString()};
      const simd = createSimdKernels();
      const tasks = new Map();
      parentPort.on("message", (m) => {
        const flag = new Int32Array(m.flag);
        try {
          let task = tasks.get(m.name);
          if (!task) {
            task = new Function("__name", "return " + m.source)(__name);
            tasks.set(m.name, task);
          }
          const out = new Float64Array(m.out, m.outOffset, m.outLength);
          task.run(m.args, m.r0, m.r1, out, m.simd ? simd : null, task.lib);
        } catch (e) {
          Atomics.store(flag, 1 + m.part, 1);
        }
        Atomics.add(flag, 0, 1);
        Atomics.notify(flag, 0);
      });
      const ready = new Int32Array(workerData.ready);
      Atomics.store(ready, 0, 1);
      Atomics.notify(ready, 0);`;
    const ready = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(src, { eval: true, workerData: { ready: ready.buffer } });
    // idle workers must not keep the process alive
    worker.unref();
    pool.push({ worker, ready });
  }
  return pool.slice(0, count);
}

/**
 * Starts the worker threads that a pass of `work` multiply-adds would use, without
 * waiting: a thread takes ~30 ms to load, which can overlap other work.
 */
export function startWorkers(work: number): void {
  if (threads >= 2 && work >= MIN_WORK) workers(threads - 1);
}

function dropPool(): void {
  for (const w of pool ?? []) void w.worker.terminate();
  pool = null;
}

/** True when `a` is a whole SharedArrayBuffer, so workers see the same memory. */
export const isShared = (a: Float64Array): boolean =>
  typeof SharedArrayBuffer !== "undefined" &&
  a.buffer instanceof SharedArrayBuffer &&
  a.byteOffset === 0 &&
  a.length === a.buffer.byteLength / 8;

/** Large typed arrays among the arguments that workers could not share. */
function unshared(args: object): boolean {
  for (const v of Object.values(args))
    if (ArrayBuffer.isView(v) && (v as Float64Array).length > SMALL && !isShared(v as Float64Array))
      return true;
  return false;
}

/**
 * Runs `task` over rows [0, n) and returns the sum of the ranges' `out` vectors
 * (length `outLength`, zero-initialised). With several threads allowed, at least
 * `work` ≥ {@link MIN_WORK} multiply-adds and every large array argument shared,
 * the rows are split evenly: the first share runs here, the others on workers.
 * Otherwise everything runs here. Small arguments (≤ 4096 elements) are copied to
 * the workers and must be read-only. The sum over ranges is formed in range order,
 * so the result does not depend on which thread computed which range.
 */
export function runRows<A extends object, L extends Record<string, unknown>>(
  task: RowTask<A, L>,
  args: A,
  n: number,
  outLength: number,
  work: number,
): Float64Array {
  const acc = new Float64Array(outLength);
  if (threads < 2 || work < MIN_WORK || unshared(args)) {
    task.run(args, 0, n, acc, mainSimd(), task.lib);
    return acc;
  }
  const parts = threads;
  const out = new SharedArrayBuffer(8 * outLength * (parts - 1));
  // flag[0]: finished workers; flag[1 + t]: worker t failed
  const flag = new SharedArrayBuffer(4 * (parts + 1));
  const step = Math.ceil(n / parts);
  const range = (t: number): [number, number] => [
    Math.min(n, t * step),
    Math.min(n, (t + 1) * step),
  ];
  const ws = workers(parts - 1);
  const source = taskSource(task as RowTask<unknown, Record<string, unknown>>);
  // a worker that has not loaded after 5 s (or failed to) gets no rows: main does them
  const sent: boolean[] = [false];
  for (let t = 1; t < parts; t++) {
    const { worker, ready } = ws[t - 1];
    if (Atomics.load(ready, 0) !== 1) Atomics.wait(ready, 0, 0, 5000);
    if (Atomics.load(ready, 0) !== 1) {
      sent.push(false);
      continue;
    }
    sent.push(true);
    const [r0, r1] = range(t);
    worker.postMessage({
      name: task.name,
      source,
      args,
      r0,
      r1,
      out,
      outOffset: 8 * outLength * (t - 1),
      outLength,
      // the workers follow setLinalgSimd too
      simd: mainSimd() !== null,
      part: t,
      flag,
    });
  }
  const expected = sent.filter(Boolean).length;
  const t0 = performance.now();
  task.run(args, 0, range(0)[1], acc, mainSimd(), task.lib);
  // never hang on a worker that died mid-pass: after a generous deadline main takes over
  const deadline = performance.now() + Math.max(10_000, 50 * (performance.now() - t0));
  const f = new Int32Array(flag);
  let timedOut = false;
  for (;;) {
    const done = Atomics.load(f, 0);
    if (done >= expected) break;
    const left = deadline - performance.now();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    Atomics.wait(f, 0, done, left);
  }
  for (let t = 1; t < parts; t++) {
    let part: Float64Array = new Float64Array(out, 8 * outLength * (t - 1), outLength);
    if (!sent[t] || timedOut || f[1 + t] !== 0) {
      // in memory of its own: a worker that timed out may still be writing its slot
      part = new Float64Array(outLength);
      task.run(args, ...range(t), part, mainSimd(), task.lib);
    }
    for (let k = 0; k < outLength; k++) acc[k] += part[k];
  }
  if (timedOut || sent.includes(false, 1)) dropPool();
  return acc;
}

/** A zero-filled Float64Array in shared memory (plain memory where unavailable). */
export function sharedFloat64(length: number): Float64Array {
  return typeof SharedArrayBuffer !== "undefined"
    ? new Float64Array(new SharedArrayBuffer(length * 8))
    : new Float64Array(length);
}
