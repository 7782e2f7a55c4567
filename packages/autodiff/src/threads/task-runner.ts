/**
 * What every pool worker does, whichever kind of thread it is (a Node worker
 * thread or a browser's Web Worker): import each task's module by URL (once, then
 * cached), run the exported function over the rows it is sent, and flag completion
 * in shared memory for the blocked calling thread. Imports nothing platform-specific.
 */
import { setSimd } from "../kernels/wasm/instance.js";
import { IN_WORKER } from "./pool.js";
import {
  CLOSING,
  DONE,
  FAILED,
  JOB,
  LEFT,
  LISTENING,
  R0,
  R1,
  SEQ,
  SIMD,
  STATE,
} from "./session-words.js";
import { spinWhile } from "./spin.js";

/** A function a worker imports: module URL and export name. */
export interface Reference {
  module: string;
  name: string;
}

/** One task as the calling thread posts it (see `runRows` in pool.ts). */
export interface TaskMessage {
  run: Reference;
  lib: Record<string, Reference>;
  args: unknown;
  r0: number;
  r1: number;
  out: SharedArrayBuffer;
  outOffset: number;
  outLength: number;
  /** The calling thread's SIMD switch. */
  simd: boolean;
  part: number;
  flag: SharedArrayBuffer;
}

/**
 * A row session as the calling thread opens it (see `openRows` in pool.ts): the task
 * and its arguments, sent once; the row ranges of its runs come through `control`
 * (words of session-words.ts), the results go to `out`.
 */
export interface SessionMessage {
  session: true;
  run: Reference;
  lib: Record<string, Reference>;
  args: unknown;
  control: SharedArrayBuffer;
  out: SharedArrayBuffer;
  outLength: number;
}

/** What a pool worker is sent after it has loaded. */
export type PoolMessage = TaskMessage | SessionMessage;

/**
 * How long a worker in a session polls the state word for the next job before it
 * sleeps on it: runs come back to back (one per minibatch), separated by the calling
 * thread's own work between them, and waking a sleeping thread costs tens of
 * microseconds, as much as a small job saves.
 */
const SESSION_SPIN_MS = 0.5;
/** How long a worker sleeps in a session without a job before it leaves it. */
const SESSION_IDLE_MS = 100;

/** Marks this thread as a pool worker: passes run from here stay on this thread. */
export function markPoolWorker(): void {
  (globalThis as Record<symbol, unknown>)[IN_WORKER] = true;
}

const loaded = new Map<string, unknown>();

/**
 * What module `ref.module` exports as `ref.name`: the task's function, or a value
 * the task is parametrised by (a kernel's description, say).
 */
async function load(ref: Reference): Promise<unknown> {
  const key = `${ref.module}#${ref.name}`;
  if (!loaded.has(key)) {
    const mod = (await import(ref.module)) as Record<string, unknown>;
    if (!(ref.name in mod)) throw new TypeError(`${ref.module} exports nothing named ${ref.name}`);
    loaded.set(key, mod[ref.name]);
  }
  return loaded.get(key);
}

/** Runs one task and flags its completion (or failure) for the calling thread. */
export async function execute(m: PoolMessage): Promise<void> {
  if ("session" in m) return serveSession(m);
  const flag = new Int32Array(m.flag);
  try {
    const run = (await load(m.run)) as (...a: unknown[]) => void;
    const lib: Record<string, unknown> = {};
    for (const [k, ref] of Object.entries(m.lib)) lib[k] = await load(ref);
    const out = new Float64Array(m.out, m.outOffset, m.outLength);
    setSimd(m.simd);
    run(m.args, m.r0, m.r1, out, lib);
  } catch {
    // the calling thread redoes these rows
    Atomics.store(flag, 1 + m.part, 1);
  }
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}

/** Sets the shared "loaded" flag the calling thread may be blocked on. */
export function flagReady(ready: SharedArrayBuffer): void {
  const r = new Int32Array(ready);
  Atomics.store(r, 0, 1);
  Atomics.notify(r, 0);
}

/**
 * Serves a row session until the calling thread closes it or leaves it idle for
 * {@link SESSION_IDLE_MS}: runs each job posted in the control words, with the
 * session's arguments, and counts it done. The calling thread set the state to
 * {@link JOB} before it sent the session, so its first job runs at once.
 */
async function serveSession(m: SessionMessage): Promise<void> {
  const c = new Int32Array(m.control);
  const out = new Float64Array(m.out, 0, m.outLength);
  let run: ((...a: unknown[]) => void) | null = null;
  const lib: Record<string, unknown> = {};
  try {
    run = (await load(m.run)) as (...a: unknown[]) => void;
    for (const [k, ref] of Object.entries(m.lib)) lib[k] = await load(ref);
  } catch {
    run = null;
  }
  for (;;) {
    const state = Atomics.load(c, STATE);
    if (state === JOB) {
      const job = c[SEQ];
      const r0 = c[R0];
      const r1 = c[R1];
      let failed = 0;
      try {
        if (!run) throw new Error("the session's task did not load");
        out.fill(0);
        setSimd(c[SIMD] === 1);
        run(m.args, r0, r1, out, lib);
      } catch {
        failed = 1;
      }
      Atomics.store(c, FAILED, failed);
      // listening again before the job counts as done, so the next one can be posted,
      // unless the calling thread asked this worker to leave meanwhile (CLOSING stays)
      Atomics.compareExchange(c, STATE, JOB, run ? LISTENING : CLOSING);
      Atomics.store(c, DONE, job);
      Atomics.notify(c, DONE);
      continue;
    }
    if (state !== LISTENING) {
      // CLOSING: back to the message port
      Atomics.store(c, STATE, LEFT);
      return;
    }
    const spinEnd = performance.now() + SESSION_SPIN_MS;
    spinWhile(() => Atomics.load(c, STATE) === LISTENING, spinEnd);
    if (Atomics.load(c, STATE) !== LISTENING) continue;
    // idle for long: leave, unless a job arrives at this very moment
    if (
      Atomics.wait(c, STATE, LISTENING, SESSION_IDLE_MS) === "timed-out" &&
      Atomics.compareExchange(c, STATE, LISTENING, LEFT) === LISTENING
    )
      return;
  }
}
