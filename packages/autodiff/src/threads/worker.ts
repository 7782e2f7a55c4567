/**
 * A worker thread of the pool (see `pool.ts`): it imports each task's module by
 * URL (once, then cached), runs the exported function over the rows it is sent,
 * and flags completion in shared memory for the blocked calling thread.
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { setSimd } from "../kernels/wasm/instance.js";
import { IN_WORKER } from "./pool.js";

interface Reference {
  module: string;
  name: string;
}

interface Message {
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

// passes run from here stay on this thread
(globalThis as Record<symbol, unknown>)[IN_WORKER] = true;
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
async function execute(m: Message): Promise<void> {
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

/**
 * How long a worker keeps polling for the next task after one ends. Passes often
 * come back to back (one per minibatch, one per product); a thread that went to
 * sleep takes a fraction of a millisecond to wake up, more in a virtual machine,
 * which would eat the gain of splitting a small pass.
 */
const POLL_MS = 2;

/** The next task if one arrives within {@link POLL_MS}, else undefined. */
function poll(): Message | undefined {
  if (!parentPort) return undefined;
  const end = performance.now() + POLL_MS;
  do {
    const got = receiveMessageOnPort(parentPort);
    if (got) return got.message as Message;
  } while (performance.now() < end);
  return undefined;
}

async function serve(first: Message): Promise<void> {
  for (let m: Message | undefined = first; m !== undefined; m = poll()) await execute(m);
}

parentPort?.on("message", (m: Message) => {
  void serve(m);
});

const ready = new Int32Array((workerData as { ready: SharedArrayBuffer }).ready);
Atomics.store(ready, 0, 1);
Atomics.notify(ready, 0);
