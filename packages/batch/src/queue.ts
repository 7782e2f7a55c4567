/**
 * Chunks across machines on BullMQ over Redis. The coordinator (`geoml batch … --queue`)
 * puts one job per chunk on a queue named after the run, follows them through BullMQ's
 * QueueEvents, and writes each part as its result arrives; workers (`geoml worker`) find
 * runs in a Redis set, take jobs, read the files themselves and send the part back through
 * Redis, compressed. Jobs are plain JSON checked by the worker (`parseJob`): no code
 * crosses the queue.
 */
import { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { BatchError } from "./errors.js";
import { type ChunkJob, closeJobs, parseJob, runJob } from "./job.js";
import { compressPart, decompressPart } from "./parts.js";
import type { Executor } from "./run.js";

/** Redis set of the runs that have chunks waiting: workers watch it. */
const RUNS_KEY = "geoml:batch:runs";
/** Queue name of a run. */
export const queueName = (run: string): string => `geoml-batch-${run}`;

/** Timing of lock renewal and stalled-job checks. */
export interface StallOptions {
  /**
   * How long a worker's lock on a job lasts without renewal, ms (default 20 000). A killed
   * worker's job is retried by another once its lock has lapsed and a stalled-job check has
   * run: within lockDuration + 2 × stalledInterval (40 s by default).
   */
  lockDuration?: number;
  /** How often workers look for stalled jobs, ms (default 10 000). */
  stalledInterval?: number;
}

/**
 * A Redis connection from a URL: `redis://[:password@]host:port[/db]`, or `rediss://` for
 * TLS. BullMQ needs `maxRetriesPerRequest: null` on connections that block. `persistent`
 * connections (workers) keep reconnecting; others give up after a few tries.
 *
 * @throws BatchError `QUEUE` for a URL that is not redis:// or rediss://
 */
export function connect(url: string, options: { persistent?: boolean } = {}): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BatchError(
      "QUEUE",
      `--queue: expected redis://HOST:PORT or rediss://…, got '${url}'`,
    );
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw new BatchError("QUEUE", `--queue: expected a redis:// or rediss:// URL, got '${url}'`);
  }
  // A first connection that fails is an error either way (wrong host, port or password).
  let everReady = false;
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    // A coordinator fails fast when the server goes away; a worker (persistent) waits for
    // it to come back.
    retryStrategy: (times) =>
      options.persistent && everReady
        ? Math.min(times * 500, 5000)
        : times > 5
          ? null
          : Math.min(times * 200, 1000),
  });
  redis.once("ready", () => {
    everReady = true;
  });
  redis.on("error", () => {
    // Reported through the failing command instead.
  });
  return redis;
}

/** Wait until a connection answers, or fail with a clear message. */
async function ready(redis: Redis, url: string): Promise<void> {
  try {
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    const where = url.replace(/\/\/[^@/]*@/, "//***@");
    throw new BatchError("QUEUE", `cannot reach Redis at ${where}: ${(error as Error).message}`);
  }
}

/** Options of {@link queueExecutor}. */
export interface QueueExecutorOptions extends StallOptions {
  /** Called on BullMQ events, for progress (`active` when a worker takes a chunk). */
  onEvent?: (event: "active" | "completed" | "failed" | "stalled", chunk: number) => void;
  /** Retries of a failed chunk (default 2). */
  attempts?: number;
}

/**
 * Run chunks through a BullMQ queue at `url` (the coordinator side). Resolves when every
 * chunk's part is written; rejects when a chunk fails for good.
 */
export function queueExecutor(url: string, options: QueueExecutorOptions = {}): Executor {
  return async (jobs, onPart) => {
    if (jobs.length === 0) return;
    const run = jobs[0].run;
    const name = queueName(run);
    const redis = connect(url);
    await ready(redis, url);
    const queue = new Queue(name, { connection: redis });
    const eventsConnection = redis.duplicate();
    const events = new QueueEvents(name, { connection: eventsConnection });
    // BullMQ refuses integer-like custom ids.
    const byId = new Map(jobs.map((j) => [`chunk-${j.chunk}`, j]));
    const pending = new Set(byId.keys());
    let settle!: (error?: Error) => void;
    const finished = new Promise<void>((resolve, reject) => {
      settle = (error) => (error ? reject(error) : resolve());
    });
    // Awaited below; a failure that comes first must not count as unhandled.
    finished.catch(() => {});
    let writing = Promise.resolve();
    const take = (id: string, value: unknown) => {
      const job = byId.get(id);
      if (job === undefined || !pending.has(id) || typeof value !== "string") return;
      pending.delete(id);
      const part = decompressPart(Buffer.from(value, "base64"));
      writing = writing
        .then(() => onPart(job, part))
        .then(() => {
          options.onEvent?.("completed", job.chunk);
          if (pending.size === 0) settle();
        })
        .catch((e) => settle(e));
    };
    events.on("completed", ({ jobId, returnvalue }) => take(jobId, parseReturn(returnvalue)));
    events.on("active", ({ jobId }) => {
      const j = byId.get(jobId);
      if (j) options.onEvent?.("active", j.chunk);
    });
    events.on("stalled", ({ jobId }) => {
      const j = byId.get(jobId);
      if (j) options.onEvent?.("stalled", j.chunk);
    });
    events.on("failed", async ({ jobId, failedReason }) => {
      const j = byId.get(jobId);
      if (j === undefined) return;
      const job = await queue.getJob(jobId);
      // A failure with retries left comes back; only the last attempt ends the run.
      if (job && job.attemptsMade < (job.opts.attempts ?? 1) && !job.finishedOn) return;
      options.onEvent?.("failed", j.chunk);
      settle(new BatchError("QUEUE", `chunk ${j.chunk} failed on a worker: ${failedReason}`));
    });
    // Events missed (e.g. a job finished before this coordinator started listening) are
    // caught by looking at the jobs themselves now and then.
    const sweep = setInterval(() => {
      void (async () => {
        for (const id of [...pending]) {
          const job = await queue.getJob(id).catch(() => undefined);
          if (job?.finishedOn && job.returnvalue !== undefined && job.returnvalue !== null)
            take(id, job.returnvalue);
          else if (
            job?.finishedOn &&
            job.failedReason &&
            job.attemptsMade >= (job.opts.attempts ?? 1)
          )
            settle(new BatchError("QUEUE", `chunk ${id} failed on a worker: ${job.failedReason}`));
        }
      })().catch(() => {});
    }, 2000);
    try {
      await events.waitUntilReady();
      await queue.addBulk(
        jobs.map((j) => ({
          name: "chunk",
          data: j,
          opts: {
            jobId: `chunk-${j.chunk}`,
            attempts: 1 + (options.attempts ?? 2),
            removeOnComplete: false,
            removeOnFail: false,
          },
        })),
      );
      await redis.sadd(RUNS_KEY, run);
      await finished;
      await writing;
    } finally {
      clearInterval(sweep);
      await redis.srem(RUNS_KEY, run).catch(() => {});
      await queue.obliterate({ force: true }).catch(() => {});
      await events.close().catch(() => {});
      await queue.close().catch(() => {});
      // Connections handed to BullMQ stay open until closed here.
      eventsConnection.disconnect();
      redis.disconnect();
    }
  };
}

function parseReturn(value: unknown): unknown {
  // QueueEvents hands the return value over as JSON text.
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Options of {@link serveQueue}. */
export interface ServeOptions extends StallOptions {
  /** Chunks worked on at once by this process (default 1). */
  concurrency?: number;
  /** Log lines (a chunk taken, done or refused). */
  log?: (line: string) => void;
  /** Called when a chunk starts, before any work (for tests that kill a worker mid-job). */
  onJobStart?: (job: ChunkJob) => void;
  /** Stop serving when this signal aborts. */
  signal?: AbortSignal;
}

/**
 * Serve chunk jobs from the Redis at `url` until `signal` aborts (the worker side). Runs are
 * discovered through a Redis set the coordinators maintain; each gets a BullMQ Worker with
 * the lock and stalled-job settings of {@link StallOptions}.
 */
export async function serveQueue(url: string, options: ServeOptions = {}): Promise<void> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `concurrency must be a positive integer, got ${concurrency}`,
    );
  }
  const redis = connect(url, { persistent: true });
  await ready(redis, url);
  const workers = new Map<string, { worker: Worker; connection: Redis }>();
  const log = options.log ?? (() => {});
  const processor = async (job: Job) => {
    let chunk: ChunkJob;
    try {
      chunk = parseJob(job.data);
    } catch (error) {
      log(`refused job ${job.id}: ${(error as Error).message}`);
      // Retrying a job this worker cannot read would only fail again.
      throw new UnrecoverableError((error as Error).message);
    }
    options.onJobStart?.(chunk);
    log(`chunk ${chunk.chunk} of run ${chunk.run}: started`);
    const part = await runJob(chunk);
    log(`chunk ${chunk.chunk} of run ${chunk.run}: done`);
    return compressPart(part).toString("base64");
  };
  const refresh = async () => {
    const runs = new Set(await redis.smembers(RUNS_KEY));
    for (const run of runs) {
      if (workers.has(run)) continue;
      const connection = redis.duplicate();
      const w = new Worker(queueName(run), processor, {
        connection,
        concurrency,
        lockDuration: options.lockDuration ?? 20_000,
        stalledInterval: options.stalledInterval ?? 10_000,
        maxStalledCount: 3,
      });
      w.on("error", (e) => log(`queue error: ${e.message}`));
      workers.set(run, { worker: w, connection });
      log(`serving run ${run}`);
    }
    for (const [run, w] of workers) {
      if (runs.has(run)) continue;
      workers.delete(run);
      await w.worker.close();
      w.connection.disconnect();
    }
  };
  try {
    while (options.signal?.aborted !== true) {
      await refresh();
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          options.signal?.removeEventListener("abort", wake);
          resolve();
        }, 1000);
        options.signal?.addEventListener("abort", wake, { once: true });
      });
    }
  } finally {
    for (const w of workers.values()) {
      await w.worker.close().catch(() => {});
      w.connection.disconnect();
    }
    await closeJobs();
    redis.disconnect();
  }
}
