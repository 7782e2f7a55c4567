/**
 * What every pool worker does, whichever kind of thread it is (a Node worker
 * thread or a browser's Web Worker): import each task's module by URL (once, then
 * cached), run the exported function over the rows it is sent, and flag completion
 * in shared memory for the blocked calling thread. Imports nothing platform-specific.
 */
import { setSimd } from "../kernels/wasm/instance.js";
import { IN_WORKER } from "./pool.js";

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
export async function execute(m: TaskMessage): Promise<void> {
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
