/**
 * Large matrix products on several threads: the rows of C are split across the
 * pool (see threads/pool.ts) in multiples of the kernel's 4-row panels. B and the
 * workers' rows of A are copied once into shared memory (the calling thread reads
 * its own rows from the caller's arrays and writes its rows of C in place); each
 * thread packs its own rows of A and all of B into its own WebAssembly instance,
 * runs the same kernel as one thread would, and writes its rows of C. Every element of C is computed by exactly the
 * same operations whichever thread computes it, so the product does not depend on
 * the thread count.
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
 * done nothing, when the product should stay on this thread. `task` computes rows
 * of C on one thread (it lives beside the serial kernel, in matmul.ts).
 */
export function matmulThreaded(
  task: RowTask<MatmulRowsArgs, Record<string, never>>,
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
  runRows(task, { a: as, b: bs, c: cs, k, n, tb }, m, 0, m * k * n, {
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
