/**
 * A browser Web Worker of the pool (see `pool.ts` and `task-runner.ts`), started as
 * a module worker. Its first message carries the shared "loaded" flag; every later
 * one is a task. Browsers have no synchronous receive, so tasks arrive through the
 * event loop.
 */
import { execute, flagReady, markPoolWorker, type PoolMessage } from "./task-runner.js";

markPoolWorker();

/** The slice of a dedicated worker's global scope used here (no DOM types in this project). */
interface WorkerScope {
  onmessage: ((e: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}
const scope = globalThis as unknown as WorkerScope;

let started = false;
scope.onmessage = (e) => {
  if (!started) {
    started = true;
    flagReady((e.data as { ready: SharedArrayBuffer }).ready);
    scope.postMessage("ready");
    return;
  }
  void execute(e.data as PoolMessage);
};
