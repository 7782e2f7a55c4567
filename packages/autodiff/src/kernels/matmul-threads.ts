/**
 * Large matrix products on several threads: the rows of C are split across the
 * pool (see threads/pool.ts) in multiples of the kernel's 4-row panels.
 *
 * With the SIMD kernels, the product runs in one shared WebAssembly memory that every
 * thread's kernels work in: the calling thread copies B there and packs it into panels
 * once, copies the workers' rows of A, and hands the rows out; each thread then packs
 * its own rows of A beside the others' and writes its rows of C, which the calling
 * thread copies back (its own as soon as they are done); A stored transposed is copied
 * whole before the rows are handed out. Without SIMD (or for a one-column product), B
 * and the workers' rows of A are copied into shared memory and each thread runs the
 * serial kernel on its rows. Either way every element of C is computed by exactly the
 * same operations whichever thread computes it, so the product does not depend on the
 * thread count.
 */
import type { Storage } from "../dtype.js";
import {
  firstShare,
  getThreads,
  goesParallel,
  lastPass,
  type RowTask,
  runRows,
} from "../threads/pool.js";
import {
  compile,
  fusedMultiplyAdd,
  instantiateModule,
  newSharedMemory,
  simdEnabled,
  type WasmMemory,
  type WasmModule,
} from "./wasm/instance.js";
import { type Kernel, matmulModuleBytes, type Pack } from "./wasm-matmul.js";

/**
 * Fewest multiply-adds (m·k·n) for which a product goes to several threads: below
 * this, waking the workers, handing out the rows and copying the operands into
 * shared memory cost about as much as the threads save. Measured on 2 cores: 256³
 * (2²⁴) ran slower on two threads, 512³ 1.4–1.5× faster.
 */
export const MATMUL_THREAD_MIN_WORK = 2 ** 25;

/** What each thread gets: op(A) rows, B as stored and C, all in shared memory. */
export interface MatmulRowsArgs {
  /** op(A), row-major m×k, shared. */
  a: Storage;
  /** B as stored: k×n, or n×k with `tb`; shared. */
  b: Storage;
  /** C, row-major m×n, shared. */
  c: Storage;
  k: number;
  n: number;
  tb: boolean;
}

/** Shared scratch reused across products (dropped when a worker may still write to it). */
let scratch: SharedArrayBuffer | null = null;
/** Scratch above this size is released after the product that needed it. */
const KEEP_BYTES = 64 * 2 ** 20;

function sharedScratch(bytes: number): SharedArrayBuffer | null {
  if (typeof SharedArrayBuffer === "undefined") return null;
  if (scratch === null || scratch.byteLength < bytes) {
    try {
      scratch = new SharedArrayBuffer(bytes);
    } catch {
      return null;
    }
  }
  return scratch;
}

/**
 * C = op(A)·op(B) for one matrix pair on several threads, when the product is
 * large enough and the pool can run here. A (at `ao`, m×k, or k×m stored with
 * `ta`), B (at `bo`) and C (at `co`) as in `matmulKernel`. Returns false, having
 * done nothing, when the product should stay on this thread. `kernels` live beside the
 * serial kernel, in matmul.ts.
 */
export function matmulThreaded(
  kernels: ThreadKernels,
  a: Storage,
  b: Storage,
  c: Storage,
  ao: number,
  bo: number,
  co: number,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
): boolean {
  const threads = getThreads();
  if (m < 8 || !goesParallel(m * k * n, MATMUL_THREAD_MIN_WORK)) return false;
  if (
    simdEnabled() &&
    n > 1 &&
    inSharedMemory(kernels.serial, a, b, c, ao, bo, co, m, k, n, ta, tb, threads)
  )
    return true;
  const f32 = a instanceof Float32Array;
  const es = f32 ? 4 : 8;
  const buf = sharedScratch(es * (m * k + k * n + m * n));
  if (buf === null) return false;
  const view = (offset: number, length: number): Storage =>
    f32 ? new Float32Array(buf, es * offset, length) : new Float64Array(buf, es * offset, length);
  const as = view(0, m * k);
  const bs = view(m * k, k * n);
  const cs = view(m * k + k * n, m * n);
  // this thread's rows [0, mine) are computed from the caller's arrays straight into C:
  // only the workers' rows of A go to shared memory, and only theirs of C come back
  const mine = firstShare(m, 4);
  if (ta) {
    // stored k×m: write op(A) row-major, so each thread reads its rows contiguously;
    // in 32×32 tiles, so that both sides stay in cache. All of it: this thread reads
    // its rows from here too
    for (let p0 = 0; p0 < k; p0 += 32)
      for (let i0 = 0; i0 < m; i0 += 32) {
        const p1 = Math.min(k, p0 + 32);
        const i1 = Math.min(m, i0 + 32);
        for (let p = p0; p < p1; p++) {
          const src = ao + p * m;
          for (let i = i0; i < i1; i++) as[i * k + p] = a[src + i];
        }
      }
  } else as.set(a.subarray(ao + mine * k, ao + m * k), mine * k);
  bs.set(b.subarray(bo, bo + k * n));
  const here: MatmulRowsArgs = {
    a: ta ? as : a.subarray(ao, ao + m * k),
    b: b.subarray(bo, bo + k * n),
    c: c.subarray(co, co + m * n),
    k,
    n,
    tb,
  };
  runRows(kernels.rows, { a: as, b: bs, c: cs, k, n, tb }, m, 0, m * k * n, {
    minWork: MATMUL_THREAD_MIN_WORK,
    align: 4,
    here,
  });
  for (const [r0, r1] of lastPass.workerRanges) c.set(cs.subarray(r0 * n, r1 * n), co + r0 * n);
  // a worker that missed the deadline may still write into the scratch later
  if (lastPass.threads < Math.min(threads, Math.ceil(m / 4)) || buf.byteLength > KEEP_BYTES)
    scratch = null;
  return true;
}

/** The serial kernel's entry points that the threaded products use. */
export interface ThreadKernels {
  /** Rows of C on one thread, from operands in shared memory (the fallback's task). */
  rows: RowTask<MatmulRowsArgs, Record<string, never>>;
  /** A whole product on the calling thread, in its own memory. */
  serial: SerialProduct;
}

/** A whole product on the calling thread, in its own memory (`matmulSerial`). */
export type SerialProduct = (
  a: Storage,
  b: Storage,
  c: Storage,
  batch: number,
  m: number,
  k: number,
  n: number,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
  ta: boolean,
  tb: boolean,
) => void;

/**
 * What each thread gets of a product in shared WebAssembly memory: the memory, the
 * compiled kernels and byte offsets of the layout that {@link inSharedMemory} sets up.
 */
export interface SharedRowsArgs {
  memory: WasmMemory;
  module: WasmModule;
  /** Tells memories apart: a thread keeps its kernels for the memory it last worked in. */
  id: number;
  /** Keep the kernels (and so the memory) after the rows are done. */
  keep: boolean;
  f32: boolean;
  ta: boolean;
  m: number;
  k: number;
  n: number;
  /** n rounded up to whole tiles: C's row length in the memory. */
  np: number;
  /** op(A) as stored: row-major m×k, or k×m with `ta`. */
  rawA: number;
  /** A packed into row panels of 4, each thread's rows at their own place. */
  aPtr: number;
  /** B packed into column panels. */
  bPtr: number;
  /** C, mp×np row-major. */
  cPtr: number;
  /** The calling thread's arguments only: its own arrays, read and written there. */
  caller: CallerArrays | null;
}

interface CallerArrays {
  a: Storage;
  b: Storage;
  c: Storage;
  ao: number;
  bo: number;
  co: number;
  tb: boolean;
  serial: SerialProduct;
}

interface SharedKernels {
  mm: Kernel;
  pack: Pack;
}

/**
 * This thread's kernels for the memory it last worked in, float32 and float64. They
 * keep that memory alive: on a worker, a memory of at most KEEP_BYTES that the calling
 * thread has since let go stays until the worker's next product in shared memory (a
 * larger one is let go after each product, see `keep`).
 */
let kernels: { id: number; f32: SharedKernels; f64: SharedKernels } | null = null;

function kernelsFor(args: SharedRowsArgs): SharedKernels {
  if (kernels?.id !== args.id) {
    const ex = instantiateModule(args.module, { env: { mem: args.memory } });
    if (ex === null)
      throw new Error("matmul: the kernels could not be instantiated on shared memory");
    kernels = {
      id: args.id,
      f32: { mm: ex.mm32 as Kernel, pack: ex.pack32 as Pack },
      f64: { mm: ex.mm64 as Kernel, pack: ex.pack64 as Pack },
    };
  }
  // one memory serves products of either type
  return args.f32 ? kernels.f32 : kernels.f64;
}

/**
 * Rows [r0, r1) of C in the shared memory of {@link SharedRowsArgs}: this thread packs
 * its rows of A (the calling thread first copies them from its own array) and runs the
 * kernel on the panels of B packed there; the calling thread then copies the rows into
 * its C. Rows of a worker that the calling thread takes over (the worker failed or is
 * late) are computed in the calling thread's own memory instead, which a late worker
 * cannot write to. Exported: worker threads import it.
 */
export function sharedRows(args: SharedRowsArgs, r0: number, r1: number): void {
  if (r1 <= r0) return;
  const { f32, ta, m, k, n, np, caller } = args;
  const rows = r1 - r0;
  if (caller && r0 > 0) {
    takeOver(args, caller, r0, r1);
    return;
  }
  const es = f32 ? 4 : 8;
  if (caller && !ta)
    heapOf(args.memory, f32).set(
      caller.a.subarray(caller.ao + r0 * k, caller.ao + r1 * k),
      args.rawA / es + r0 * k,
    );
  const { mm, pack } = kernelsFor(args);
  const panels = Math.ceil(rows / 4) * 4;
  const dst = args.aPtr + r0 * k * es;
  if (ta) pack(args.rawA + r0 * es, dst, rows, panels, 4, k, es, m * es);
  else pack(args.rawA + r0 * k * es, dst, rows, panels, 4, k, k * es, es);
  mm(dst, args.bPtr, args.cPtr + r0 * np * es, panels, np, k, k * es, 4 * es, es, k * es, 32);
  if (caller)
    copyRows(heapOf(args.memory, f32), args.cPtr / es, np, caller.c, caller.co, n, r0, r1);
  if (!args.keep) kernels = null;
}

/** A worker's rows computed on the calling thread, from its own arrays, in its own memory. */
function takeOver(args: SharedRowsArgs, own: CallerArrays, r0: number, r1: number): void {
  const { k, n, m, ta } = args;
  const rows = r1 - r0;
  let a = own.a;
  let ao = own.ao + r0 * k;
  if (ta) {
    // op(A)'s rows are columns of the stored k×m: gather them row-major
    const t = a instanceof Float32Array ? new Float32Array(rows * k) : new Float64Array(rows * k);
    for (let p = 0; p < k; p++) {
      const src = own.ao + p * m + r0;
      for (let i = 0; i < rows; i++) t[i * k + p] = a[src + i];
    }
    a = t;
    ao = 0;
  }
  const c = own.c.subarray(own.co + r0 * n, own.co + r1 * n);
  own.serial(a, own.b, c, 1, rows, k, n, Int32Array.of(ao), Int32Array.of(own.bo), false, own.tb);
}

/** C's rows [r0, r1) from the memory's C (row length np) into c at co (row length n). */
function copyRows(
  heap: Storage,
  at: number,
  np: number,
  c: Storage,
  co: number,
  n: number,
  r0: number,
  r1: number,
): void {
  if (np === n) c.set(heap.subarray(at + r0 * n, at + r1 * n), co + r0 * n);
  else for (let i = r0; i < r1; i++) c.set(heap.subarray(at + i * np, at + i * np + n), co + i * n);
}

/**
 * A view of the memory for this product, made each time: a cached one would keep a
 * memory that was let go alive.
 */
function heapOf(memory: WasmMemory, f32: boolean): Float32Array | Float64Array {
  return f32 ? new Float32Array(memory.buffer) : new Float64Array(memory.buffer);
}

const sharedTask: RowTask<SharedRowsArgs, Record<string, never>> = {
  run: { module: import.meta.url, name: "sharedRows", fn: sharedRows },
  lib: {},
};

/** The kernels compiled for a shared memory (once), or null where they cannot be had. */
let sharedModule: WasmModule | null | undefined;

/** The memory products run in, kept for the next product of at most its size. */
let arena: { memory: WasmMemory; id: number } | null = null;
let arenas = 0;

/** `x` rounded up to a multiple of 16 (bytes: SIMD loads and stores stay aligned). */
export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

/**
 * The product in one shared WebAssembly memory (see the top of this file); false,
 * having done nothing, where that memory or its kernels cannot be had.
 */
function inSharedMemory(
  serial: SerialProduct,
  a: Storage,
  b: Storage,
  c: Storage,
  ao: number,
  bo: number,
  co: number,
  m: number,
  k: number,
  n: number,
  ta: boolean,
  tb: boolean,
  threads: number,
): boolean {
  sharedModule ??= compile(matmulModuleBytes(fusedMultiplyAdd(), true));
  if (sharedModule === null) return false;
  const f32 = a instanceof Float32Array;
  const es = f32 ? 4 : 8;
  const tn = 32 / es;
  const mp = Math.ceil(m / 4) * 4;
  const np = Math.ceil(n / tn) * tn;
  // [B packed | B as stored | A as stored | A packed | C], 16-byte aligned
  const bPtr = 0;
  const rawB = align16(k * np * es);
  const rawA = align16(rawB + k * n * es);
  const aPtr = align16(rawA + (m * k + 4) * es);
  const cPtr = align16(aPtr + mp * k * es);
  const bytes = cPtr + mp * np * es;
  if (arena === null || arena.memory.buffer.byteLength < bytes) {
    arena = null;
    kernels = null;
    const pages = Math.ceil(bytes / 65536);
    const memory = pages <= 65536 ? newSharedMemory(pages) : null;
    if (memory === null) return false;
    arena = { memory, id: ++arenas };
  }
  const { memory, id } = arena;
  const args: SharedRowsArgs = {
    memory,
    module: sharedModule,
    id,
    keep: memory.buffer.byteLength <= KEEP_BYTES,
    f32,
    ta,
    m,
    k,
    n,
    np,
    rawA,
    aPtr,
    bPtr,
    cPtr,
    caller: null,
  };
  const heap = heapOf(memory, f32);
  let pack: Pack;
  try {
    pack = kernelsFor(args).pack;
  } catch {
    // an engine that will not instantiate on this memory: the shared-array path
    arena = null;
    kernels = null;
    return false;
  }
  heap.set(b.subarray(bo, bo + k * n), rawB / es);
  // X[j, p] = B[p, j]: stored n×k when tb, else k×n
  if (tb) pack(rawB, bPtr, n, np, tn, k, k * es, es);
  else pack(rawB, bPtr, n, np, tn, k, es, n * es);
  // the workers' rows of A; the calling thread copies its own once they have theirs.
  // Stored k×m, every thread's rows are spread over the whole of A
  const mine = firstShare(m, 4);
  if (ta) heap.set(a.subarray(ao, ao + m * k), rawA / es);
  else heap.set(a.subarray(ao + mine * k, ao + m * k), rawA / es + mine * k);
  let done = false;
  try {
    runRows(sharedTask, args, m, 0, m * k * n, {
      minWork: MATMUL_THREAD_MIN_WORK,
      align: 4,
      here: { ...args, caller: { a, b, c, ao, bo, co, tb, serial } },
    });
    for (const [r0, r1] of lastPass.workerRanges) copyRows(heap, cPtr / es, np, c, co, n, r0, r1);
    done = true;
  } finally {
    // a worker that missed the deadline, or still ran when this thread's share threw,
    // may write into the memory later: the next product gets another
    if (!done || lastPass.threads < Math.min(threads, Math.ceil(m / 4)) || !args.keep) {
      arena = null;
      kernels = null;
    }
  }
  return true;
}
