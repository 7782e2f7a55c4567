import { availableParallelism } from "node:os";
import { Piscina } from "piscina";
import { BatchError } from "./errors.js";
import type { ChunkJob } from "./job.js";
import type { Executor } from "./run.js";

/** Check a thread count. */
export function checkThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > 4 * availableParallelism()) {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `workers must be 1–${4 * availableParallelism()}, got ${threads}`,
    );
  }
  return threads;
}

/** A piscina pool of `threads` workers running `pool-worker.mjs`. */
export function workerPool(threads: number): Piscina {
  return new Piscina({
    filename: new URL("./pool-worker.mjs", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 1000,
    // geotiff.js's `web-worker` dependency takes any worker thread without workerData for
    // one of its own web workers; an (empty) workerData tells it this one is not.
    workerData: {},
  });
}

let shared: { threads: number; pool: Piscina } | undefined;

/**
 * One pool kept between calls (idle workers do not hold the process open), so repeated
 * in-memory fits pay the threads' start-up once.
 */
export function sharedPool(threads: number): Piscina {
  if (shared?.threads === threads) return shared.pool;
  void shared?.pool.destroy();
  shared = { threads, pool: workerPool(threads) };
  return shared.pool;
}

/**
 * Chunks on `threads` worker threads of a piscina pool. Jobs cross as plain data (structured
 * clone); each worker opens the files itself and keeps them open for the run's next chunk.
 */
export function poolExecutor(threads: number): Executor {
  checkThreads(threads);
  return async (jobs, onPart) => {
    if (jobs.length === 0) return;
    const pool = workerPool(Math.min(threads, jobs.length));
    try {
      // Parts are written in completion order; a failure stops the run after the others settle.
      const settled = await Promise.allSettled(
        jobs.map(async (job: ChunkJob) => {
          const part = (await pool.run(job)) as Uint8Array;
          await onPart(job, part);
        }),
      );
      const failed = settled.find((s) => s.status === "rejected");
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    } finally {
      await pool.destroy();
    }
  };
}
