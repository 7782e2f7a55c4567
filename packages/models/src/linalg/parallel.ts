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
import { createSimdDot, type SimdDot } from "./simd.js";

/** Below this many multiply-adds a pass is faster on one thread. */
const MIN_WORK = 2e7;

let pool: PoolWorker[] | null = null;
let simdKernel: SimdDot | null | undefined;
let simdEnabled = true;

/** The SIMD kernel of this thread (built on first use), or null when unavailable or disabled. */
export function mainSimd(): SimdDot | null {
  if (!simdEnabled) return null;
  if (simdKernel === undefined) simdKernel = createSimdDot();
  return simdKernel;
}

/** Turns the WebAssembly SIMD kernel on or off (for comparison; on by default). */
export function setLinalgSimd(enabled: boolean): void {
  simdEnabled = enabled;
}
let threads = Math.max(1, Math.min(availableParallelism?.() ?? 1, 8));

/** Sets the number of threads used by the cross-product (1 disables workers). */
export function setLinalgThreads(count: number): void {
  threads = Math.max(1, Math.floor(count));
  if (pool && pool.length > threads - 1) {
    for (const w of pool.splice(threads - 1)) void w.worker.terminate();
  }
}

interface PoolWorker {
  worker: Worker;
  /** Set to 1 by the worker once its script has loaded. */
  ready: Int32Array;
}

function workers(count: number): PoolWorker[] {
  pool ??= [];
  while (pool.length < count) {
    // __name: the helper that bundlers insert into function sources to keep names
    const src = `
      const __name = (f) => f;
      const { parentPort, workerData } = require("node:worker_threads");
      const crossprodRange = ${crossprodRange.toString()};
      const createSimdDot = ${createSimdDot.toString()};
      const simd = createSimdDot();
      parentPort.on("message", (m) => {
        const flag = new Int32Array(m.flag);
        try {
          const acc = new Float64Array(m.out, m.outOffset, (m.p + 1) * (m.p + 1));
          crossprodRange(new Float64Array(m.x), m.n, m.p, new Float64Array(m.w), new Float64Array(m.z), m.r0, m.r1, acc, simd);
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

function dropPool(): void {
  for (const w of pool ?? []) void w.worker.terminate();
  pool = null;
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
    worker.postMessage({
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
  const expected = sent.filter(Boolean).length;
  const acc = new Float64Array(q * q);
  const t0 = performance.now();
  crossprodRange(x, n, p, w, z, 0, Math.min(n, step), acc, mainSimd());
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
  const all = new Float64Array(out);
  for (let t = 1; t < parts; t++) {
    if (!sent[t] || timedOut || f[1 + t] !== 0) {
      crossprodRange(
        x,
        n,
        p,
        w,
        z,
        Math.min(n, t * step),
        Math.min(n, (t + 1) * step),
        acc,
        mainSimd(),
      );
      continue;
    }
    for (let k = 0; k < q * q; k++) acc[k] += all[(t - 1) * q * q + k];
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
