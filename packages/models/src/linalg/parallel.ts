/**
 * Worker threads for the cross-product pass. IRLS is synchronous, so the main
 * thread hands a row range to each worker, computes its own share, then blocks on
 * `Atomics.wait` until the workers flag completion. Only arrays backed by a
 * SharedArrayBuffer can be shared without copying; anything else runs on the main
 * thread alone.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { crossprodRange } from "./crossprod.js";

/** Below this many multiply-adds a pass is faster on one thread. */
const MIN_WORK = 2e7;

let pool: Worker[] | null = null;
let threads = Math.max(1, Math.min(availableParallelism?.() ?? 1, 8));

/** Sets the number of threads used by the cross-product (1 disables workers). */
export function setLinalgThreads(count: number): void {
  threads = Math.max(1, Math.floor(count));
  if (pool && pool.length > threads - 1) {
    for (const w of pool.splice(threads - 1)) void w.terminate();
  }
}

function workers(count: number): Worker[] {
  pool ??= [];
  while (pool.length < count) {
    const src = `
      const { parentPort } = require("node:worker_threads");
      const crossprodRange = ${crossprodRange.toString()};
      parentPort.on("message", (m) => {
        const flag = new Int32Array(m.flag);
        try {
          const acc = new Float64Array(m.out, m.outOffset, (m.p + 1) * (m.p + 1));
          crossprodRange(new Float64Array(m.x), m.n, m.p, new Float64Array(m.w), new Float64Array(m.z), m.r0, m.r1, acc);
        } catch (e) {
          Atomics.store(flag, 1 + m.part, 1);
        }
        Atomics.add(flag, 0, 1);
        Atomics.notify(flag, 0);
      });`;
    const w = new Worker(src, { eval: true });
    // idle workers must not keep the process alive
    w.unref();
    pool.push(w);
  }
  return pool.slice(0, count);
}

const isShared = (a: Float64Array) =>
  typeof SharedArrayBuffer !== "undefined" &&
  a.buffer instanceof SharedArrayBuffer &&
  a.byteOffset === 0 &&
  a.length === a.buffer.byteLength / 8;

/**
 * The lower triangle of [X z]ᵀW[X z] computed on worker threads, or null when the
 * problem is small, the arrays are not shared, or only one thread is allowed.
 */
export function parallelCrossprod(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  z: Float64Array,
): Float64Array | null {
  if (threads < 2 || n * (p + 1) * (p + 2) * 0.5 < MIN_WORK) return null;
  if (!isShared(x) || !isShared(w) || !isShared(z)) return null;
  const q = p + 1;
  const parts = threads;
  const out = new SharedArrayBuffer(8 * q * q * (parts - 1));
  // flag[0]: finished workers; flag[1 + t]: worker t failed
  const flag = new SharedArrayBuffer(4 * (parts + 1));
  const step = Math.ceil(n / parts);
  const ws = workers(parts - 1);
  for (let t = 1; t < parts; t++) {
    ws[t - 1].postMessage({
      x: x.buffer,
      w: w.buffer,
      z: z.buffer,
      n,
      p,
      r0: Math.min(n, t * step),
      r1: Math.min(n, (t + 1) * step),
      out,
      outOffset: 8 * q * q * (t - 1),
      part: t,
      flag,
    });
  }
  const acc = new Float64Array(q * q);
  crossprodRange(x, n, p, w, z, 0, Math.min(n, step), acc);
  const f = new Int32Array(flag);
  for (;;) {
    const done = Atomics.load(f, 0);
    if (done >= parts - 1) break;
    Atomics.wait(f, 0, done, 60_000);
  }
  const all = new Float64Array(out);
  for (let t = 1; t < parts; t++) {
    if (f[1 + t] !== 0) {
      // a worker failed (e.g. out of memory): do its rows here
      crossprodRange(x, n, p, w, z, Math.min(n, t * step), Math.min(n, (t + 1) * step), acc);
      continue;
    }
    for (let k = 0; k < q * q; k++) acc[k] += all[(t - 1) * q * q + k];
  }
  return acc;
}

/** A zero-filled Float64Array in shared memory (plain memory where unavailable). */
export function sharedFloat64(length: number): Float64Array {
  return typeof SharedArrayBuffer !== "undefined"
    ? new Float64Array(new SharedArrayBuffer(length * 8))
    : new Float64Array(length);
}
