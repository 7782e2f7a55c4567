/**
 * Design matrices that live in the memory of the cross-product kernels. A large
 * design is allocated inside a shared WebAssembly memory, after the kernels'
 * scratch space and followed by room for the working response, so that the calling
 * thread's IRLS passes read its columns where they are instead of copying every
 * block into the kernels' memory first (a quarter of a pass's time). Worker threads
 * are handed the memory with each pass and read it in place too, each in scratch
 * space of its own.
 */
import { getThreads, sharedFloat64, simdEnabled } from "@geoml/autodiff";
import { newSharedMemory, type WasmMemory } from "@geoml/autodiff/wasm";
import type { WasmRowKernel } from "@geoml/losses";
import { createSimdKernels, type SimdKernels } from "./simd.js";

/** Rows per block of the cross-product: a block of every column (≤ ~40) stays in L2 cache. */
export const BLOCK = 512;

/**
 * The cross-product's scratch space for p columns, as float64 slots (see
 * `crossprodRange`): wx = w ⊙ column and cx = column for qe (p + 1 rounded up to even)
 * columns of a block, the block's weights W, the (qe×qe) sums, β, the block's η, the
 * score tiles, a row kernel's y, prior weights, offset and μ; `size` slots in all.
 */
export function scratchLayout(p: number) {
  const q = p + 1;
  const qe = q + (q & 1);
  const cxAt = qe * BLOCK;
  const wbAt = 2 * qe * BLOCK;
  const sumsAt = wbAt + BLOCK;
  const betaAt = sumsAt + qe * qe;
  const etaAt = betaAt + qe;
  const scoreAt = etaAt + BLOCK;
  const yAt = scoreAt + 2 * qe;
  const priorAt = yAt + BLOCK;
  const offsetAt = priorAt + BLOCK;
  const muAt = offsetAt + BLOCK;
  return {
    qe,
    cxAt,
    wbAt,
    sumsAt,
    betaAt,
    etaAt,
    scoreAt,
    yAt,
    priorAt,
    offsetAt,
    muAt,
    size: muAt + BLOCK,
  };
}

/** Smallest design (rows × columns) worth a memory of its own. */
const MIN_VALUES = 1 << 16;
/** Most threads that get scratch space of their own in a design's memory. */
const MAX_SLOTS = 8;
/**
 * The memory's header: at byte 0 the count of scratch slots taken (i32, taken with
 * Atomics.add by each thread on first use), at 4 the count of slots, at 8 an id.
 */
const HEADER = 16;

/** The geometry of a design's memory, from its header and the design's shape. */
interface Layout {
  n: number;
  p: number;
  slots: number;
  slotBytes: number;
  /** Byte offset of the design. */
  at: number;
}

function layout(n: number, p: number, slots: number): Layout {
  const slotBytes = Math.ceil((scratchLayout(p).size * 8) / 16) * 16;
  return { n, p, slots, slotBytes, at: HEADER + slots * slotBytes };
}

/** A thread's view of a design's memory: its scratch slot and its kernel instances. */
interface Placed extends Layout {
  memory: WasmMemory;
  /** Byte offset of this thread's scratch space; null if every slot was taken. */
  base: number | null;
  /** Kernel instances on this memory, by row kernel and flag. */
  kernels: Map<string, SimdKernels | null>;
}

/** The calling thread's designs made by {@link designMatrix}, by their buffer. */
const placed = new WeakMap<ArrayBufferLike, Placed>();
/** On a worker thread: the design it last worked on (one at a time, so none is kept alive). */
let adopted: { id: number; entry: Placed } | null = null;
let nextId = 1;

/**
 * A zeroed column-major n×p matrix in shared memory (worker threads read it in
 * place): for a large design with the SIMD kernels on, inside a WebAssembly memory
 * with scratch space for the cross-product kernels of each thread (see
 * {@link placedKernels}).
 */
export function designMatrix(n: number, p: number): Float64Array {
  if (simdEnabled() && n * p >= MIN_VALUES) {
    const q = p + 1;
    const qe = q + (q & 1);
    const g = layout(n, p, Math.max(1, Math.min(getThreads(), MAX_SLOTS)));
    // the design, then the working response (column p) and a zero column for an odd
    // q, and two zeros: an odd last block reads one row past its columns
    const bytes = g.at + (qe * n + 2) * 8;
    const memory = newSharedMemory(Math.ceil(bytes / 65536));
    if (memory) {
      const head = new Int32Array(memory.buffer, 0, 2);
      head[1] = g.slots;
      // ids tell a worker's designs apart: this thread's counter, and a random part
      // for designs of different threads
      new Float64Array(memory.buffer, 8, 1)[0] = nextId++ + Math.random();
      placed.set(memory.buffer, { ...g, memory, base: null, kernels: new Map() });
      return new Float64Array(memory.buffer, g.at, n * p);
    }
  }
  return sharedFloat64(n * p);
}

/**
 * The WebAssembly memory holding `x` when {@link designMatrix} made it on this thread
 * (handed to worker threads with a pass, so they read the design in place too).
 */
export function designMemory(x: Float64Array): WasmMemory | null {
  return placed.get(x.buffer)?.memory ?? null;
}

/** Where a thread's kernels find a design in place. */
export interface PlacedKernels {
  kernels: SimdKernels;
  /** Byte offset of column 0, row 0. */
  at: number;
  /** Byte offset of the thread's scratch space. */
  base: number;
}

/**
 * This thread's view of the memory holding x (an n×p design), adopting `memory` on a
 * worker thread.
 */
function entryOf(
  x: Float64Array,
  n: number,
  p: number,
  memory: WasmMemory | null | undefined,
): Placed | null {
  const own = placed.get(x.buffer);
  if (own) return own;
  if (!memory) return null;
  const id = new Float64Array(memory.buffer, 8, 1)[0];
  if (adopted?.id !== id) {
    const g = layout(n, p, new Int32Array(memory.buffer, 0, 2)[1]);
    adopted = { id, entry: { ...g, memory, base: null, kernels: new Map() } };
  }
  return adopted.entry;
}

/**
 * Kernels (with a family's row kernel, when given) that work on the memory holding
 * `x`, the whole n×p design made by {@link designMatrix}, in this thread's scratch
 * space there; null for any other array, when every slot is taken, or with the SIMD
 * kernels off. Worker threads pass the `memory` they were given with the pass.
 */
export function placedKernels(
  x: Float64Array,
  n: number,
  p: number,
  rows?: WasmRowKernel | null,
  flag = 0,
  memory?: WasmMemory | null,
): PlacedKernels | null {
  if (!simdEnabled()) return null;
  const entry = entryOf(x, n, p, memory);
  if (!entry) return null;
  if (entry.n !== n || entry.p !== p || x.byteOffset !== entry.at || x.length !== n * p)
    return null;
  if (entry.base === null) {
    const slot = Atomics.add(new Int32Array(entry.memory.buffer, 0, 1), 0, 1);
    if (slot >= entry.slots) return null;
    entry.base = HEADER + slot * entry.slotBytes;
  }
  const key = rows ? `${rows.name}#${flag}` : "";
  let k = entry.kernels.get(key);
  if (k === undefined) {
    k = createSimdKernels({ a: BLOCK * 8, b: n * 8 }, rows?.build(flag), entry.memory);
    entry.kernels.set(key, k);
  }
  return k ? { kernels: k, at: entry.at, base: entry.base } : null;
}

/** @internal How many threads have taken scratch space in the memory holding x. */
export function slotsTaken(x: Float64Array): number {
  return placed.has(x.buffer) ? Atomics.load(new Int32Array(x.buffer, 0, 1), 0) : 0;
}
