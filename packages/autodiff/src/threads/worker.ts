/**
 * A Node worker thread of the pool (see `pool.ts` and `task-runner.ts`). Between
 * tasks it polls its port a moment before going back to the event loop, since
 * passes often come back to back.
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { execute, flagReady, markPoolWorker, type PoolMessage } from "./task-runner.js";

markPoolWorker();

/**
 * How long a worker keeps polling for the next task after one ends. Passes often
 * come back to back (one per minibatch, one per product); a thread that went to
 * sleep takes a fraction of a millisecond to wake up, more in a virtual machine,
 * which would eat the gain of splitting a small pass.
 */
const POLL_MS = 2;

/** The next task if one arrives within {@link POLL_MS}, else undefined. */
function poll(): PoolMessage | undefined {
  if (!parentPort) return undefined;
  const end = performance.now() + POLL_MS;
  do {
    const got = receiveMessageOnPort(parentPort);
    if (got) return got.message as PoolMessage;
  } while (performance.now() < end);
  return undefined;
}

async function serve(first: PoolMessage): Promise<void> {
  for (let m: PoolMessage | undefined = first; m !== undefined; m = poll()) await execute(m);
}

parentPort?.on("message", (m: PoolMessage) => {
  void serve(m);
});

flagReady((workerData as { ready: SharedArrayBuffer }).ready);
// for a caller awaiting `startWorkers` (the flag serves a blocked one)
parentPort?.postMessage("ready");
