/** Row tasks for the tests of `pool.ts`: worker threads import them from here. */
import { isMainThread } from "node:worker_threads";
import { runRows } from "../pool.js";

interface Args {
  v: Float64Array;
}

/** out[0] += Σ v over the rows; out[1] += 1 on a worker thread (0 on the main one). */
export function sumRows(a: Args, r0: number, r1: number, out: Float64Array): void {
  for (let i = r0; i < r1; i++) out[0] += a.v[i];
  if (!isMainThread) out[1] += 1;
}

/** As {@link sumRows} on the main thread; throws on a worker, whose rows the main thread redoes. */
export function failOnWorkers(a: Args, r0: number, r1: number, out: Float64Array): void {
  if (!isMainThread) throw new Error("a worker failed");
  sumRows(a, r0, r1, out);
}

/** As {@link sumRows} on the main thread; on a worker, never finishes (until terminated). */
export function hangOnWorkers(a: Args, r0: number, r1: number, out: Float64Array): void {
  if (!isMainThread) for (;;);
  sumRows(a, r0, r1, out);
}

/** As {@link sumRows} on the main thread; ends its worker thread without a word. */
export function exitOnWorkers(a: Args, r0: number, r1: number, out: Float64Array): void {
  if (!isMainThread) process.exit(3);
  sumRows(a, r0, r1, out);
}

/** As {@link sumRows} on a worker; throws on the main thread. */
export function failHere(a: Args, r0: number, r1: number, out: Float64Array): void {
  if (isMainThread) throw new Error("the calling thread's share failed");
  sumRows(a, r0, r1, out);
}

/** Writes r0 into `starts[i]` for every row i: shows where the ranges begin. */
export function markStarts(
  a: { starts: Float64Array },
  r0: number,
  r1: number,
  _out: Float64Array,
): void {
  for (let i = r0; i < r1; i++) a.starts[i] = r0;
}

/**
 * out[0] += Σ v over the rows; out[1] += what a nested pass of {@link sumRows} over
 * all of v counted on worker threads (a worker runs its nested passes alone: 1).
 */
export function nestedPass(a: Args, r0: number, r1: number, out: Float64Array): void {
  for (let i = r0; i < r1; i++) out[0] += a.v[i];
  const inner = runRows(
    { run: { module: import.meta.url, name: "sumRows", fn: sumRows }, lib: {} },
    a,
    a.v.length,
    2,
    1e9,
  );
  out[1] += inner[1];
}

const seenArgs = new WeakSet<object>();

/**
 * As {@link sumRows}; out[2] += 1 the first time a worker sees this arguments object
 * (a row session sends its arguments to a worker once, a pass with each message).
 */
export function sumRowsOnce(a: Args, r0: number, r1: number, out: Float64Array): void {
  sumRows(a, r0, r1, out);
  if (!isMainThread && !seenArgs.has(a)) {
    seenArgs.add(a);
    out[2] += 1;
  }
}
