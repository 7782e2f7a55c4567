/** Row tasks for the tests of `parallel.ts`: worker threads import them from here. */
import { isMainThread } from "node:worker_threads";

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
