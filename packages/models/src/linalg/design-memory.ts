/**
 * Design matrices that live in the memory of the cross-product kernels. A large
 * design is allocated inside a shared WebAssembly memory, after the kernels'
 * scratch space and followed by room for the working response, so that the calling
 * thread's IRLS passes read its columns where they are instead of copying every
 * block into the kernels' memory first (a quarter of a pass's time). Worker threads
 * are handed the memory with each pass and read it in place too, each in scratch
 * space of its own. An IRLS pass also places the response, prior weights and offset
 * there, and has η and μ written there ({@link rowColumns}): the memory grows by
 * those five columns on first use, and a family's row kernel then reads and writes
 * them in place too.
 */
import {
  abandonedPasses,
  getThreads,
  type RowTask,
  runningWorkers,
  runRows,
  sharedFloat64,
  simdEnabled,
} from "@geoml/autodiff";
import {
  fusedMultiplyAdd,
  newSharedMemory,
  vmath,
  type WasmMemory,
  type WasmModule,
} from "@geoml/autodiff/wasm";
import type { WasmRowKernel } from "@geoml/losses";
import { createSimdKernels, type SimdKernels } from "./simd.js";

/** Rows per block of the cross-product: a block of every column (≤ ~40) stays in L2 cache. */
export const BLOCK = 512;

/**
 * The cross-product's scratch space for p columns, as float64 slots (see
 * `crossprodRange`): wx = w ⊙ column and cx = column for qe (p + 1 rounded up to even)
 * columns of a block, the block's weights W, the (qe×qe) sums, β, the block's η, the
 * score tiles, a row kernel's y, prior weights, offset and μ (when they are not in
 * place), its constant pool, and two signs; `size` slots in all.
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
  // 16 bytes per constant; the slots so far are an even count, so it is 16-byte aligned
  const poolAt = muAt + BLOCK;
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
    poolAt,
    // 1 and −1: the coefficients of the working residual z + offset − η (see crossprodRange)
    signsAt: poolAt + 2 * vmath.POOL_CONSTANTS,
    size: poolAt + 2 * vmath.POOL_CONSTANTS + 2,
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

/** The row columns of an IRLS pass, in this order after the design (see {@link rowColumns}). */
const ROW_COLUMNS = ["y", "w", "offset", "eta", "mu"] as const;

/** Byte addresses (or views) of the row columns. */
export type RowColumnsOf<T> = Record<(typeof ROW_COLUMNS)[number], T>;

/** The geometry of a design's memory, from its header and the design's shape. */
interface Layout {
  n: number;
  p: number;
  slots: number;
  slotBytes: number;
  /** Byte offset of the design. */
  at: number;
  /** Bytes up to the end of the working response (and the zeros after it). */
  designEnd: number;
  /** Byte addresses of the row columns, which follow. */
  rows: RowColumnsOf<number>;
  /** Bytes up to the end of the row columns. */
  end: number;
}

function layout(n: number, p: number, slots: number): Layout {
  const slotBytes = Math.ceil((scratchLayout(p).size * 8) / 16) * 16;
  const q = p + 1;
  const qe = q + (q & 1);
  const at = HEADER + slots * slotBytes;
  // the design, then the working response (column p) and a zero column for an odd
  // q, and two zeros: an odd last block reads one row past its columns
  const designEnd = at + (qe * n + 2) * 8;
  // each row column: n rows and zeros after them (the last block's padding row), to
  // an even count so that every column starts 16-byte aligned
  const columnBytes = (n + 2 + ((n + 2) & 1)) * 8;
  const rows = Object.fromEntries(
    ROW_COLUMNS.map((name, i) => [name, designEnd + i * columnBytes]),
  ) as RowColumnsOf<number>;
  return {
    n,
    p,
    slots,
    slotBytes,
    at,
    designEnd,
    rows,
    end: designEnd + ROW_COLUMNS.length * columnBytes,
  };
}

/** A thread's view of a design's memory: its scratch slot and its kernel instances. */
interface Placed extends Layout {
  memory: WasmMemory;
  /** Byte offset of this thread's scratch space; null if every slot was taken. */
  base: number | null;
  /** Kernel instances on this memory, by row kernel and flag. */
  kernels: Map<string, SimdKernels | null>;
  /** Views of the row columns once the memory has grown to hold them. */
  rowViews?: RowColumnsOf<Float64Array> | null;
  /** The one IRLS fit the row columns belong to (see {@link rowColumns}). */
  rowOwner?: object;
  /** `abandonedPasses()` when the design was made (see {@link releaseDesign}). */
  abandoned?: number;
}

/** The calling thread's designs made by {@link designMatrix}, by their buffer. */
const placed = new WeakMap<ArrayBufferLike, Placed>();
/** On a worker thread: the design it last worked on (one at a time, so none is kept alive). */
let adopted: { id: number; entry: Placed } | null = null;
let nextId = 1;

/** Bytes per page of the operating system's memory (4 KiB, or a multiple of it). */
const PAGE = 4096;
/** Smallest memory whose pages are first touched on several threads. */
const TOUCH_MIN_BYTES = 16 * 2 ** 20;

/** Where {@link touchPages} works; `fill` only on the calling thread (see {@link designMatrix}). */
interface TouchArgs {
  memory: WasmMemory;
  at: number;
  /** Writes the design's values on pages [0, r1), the calling thread's own share. */
  fill?: (r1: number) => void;
}

/**
 * Writes a zero into pages [r0, r1) of `memory` counted from byte `at` (on the calling
 * thread, the range from page 0 is filled instead). The first write to a page of a
 * fresh memory is where the operating system finds and zeroes it, about half the
 * cost of filling a large design; worker threads import this to take a share of
 * that, while the calling thread fills its own share. Exported for them.
 */
export function touchPages(a: TouchArgs, r0: number, r1: number): void {
  if (a.fill && r0 === 0) {
    a.fill(r1);
    return;
  }
  const words = new Int32Array(a.memory.buffer);
  for (let pg = r0; pg < r1; pg++) words[(a.at + pg * PAGE) >> 2] = 0;
}

const touchTask: RowTask<TouchArgs, Record<string, never>> = {
  run: { module: import.meta.url, name: "touchPages", fn: touchPages },
  lib: {},
};

/**
 * Writes x[lo, hi) of a column-major design (every value in that range of indices),
 * as {@link designMatrix} asks for them.
 */
export type DesignFill = (x: Float64Array, lo: number, hi: number) => void;

/**
 * A column-major n×p matrix in shared memory (worker threads read it in place): its
 * values written by `fill`, or zeros without one. For a large design with the SIMD
 * kernels on, it lives inside a WebAssembly memory with scratch space for the
 * cross-product kernels of each thread (see {@link placedKernels}): the memory
 * {@link releaseDesign} last handed back when it fits (its pages already mapped), or a
 * new one. In a new one, with worker threads running, this thread fills the first
 * share of the design while the workers touch the pages of the rest (the operating
 * system maps a page on its first write), then fills the rest; `workers` false leaves
 * them out of it (this thread maps every page).
 */
export function designMatrix(
  n: number,
  p: number,
  fill?: DesignFill,
  workers = true,
): Float64Array {
  return makeDesign(n, p, fill, workers);
}

/** {@link designMatrix}; with `touch` false, worker threads take no part. */
function makeDesign(
  n: number,
  p: number,
  fill: DesignFill | undefined,
  touch: boolean,
): Float64Array {
  if (simdEnabled() && n * p >= MIN_VALUES) {
    const g = layout(n, p, Math.max(1, Math.min(getThreads(), MAX_SLOTS)));
    const reused = takeSpare(g.designEnd, g.end);
    // room to grow by the row columns, taken only by an IRLS pass, and by the scratch
    // of more threads when the memory serves another design
    const limit = Math.ceil(layout(n, p, MAX_SLOTS).end / 65536);
    const memory = reused ?? newSharedMemory(Math.ceil(g.designEnd / 65536), limit);
    if (memory) {
      if (reused) {
        // what the kernels read as zeros: the header and scratch space, the columns after
        // the design, the row columns' padding (and the design itself without a fill)
        const words = new Float64Array(memory.buffer);
        words.fill(0, 0, (fill ? g.at : g.at + n * p * 8) / 8);
        words.fill(0, (g.at + n * p * 8) / 8, Math.min(g.end, memory.buffer.byteLength) / 8);
      } else limits.set(memory, limit * 65536);
      const head = new Int32Array(memory.buffer, 0, 2);
      head[1] = g.slots;
      // ids tell a worker's designs apart: this thread's counter, and a random part
      // for designs of different threads
      new Float64Array(memory.buffer, 8, 1)[0] = nextId++ + Math.random();
      placed.set(memory.buffer, {
        ...g,
        memory,
        base: null,
        kernels: new Map(),
        abandoned: abandonedPasses(),
      });
      const x = new Float64Array(memory.buffer, g.at, n * p);
      // the design's pages, on every thread of a pool already running (one thread, or
      // workers not started yet: left to the fill, rather than wait for them to load)
      const bytes = g.designEnd - g.at;
      if (touch && !reused && bytes >= TOUCH_MIN_BYTES && runningWorkers() > 0) {
        const pages = Math.floor(bytes / PAGE);
        // values [0, hi) of x lie on pages [0, hi / (PAGE / 8)); the last page range
        // takes the values on a partial page after it
        let filled = 0;
        const first = (r1: number) => {
          filled = r1 >= pages ? n * p : Math.min(n * p, (r1 * PAGE) / 8);
          fill?.(x, 0, filled);
        };
        const abandoned = abandonedPasses();
        runRows(touchTask, { memory, at: g.at }, pages, 0, bytes, {
          minWork: TOUCH_MIN_BYTES,
          here: { memory, at: g.at, fill: first },
        });
        // a worker past its deadline may still write zeros into these pages: the design
        // goes to a memory of its own, filled on this thread alone
        if (abandonedPasses() !== abandoned) {
          placed.delete(memory.buffer);
          return makeDesign(n, p, fill, false);
        }
        // the rest in one ascending sweep, its pages mapped by now (those of a worker
        // that failed were touched here): missing values are reported in column order
        fill?.(x, filled, n * p);
      } else fill?.(x, 0, n * p);
      return x;
    }
  }
  const x = sharedFloat64(n * p);
  fill?.(x, 0, n * p);
  return x;
}

/**
 * How long the memory of a released design waits for the next design (ms), as an
 * allocator keeps freed pages for a while before it returns them: a model fitted
 * again, or another of the same size, skips mapping fresh pages (see the "next fit"
 * column of the GLM benchmark in docs/benchmarks.md).
 */
export const SPARE_MS = 10_000;

/** The memory of the design last released on this thread, and the timer that lets it go. */
let spare: { memory: WasmMemory; timer: ReturnType<typeof setTimeout> } | null = null;
/** The most bytes each design memory can grow to (its maximum, fixed when made). */
const limits = new WeakMap<WasmMemory, number>();

/**
 * Hands the memory of `x`, a design made by {@link designMatrix} on this thread that
 * nothing will read again (its fit has returned, and what the result keeps was
 * copied out), to the next {@link designMatrix} for up to {@link SPARE_MS} ms.
 * Does nothing for any other array.
 */
export function releaseDesign(x: Float64Array): void {
  const entry = placed.get(x.buffer);
  if (!entry) return;
  placed.delete(x.buffer);
  dropSpare();
  // a worker left behind by a pass since the design was made may still write there
  if (entry.abandoned !== abandonedPasses()) return;
  const timer = setTimeout(dropSpare, SPARE_MS);
  // on Node, a spare memory does not keep the process alive
  (timer as { unref?: () => void }).unref?.();
  spare = { memory: entry.memory, timer };
}

/** Lets the spare memory go (to the garbage collector). @internal */
export function dropSpare(): void {
  if (spare) clearTimeout(spare.timer);
  spare = null;
}

/** @internal Bytes of the spare memory, 0 without one. */
export function spareBytes(): number {
  return spare?.memory.buffer.byteLength ?? 0;
}

/**
 * The spare memory when it holds `bytes` now and can grow to `end` (the row columns),
 * and is not more than twice what is needed (a huge memory is not kept alive by a
 * small design). A spare that is too small is let go (it is never kept beside a larger
 * new memory); one far too large stays for a later design of its size.
 */
function takeSpare(bytes: number, end: number): WasmMemory | null {
  if (!spare) return null;
  const { memory } = spare;
  const have = memory.buffer.byteLength;
  if (have > 2 * end) return null;
  dropSpare();
  return have >= bytes && (limits.get(memory) ?? 0) >= end ? memory : null;
}

/**
 * The WebAssembly memory holding `x` when {@link designMatrix} made it on this thread
 * (handed to worker threads with a pass, so they read the design in place too).
 */
export function designMemory(x: Float64Array): WasmMemory | null {
  return placed.get(x.buffer)?.memory ?? null;
}

/**
 * Views (n rows each) of the response, prior weights, offset, η and μ columns in the
 * memory holding `x` (made by {@link designMatrix} on this thread), where an IRLS
 * pass's row kernel reads and writes them in place; the memory grows to hold them on
 * the first call. The columns belong to the first `owner` that asks (one fit, whose
 * passes all use them; `fresh` is true on its first call, when it fills y, w and the
 * offset), so that the η and μ it returns stay its own: any other owner gets null, as
 * does any array not made by {@link designMatrix} or a memory that cannot grow. The
 * rows after the n-th stay 0 (an odd last block reads one).
 */
export function rowColumns(
  x: Float64Array,
  owner: object,
): (RowColumnsOf<Float64Array> & { fresh: boolean }) | null {
  const entry = placed.get(x.buffer);
  if (!entry) return null;
  if (entry.rowViews === undefined) {
    const { memory, end, n, rows } = entry;
    const have = memory.buffer.byteLength;
    try {
      if (have < end) memory.grow(Math.ceil((end - have) / 65536));
      const buffer = memory.buffer;
      entry.rowViews = Object.fromEntries(
        ROW_COLUMNS.map((name) => [name, new Float64Array(buffer, rows[name], n)]),
      ) as RowColumnsOf<Float64Array>;
    } catch {
      entry.rowViews = null;
    }
  }
  if (!entry.rowViews || (entry.rowOwner && entry.rowOwner !== owner)) return null;
  const fresh = entry.rowOwner === undefined;
  entry.rowOwner = owner;
  return { ...entry.rowViews, fresh };
}

/** Where a thread's kernels find a design in place. */
export interface PlacedKernels {
  kernels: SimdKernels;
  /** Byte offset of column 0, row 0. */
  at: number;
  /** Byte offset of the thread's scratch space. */
  base: number;
  /** Byte offsets of the row columns (see {@link rowColumns}; there once it has been called). */
  rows: RowColumnsOf<number>;
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
 * kernels off. Worker threads pass the `memory` they were given with the pass, and
 * the calling thread's `compiled` module (its kernels' `module`, built for the same
 * row kernel), which they instantiate instead of compiling their own.
 */
export function placedKernels(
  x: Float64Array,
  n: number,
  p: number,
  rows?: WasmRowKernel | null,
  flag = 0,
  memory?: WasmMemory | null,
  compiled?: WasmModule | null,
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
    // one compiled module per row kernel (and multiply-add kind) serves every design
    const moduleKey = `${key}|${fusedMultiplyAdd()}`;
    const module = compiled ?? compiledModules.get(moduleKey);
    k = module
      ? createSimdKernels(BLOCK * 8, undefined, entry.memory, module)
      : createSimdKernels(BLOCK * 8, rows?.build(flag), entry.memory);
    if (k && !compiled) compiledModules.set(moduleKey, k.module);
    entry.kernels.set(key, k);
  }
  return k ? { kernels: k, at: entry.at, base: entry.base, rows: entry.rows } : null;
}

/**
 * This thread's compiled cross-product modules for designs in their own memory, by row
 * kernel: a module does not depend on the design's size, and one compiled and
 * optimised for an earlier fit serves the next (a few per process, one per family
 * with a fused kernel).
 */
const compiledModules = new Map<string, WasmModule>();

/** @internal How many threads have taken scratch space in the memory holding x. */
export function slotsTaken(x: Float64Array): number {
  return placed.has(x.buffer) ? Atomics.load(new Int32Array(x.buffer, 0, 1), 0) : 0;
}
