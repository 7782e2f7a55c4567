/**
 * Design matrices that live in the memory of the cross-product kernels. A large
 * design is allocated inside a shared WebAssembly memory, after the kernels'
 * scratch space and followed by room for the working response, so that the calling
 * thread's IRLS passes read its columns where they are instead of copying every
 * block into the kernels' memory first (a quarter of a pass's time). Worker threads
 * see the same memory as a SharedArrayBuffer and copy their blocks as before.
 */
import { sharedFloat64, simdEnabled } from "@geoml/autodiff";
import { newSharedMemory, type WasmMemory } from "@geoml/autodiff/wasm";
import type { WasmRowKernel } from "@geoml/losses";
import { createSimdKernels, type SimdKernels } from "./simd.js";

/** Rows per block of the cross-product: a block of every column (≤ ~40) stays in L2 cache. */
export const BLOCK = 512;

/** Float64 slots of the cross-product's scratch space for p columns (see `crossprodRange`). */
export function scratchFloats(p: number): number {
  const q = p + 1;
  const qe = q + (q & 1);
  // wx and cx, W, the sums, β, η, the score tiles, and a row kernel's y, w, offset, μ
  return 2 * qe * BLOCK + BLOCK + qe * qe + qe + BLOCK + 2 * qe + 4 * BLOCK;
}

/** Smallest design (rows × columns) worth a memory of its own. */
const MIN_VALUES = 1 << 16;

interface Placed {
  memory: WasmMemory;
  n: number;
  p: number;
  /** Byte offset of the design in the memory. */
  at: number;
  /** Kernel instances on this memory, by row kernel and flag. */
  kernels: Map<string, SimdKernels | null>;
}

/** The memories of the designs made by {@link designMatrix}, by their buffer. */
const placed = new WeakMap<ArrayBufferLike, Placed>();

/**
 * A zeroed column-major n×p matrix in shared memory (worker threads read it in
 * place): for a large design with the SIMD kernels on, inside a WebAssembly memory
 * that the calling thread's kernels work in (see {@link placedKernels}).
 */
export function designMatrix(n: number, p: number): Float64Array {
  if (simdEnabled() && n * p >= MIN_VALUES) {
    const q = p + 1;
    const qe = q + (q & 1);
    const at = Math.ceil((scratchFloats(p) * 8) / 16) * 16;
    // the design, then the working response (column p) and a zero column for an odd
    // q, and two zeros: an odd last block reads one row past its columns
    const bytes = at + (qe * n + 2) * 8;
    const memory = newSharedMemory(Math.ceil(bytes / 65536));
    if (memory) {
      placed.set(memory.buffer, { memory, n, p, at, kernels: new Map() });
      return new Float64Array(memory.buffer, at, n * p);
    }
  }
  return sharedFloat64(n * p);
}

/** Where the calling thread's kernels find a design in place. */
export interface PlacedKernels {
  kernels: SimdKernels;
  /** Byte offset of column 0, row 0. */
  at: number;
}

/**
 * Kernels (with a family's row kernel, when given) that work on the memory holding
 * `x`, the whole n×p design made by {@link designMatrix}; null for any other array,
 * on worker threads, or with the SIMD kernels off.
 */
export function placedKernels(
  x: Float64Array,
  n: number,
  p: number,
  rows?: WasmRowKernel | null,
  flag = 0,
): PlacedKernels | null {
  if (!simdEnabled()) return null;
  const entry = placed.get(x.buffer);
  if (!entry || entry.n !== n || entry.p !== p || x.byteOffset !== entry.at || x.length !== n * p)
    return null;
  const key = rows ? `${rows.name}#${flag}` : "";
  let k = entry.kernels.get(key);
  if (k === undefined) {
    k = createSimdKernels(rows?.build(flag), entry.memory);
    entry.kernels.set(key, k);
  }
  return k ? { kernels: k, at: entry.at } : null;
}
