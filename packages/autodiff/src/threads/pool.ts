/**
 * One pool of worker threads for every package: passes over the rows of a design
 * (GLM cross-products, IRLS), row blocks of large matrix products and data-parallel
 * minibatch gradients. The callers are synchronous, so the calling thread hands a
 * row range to each worker, computes the first range itself, then blocks on
 * `Atomics.wait` until the workers flag completion in shared memory. Only arrays
 * backed by a SharedArrayBuffer are seen by the workers without copying; a pass
 * whose large arrays are not shared runs on the calling thread alone.
 *
 * A task is a function exported by an ES module (as in piscina or tinypool): a
 * worker imports the module by its URL and calls the export, so no code is ever
 * rebuilt from text. The workers are Node worker threads, reached through
 * `process.getBuiltinModule` (Node ≥ 20.16) when a pass first needs one, or in a
 * browser module Web Workers (see spawn.ts); nothing is imported statically, so
 * this file loads in a browser and importing the package starts nothing.
 *
 * In a browser the pool needs a cross-origin isolated page (SharedArrayBuffer) and
 * a calling thread that may block: a dedicated Worker. The page's main thread may
 * not `Atomics.wait`, and spinning there instead would freeze the page for the
 * whole pass, so there every pass runs on the calling thread alone.
 *
 * Why not piscina or tinypool: both hand tasks to workers and learn that a worker
 * is ready through MessagePort messages that the calling thread's event loop
 * delivers. A caller blocked in `Atomics.wait` never lets that loop turn, so a task
 * queued before the workers are ready would never start (see docs/architecture.md).
 */
import type * as NodeOs from "node:os";
import { ArgumentError } from "../errors.js";
import { simdEnabled } from "../kernels/wasm/instance.js";
import {
  CLOSING,
  DONE,
  FAILED,
  JOB,
  LISTENING,
  R0,
  R1,
  SEQ,
  SIMD,
  STATE,
  WORDS,
} from "./session-words.js";
import { builtin, type PoolWorker, spawnWorker, workersPossible } from "./spawn.js";
import { spinWhile } from "./spin.js";

/** Below this many multiply-adds a pass is faster on one thread (the default of a pass). */
export const MIN_WORK = 2e7;
/**
 * Milliseconds the calling thread polls for its workers before it sleeps: at
 * least this, up to a quarter of its own share's time (the workers' shares take
 * about as long), at most {@link SPIN_MAX_MS}.
 */
const SPIN_MS = 1;
const SPIN_MAX_MS = 5;
/** Typed-array arguments longer than this must be shared for a pass to go parallel. */
const SMALL = 4096;
/** Most threads used by default (more rarely pays for passes this memory-bound). */
const DEFAULT_MAX = 8;
/** Set on `globalThis` by a pool worker: its own passes never start more workers. */
export const IN_WORKER = Symbol.for("geoml.threads.worker");

/** A function exported by an ES module, which a worker thread imports by URL and name. */
export interface ModuleFunction<F> {
  /** URL of the module (its `import.meta.url`); absent: the calling thread only. */
  readonly module?: string;
  /** Name under which the module exports `fn`. */
  readonly name: string;
  /** The function itself, for the calling thread. */
  readonly fn: F;
}

/**
 * Adds the contribution of rows [r0, r1) to `out` (sums, so the ranges' results
 * add up). `lib` holds the functions the task is parametrised by (a family's row
 * kernel, say), resolved from their modules on a worker. A task may instead write
 * its rows' results straight into a shared array of `args` (then `out` is empty);
 * it must then write the same values whichever thread runs it, since the rows of a
 * worker that fails are run again on the calling thread.
 */
export type RowRun<A, L> = (args: A, r0: number, r1: number, out: Float64Array, lib: L) => void;

/** Work over a range of rows: a module function and the module functions it is given. */
export interface RowTask<A, L extends Record<string, unknown>> {
  readonly run: ModuleFunction<RowRun<A, L>>;
  readonly lib: { readonly [K in keyof L]: ModuleFunction<L[K]> };
}

/** Options of {@link runRows}. */
export interface RunRowsOptions {
  /** Fewest multiply-adds for which the pass goes parallel (default {@link MIN_WORK}). */
  minWork?: number;
  /** Every range but the last starts at a multiple of this many rows (default 1). */
  align?: number;
  /**
   * The arguments for every range this thread computes, when they differ from those
   * the workers get: the same rows in memory a worker cannot read (the caller's own
   * arrays), so that this thread's share is not copied to shared memory and back.
   * {@link lastPass} then tells which ranges the workers computed.
   */
  here?: unknown;
}

/** Options of the pool, set with {@link setThreadOptions}. */
export interface ThreadOptions {
  /**
   * Use SharedArrayBuffer (default: wherever it exists). False behaves as a
   * browser page that is not cross-origin isolated: {@link sharedFloat64} returns
   * plain arrays and every pass runs on the calling thread.
   */
  sharedMemory?: boolean;
  /**
   * Milliseconds the calling thread waits for the workers of a pass beyond
   * 50 times its own share's time, before it computes their rows itself (default 10000).
   */
  timeoutMs?: number;
}

function cores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (typeof nav?.hardwareConcurrency === "number") return nav.hardwareConcurrency;
  const os = builtin<typeof NodeOs>("node:os");
  return os?.availableParallelism?.() ?? 1;
}

/** Checks a thread count from `source` (an option or the environment). */
function checkThreads(count: unknown, source: string): number {
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1024)
    throw new ArgumentError(
      source,
      `the number of threads must be an integer from 1 to 1024, got ${String(count)}`,
    );
  return count;
}

/** The thread count: `GEOML_THREADS` when set, else the cores available (at most 8). */
function initialThreads(): number {
  const env = typeof process !== "undefined" ? process.env?.GEOML_THREADS : undefined;
  if (env !== undefined && env.trim() !== "")
    return checkThreads(Number(env.trim()), `GEOML_THREADS=${JSON.stringify(env)}`);
  return Math.max(1, Math.min(cores(), DEFAULT_MAX));
}

let threads = initialThreads();
const options = { sharedMemory: true, timeoutMs: 10_000 };

/**
 * Pins the number of threads (the calling thread included) that large passes use:
 * GLM cross-products and IRLS passes, matrix products above a size threshold and
 * MLP minibatch gradients. 1 runs everything on the calling thread. The default is
 * the `GEOML_THREADS` environment variable when set, else the number of cores
 * available (at most 8).
 *
 * @throws ArgumentError (`INVALID_ARGUMENT`) unless `count` is an integer from 1 to 1024.
 */
export function setThreads(count: number): void {
  threads = checkThreads(count, "setThreads(count)");
  // idle workers beyond the count stay (they cost no CPU and keep no process alive),
  // so switching counts back and forth does not restart them; stopWorkers ends them
}

/** The number of threads that large passes use (see {@link setThreads}). */
export function getThreads(): number {
  return threads;
}

/**
 * Changes how the pool shares memory and how long it waits for a worker (see
 * {@link ThreadOptions}); fields left out keep their value.
 *
 * @throws ArgumentError (`INVALID_ARGUMENT`) for a field of the wrong type or range.
 */
export function setThreadOptions(next: ThreadOptions): void {
  if (typeof next !== "object" || next === null)
    throw new ArgumentError("setThreadOptions", `expected an options object, got ${String(next)}`);
  const { sharedMemory, timeoutMs } = next;
  if (sharedMemory !== undefined && typeof sharedMemory !== "boolean")
    throw new ArgumentError(
      "setThreadOptions",
      `sharedMemory must be true or false, got ${String(sharedMemory)}`,
    );
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs < 0)
  )
    throw new ArgumentError(
      "setThreadOptions",
      `timeoutMs must be a finite number ≥ 0, got ${String(timeoutMs)}`,
    );
  if (sharedMemory !== undefined) options.sharedMemory = sharedMemory;
  if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
}

/**
 * True where passes can share memory with workers and wait for them: a
 * SharedArrayBuffer exists (in a browser, only on cross-origin isolated pages),
 * the pool is allowed to use it, and this thread may block in `Atomics.wait`
 * (a browser's main thread may not).
 */
export function sharedMemoryAvailable(): boolean {
  if (!options.sharedMemory || typeof SharedArrayBuffer === "undefined") return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  if (g.crossOriginIsolated === false) return false;
  return canBlock();
}

let blocking: boolean | undefined;
function canBlock(): boolean {
  if (blocking === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blocking = true;
    } catch {
      blocking = false;
    }
  }
  return blocking;
}

let pool: PoolWorker[] | null = null;

/** Starts workers until the pool has `count`; null when workers are unavailable here. */
function workers(count: number): PoolWorker[] | null {
  pool ??= [];
  while (pool.length < count) {
    const w = spawnWorker();
    if (!w) return pool.length > 0 ? pool.slice(0, count) : null;
    pool.push(w);
  }
  return pool.slice(0, count);
}

/**
 * True while this thread computes its share of a parallel pass: the workers are
 * busy, so a pass nested in that share (a large product inside an MLP block) runs
 * here alone instead of queueing behind them.
 */
let inPass = false;

/**
 * True when a pass of `work` multiply-adds (at least `minWork`) may use workers
 * here: more than one thread, shared memory that this thread can wait on, and
 * not inside a worker of the pool.
 */
export function goesParallel(work: number, minWork: number): boolean {
  return (
    threads >= 2 &&
    work >= minWork &&
    !inPass &&
    !(globalThis as Record<symbol, unknown>)[IN_WORKER] &&
    workersPossible() &&
    sharedMemoryAvailable()
  );
}

/**
 * Starts the workers that a pass of `work` multiply-adds would use (none when the
 * pass would stay on this thread), and returns at once: a worker takes ~30 ms to
 * load, which can overlap other work. The promise, which never rejects, resolves
 * with the number of workers loaded once each has loaded or failed.
 *
 * In a browser, await it before a large synchronous computation: a Web Worker
 * starts only once the thread that created it returns to its event loop, so a
 * pass never waits for one to load, and runs on fewer threads until they have.
 *
 * @example
 * ```ts
 * import { matmul, ones, setThreads, startWorkers } from "@geoml/autodiff";
 * setThreads(2);
 * await startWorkers(512 ** 3); // in a browser: let the Web Worker load first
 * matmul(ones([512, 512]), ones([512, 512])); // on 2 threads
 * ```
 */
export function startWorkers(work: number, minWork = MIN_WORK): Promise<number> {
  const ws = goesParallel(work, minWork) ? workers(threads - 1) : null;
  if (!ws) return Promise.resolve(0);
  return Promise.all(ws.map((w) => w.loaded)).then(
    () => ws.filter((w) => !w.dead && Atomics.load(w.ready, 0) === 1).length,
  );
}

/** Ends every worker of the pool (the next parallel pass starts new ones). */
export function stopWorkers(): Promise<void> {
  const ws = pool ?? [];
  pool = null;
  if (ws.length === 0) return Promise.resolve();
  // idle Node workers are unref'd, and nothing else may keep the event loop alive
  // until they have exited: without this timer a script ending in
  // `await stopWorkers()` can exit first (an unsettled top-level await, exit code 13)
  const alive = setInterval(() => {}, 60_000);
  return Promise.all(ws.map((w) => w.terminate()))
    .then(() => undefined)
    .finally(() => clearInterval(alive));
}

/** The number of worker threads running now (not counting the calling thread). */
export function runningWorkers(): number {
  return (pool ?? []).filter((w) => !w.dead).length;
}

/** True when `a` is a whole SharedArrayBuffer, so workers see the same memory. */
export function isShared(a: ArrayBufferView): boolean {
  return (
    typeof SharedArrayBuffer !== "undefined" &&
    a.buffer instanceof SharedArrayBuffer &&
    a.byteOffset === 0 &&
    a.byteLength === a.buffer.byteLength
  );
}

/** Large typed arrays among the arguments that workers could not share. */
function unshared(args: object): boolean {
  for (const v of Object.values(args))
    if (
      ArrayBuffer.isView(v) &&
      (v as Float64Array).length > SMALL &&
      !(typeof SharedArrayBuffer !== "undefined" && v.buffer instanceof SharedArrayBuffer)
    )
      return true;
  return false;
}

interface Reference {
  module: string;
  name: string;
}

/** The task's functions as references a worker can import, or null if one has no module. */
function references(
  task: RowTask<unknown, Record<string, unknown>>,
): { run: Reference; lib: Record<string, Reference> } | null {
  const ref = (f: ModuleFunction<unknown>) =>
    f.module ? { module: f.module, name: f.name } : null;
  const run = ref(task.run);
  if (!run) return null;
  const lib: Record<string, Reference> = {};
  for (const [k, f] of Object.entries(task.lib)) {
    const r = ref(f as ModuleFunction<unknown>);
    if (!r) return null;
    lib[k] = r;
  }
  return { run, lib };
}

function runHere<A, L extends Record<string, unknown>>(
  task: RowTask<A, L>,
  args: A,
  r0: number,
  r1: number,
  out: Float64Array,
): void {
  const lib = {} as Record<string, unknown>;
  for (const [k, f] of Object.entries(task.lib)) lib[k] = (f as ModuleFunction<unknown>).fn;
  task.run.fn(args, r0, r1, out, lib as L);
}

/**
 * How the last pass ({@link runRows}, or a run of a {@link RowSession}) went: the
 * threads that computed a share of its rows, and the row ranges [r0, r1) that workers
 * computed (the rest ran on this thread).
 */
export const lastPass: { threads: number; workerRanges: [number, number][] } = {
  threads: 1,
  workerRanges: [],
};

let abandoned = 0;

/**
 * How many passes so far may have left a worker writing into their arguments after
 * {@link runRows} returned or threw: a worker that missed the deadline (its rows were
 * computed again here), or workers still running when this thread's share threw. Shared
 * memory that such a pass wrote to must not be handed to other data while the count
 * has moved since it was made (the workers are replaced, but not at once).
 */
export function abandonedPasses(): number {
  return abandoned;
}

/**
 * The rows of the first range of a {@link runRows} over n rows with this `align`,
 * the one the calling thread computes when the pass goes parallel: [0, firstShare).
 */
export function firstShare(n: number, align = 1): number {
  const parts = Math.min(threads, Math.ceil(n / align));
  return parts < 2 ? n : Math.min(n, Math.ceil(n / parts / align) * align);
}

/**
 * Runs `task` over rows [0, n) and returns the sum of the ranges' `out` vectors
 * (length `outLength`, zero-initialised). With several threads allowed, at least
 * `work` ≥ `minWork` multiply-adds, shared memory available, every large array
 * argument shared and every function of the task importable by a worker, the rows
 * are split evenly: the first share runs here, the others on workers. Otherwise
 * everything runs here. Small arguments (≤ 4096 elements) are copied to the
 * workers and must be read-only. The sum over ranges is formed in range order, so
 * the result depends on the number of ranges only, not on which thread computed
 * which range. A worker that fails, dies or misses the deadline (see
 * {@link ThreadOptions}) has its rows computed here; a pass never hangs.
 */
export function runRows<A extends object, L extends Record<string, unknown>>(
  task: RowTask<A, L>,
  args: A,
  n: number,
  outLength: number,
  work: number,
  opts: RunRowsOptions = {},
): Float64Array {
  const refs = references(task as RowTask<unknown, Record<string, unknown>>);
  let out: SharedArrayBuffer | null = null;
  let flag: SharedArrayBuffer | null = null;
  return pass(
    task,
    (opts.here ?? args) as A,
    n,
    outLength,
    work,
    opts,
    refs,
    args,
    (t, w, r0, r1, parts) => {
      // the first post of the pass makes its result and flag memory (shared by the workers)
      out ??= new SharedArrayBuffer(8 * outLength * (parts - 1));
      // flag[0]: finished workers; flag[1 + t]: worker t failed
      flag ??= new SharedArrayBuffer(4 * (parts + 1));
      const f = new Int32Array(flag);
      const result = new Float64Array(out, 8 * outLength * (t - 1), outLength);
      release(w);
      w.post({
        ...refs,
        args,
        r0,
        r1,
        out,
        outOffset: 8 * outLength * (t - 1),
        outLength,
        // the workers follow this thread's SIMD switch (setSimd)
        simd: simdEnabled(),
        part: t,
        flag,
      });
      // every worker of the pass counts itself done in flag[0]: worker t is done once
      // the count is reached (the others finish about together)
      return {
        words: f,
        word: 0,
        finished: (expected) => Atomics.load(f, 0) >= expected,
        failed: () => f[1 + t] !== 0,
        result,
      };
    },
  );
}

/** A worker's share of a pass once handed over: how to learn that it is done, and its result. */
interface Handed {
  /** The word to sleep on while the worker is not done, and its index. */
  words: Int32Array;
  word: number;
  /** True once done; `expected` is the number of workers handed a share in this pass. */
  finished(expected: number): boolean;
  /** The worker's share threw (its rows are run here). */
  failed(): boolean;
  /** Its sums (read once done). */
  result: Float64Array;
}

/**
 * The engine of {@link runRows} and of a session's runs: splits rows [0, n) into
 * ranges, hands range t ≥ 1 to worker t − 1 with `hand` (null: it stays here),
 * computes range 0 here with `local`, waits for the workers (never beyond the
 * deadline), runs the ranges of failed or late workers here and sums the ranges'
 * results in range order.
 */
function pass<A extends object, L extends Record<string, unknown>>(
  task: RowTask<A, L>,
  local: A,
  n: number,
  outLength: number,
  work: number,
  opts: Omit<RunRowsOptions, "here">,
  refs: { run: Reference; lib: Record<string, Reference> } | null,
  shared: object,
  hand: (t: number, w: PoolWorker, r0: number, r1: number, parts: number) => Handed | null,
): Float64Array {
  const acc = new Float64Array(outLength);
  lastPass.threads = 1;
  lastPass.workerRanges = [];
  const align = opts.align ?? 1;
  const parts = Math.min(threads, Math.ceil(n / align));
  const ws =
    parts >= 2 && goesParallel(work, opts.minWork ?? MIN_WORK) && refs && !unshared(shared)
      ? workers(parts - 1)
      : null;
  if (!ws) {
    runHere(task, local, 0, n, acc);
    return acc;
  }
  const step = firstShare(n, align);
  const range = (t: number): [number, number] => [
    Math.min(n, t * step),
    Math.min(n, (t + 1) * step),
  ];
  const handed: (Handed | null)[] = [null];
  for (let t = 1; t < parts; t++) {
    const w = ws[t - 1];
    const { ready } = w;
    // the first pass that needs a Node worker waits up to 5 s for it to load (from the
    // TypeScript sources that can take a second or more); later passes only look,
    // and a worker still loading leaves its rows to this thread. A Web Worker cannot
    // load while this thread blocks, so it is never waited for (see startWorkers).
    if (Atomics.load(ready, 0) !== 1 && !w.waited && !w.dead && w.canWaitForLoad)
      Atomics.wait(ready, 0, 0, 5000);
    w.waited = true;
    const ok = Atomics.load(ready, 0) === 1 && !w.dead;
    handed.push(ok ? hand(t, w, ...range(t), parts) : null);
  }
  const expected = handed.filter((h) => h !== null).length;
  const t0 = performance.now();
  inPass = true;
  try {
    runHere(task, local, 0, range(0)[1], acc);
  } catch (e) {
    if (expected > 0) abandoned++;
    throw e;
  } finally {
    inPass = false;
  }
  // never hang on a worker that died mid-pass: after a generous deadline this thread takes over
  const deadline = performance.now() + Math.max(options.timeoutMs, 50 * (performance.now() - t0));
  let timedOut = false;
  // the workers usually finish about when this thread does: poll a moment before
  // sleeping, since waking a sleeping thread costs more than a short pass saves
  const own = performance.now() - t0;
  const spinEnd = performance.now() + Math.min(SPIN_MAX_MS, Math.max(SPIN_MS, own / 4));
  const pending = () => handed.find((h) => h !== null && !h.finished(expected)) ?? null;
  spinWhile(() => pending() !== null, spinEnd);
  for (let h = pending(); h !== null; h = pending()) {
    const left = deadline - performance.now();
    if (left <= 0) {
      timedOut = true;
      break;
    }
    const seen = Atomics.load(h.words, h.word);
    if (!h.finished(expected)) Atomics.wait(h.words, h.word, seen, left);
  }
  for (let t = 1; t < parts; t++) {
    const h = handed[t];
    let part: Float64Array;
    if (!h || timedOut || h.failed()) {
      // in memory of its own: a worker that timed out may still be writing its slot
      part = new Float64Array(outLength);
      runHere(task, local, ...range(t), part);
    } else {
      part = h.result;
      lastPass.threads++;
      lastPass.workerRanges.push(range(t));
    }
    for (let k = 0; k < outLength; k++) acc[k] += part[k];
  }
  // a worker that died, or took work and never finished it, is replaced next time
  if (timedOut) abandoned++;
  if (timedOut || ws.some((w) => w.dead)) void stopWorkers();
  return acc;
}

/**
 * Asks a worker serving a row session to leave it, so that it reads its message port
 * again: at once when it waits for a job, after the job when it still runs one (of a
 * run whose calling thread's share threw).
 */
function release(w: PoolWorker): void {
  const c = w.session;
  if (!c) return;
  w.session = null;
  for (;;) {
    const was = Atomics.compareExchange(c, STATE, LISTENING, CLOSING);
    if (was === LISTENING) {
      Atomics.notify(c, STATE);
      return;
    }
    // LEFT or CLOSING already; a job in progress is marked so (retried if it just ended)
    if (was !== JOB || Atomics.compareExchange(c, STATE, JOB, CLOSING) === JOB) return;
  }
}

/** Repeated passes of one task with the same arguments: see {@link openRows}. */
export interface RowSession {
  /**
   * What `runRows(task, args, n, outLength, work, opts)` returns, for the task,
   * arguments and length of the session: the same ranges, summed in the same order.
   * A run whose calling thread's share throws closes the session (its workers may
   * still be running that run's rows on the arguments).
   * @throws Error after {@link RowSession.close}; what the task throws on this thread.
   */
  run(n: number, work: number, opts?: Omit<RunRowsOptions, "here">): Float64Array;
  /** Lets the workers go back to other passes (idempotent; they also leave after 0.1 s idle). */
  close(): void;
}

/**
 * Opens a session of passes of `task` over the same `args`, for callers that run
 * many short passes in a row (a minibatch gradient per step): the arguments reach
 * each worker once, and every run hands the workers their row ranges through shared
 * memory, on which they wait between runs, instead of a message each (a message
 * costs the calling thread and the worker tens of microseconds each way, as much as
 * a pass of a few hundred rows saves). Between runs, the caller may change the
 * contents of the shared arrays among `args`; everything else in them is copied
 * once, and must not change. A worker leaves the session when the session is closed,
 * when it has waited 0.1 s for a run, or when another pass needs it; the next run then
 * sends it the arguments again. Results, failures and deadlines are those of
 * {@link runRows}.
 *
 * @example
 * ```ts
 * const session = openRows(task, { x: sharedX }, 1);
 * try {
 *   for (const batch of batches) {
 *     sharedX.set(batch);
 *     const [sum] = session.run(batch.length, batch.length * cost);
 *   }
 * } finally {
 *   session.close();
 * }
 * ```
 */
export function openRows<A extends object, L extends Record<string, unknown>>(
  task: RowTask<A, L>,
  args: A,
  outLength: number,
): RowSession {
  const refs = references(task as RowTask<unknown, Record<string, unknown>>);
  /** Each worker's control words and result memory in this session. */
  const slots = new Map<PoolWorker, { control: Int32Array; result: Float64Array }>();
  let closed = false;
  let jobs = 0;
  const hand = (_t: number, w: PoolWorker, r0: number, r1: number): Handed | null => {
    // workers that died or were stopped are never handed rows again
    for (const old of slots.keys()) if (old.dead) slots.delete(old);
    let slot = slots.get(w);
    if (!slot) {
      slot = {
        control: new Int32Array(new SharedArrayBuffer(4 * WORDS)),
        result: new Float64Array(new SharedArrayBuffer(8 * outLength)),
      };
      slots.set(w, slot);
    }
    const c = slot.control;
    // a worker still finishing a job (of a run that threw) or leaving: its rows here, and
    // no word of the job written while it may still read them
    const state = Atomics.load(c, STATE);
    if (state === JOB || state === CLOSING) return null;
    if (w.session !== c) release(w);
    const job = ++jobs;
    c[R0] = r0;
    c[R1] = r1;
    c[SIMD] = simdEnabled() ? 1 : 0;
    c[SEQ] = job;
    if (Atomics.compareExchange(c, STATE, LISTENING, JOB) === LISTENING) Atomics.notify(c, STATE);
    else {
      // not in the session (yet, or any more: it left while idle): the job goes with
      // the arguments
      Atomics.store(c, STATE, JOB);
      w.post({
        session: true,
        ...refs,
        args,
        control: c.buffer,
        out: slot.result.buffer,
        outLength,
      });
    }
    w.session = c;
    return {
      words: c,
      word: DONE,
      finished: () => Atomics.load(c, DONE) === job,
      failed: () => c[FAILED] !== 0,
      result: slot.result,
    };
  };
  return {
    run(n, work, opts = {}) {
      if (closed) throw new Error("RowSession.run: the session is closed");
      try {
        return pass(task, args, n, outLength, work, opts, refs, args, hand);
      } catch (e) {
        // the workers may still be running this run's ranges on the arguments, which
        // the caller would change for the next run: the session ends here
        this.close();
        throw e;
      }
    },
    close() {
      closed = true;
      for (const [w, { control }] of slots) if (w.session === control) release(w);
      slots.clear();
    },
  };
}

/**
 * A zero-filled Float64Array in shared memory, so that passes over it can go
 * parallel; plain memory where shared memory is unavailable (see {@link ThreadOptions}).
 */
export function sharedFloat64(length: number): Float64Array {
  return options.sharedMemory && typeof SharedArrayBuffer !== "undefined"
    ? new Float64Array(new SharedArrayBuffer(length * 8))
    : new Float64Array(length);
}

/** As {@link sharedFloat64} for float32. */
export function sharedFloat32(length: number): Float32Array {
  return options.sharedMemory && typeof SharedArrayBuffer !== "undefined"
    ? new Float32Array(new SharedArrayBuffer(length * 4))
    : new Float32Array(length);
}
