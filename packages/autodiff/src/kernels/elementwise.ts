/**
 * Elementwise kernels built from plain functions (no code generated from strings, so
 * the package runs under a strict Content-Security-Policy). Each op gets loops of
 * its own from {@link unaryKernel} / {@link binaryKernel}, with fast paths for
 * same-shape and scalar operands and a strided path for general broadcasting.
 * Values are read as float64 and rounded on store.
 */
import type { Storage } from "../dtype.js";

/** out[i] = f(a[i]) */
export type UnaryKernel = (a: Storage, out: Storage) => void;

/**
 * out = f(a, b) broadcast to `shape`; `sa`/`sb` are broadcast strides
 * (see `broadcastStrides`) or null when that operand has exactly `shape`.
 */
export type BinaryKernel = (
  a: Storage,
  b: Storage,
  out: Storage,
  shape: readonly number[],
  sa: readonly number[] | null,
  sb: readonly number[] | null,
) => void;

/** The loop of a unary op that applies `f` to each element. */
export function unaryKernel(f: (x: number) => number): UnaryKernel {
  return (a, out) => {
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = f(a[i]);
  };
}

/** Hand-written loops for the hot cases of a binary op (see {@link binaryKernel}). */
export interface BinaryLoops {
  /** out[i] = f(a[i], b[i]) for i < n: operands of the same shape. */
  same?: (a: Storage, b: Storage, out: Storage, n: number) => void;
  /** out[i] = f(a[i], y) for i < n: a scalar second operand. */
  right?: (a: Storage, y: number, out: Storage, n: number) => void;
  /** out[i] = f(x, b[i]) for i < n: a scalar first operand. */
  left?: (x: number, b: Storage, out: Storage, n: number) => void;
  /** out[i] = f(a[i], b[i mod m]) for i < n: b repeated along the leading axes of a. */
  rows?: (a: Storage, b: Storage, out: Storage, n: number, m: number) => void;
}

/** True when broadcast strides `sb` repeat a contiguous block of `m` elements of b. */
function trailing(sb: readonly number[], shape: readonly number[], m: number): boolean {
  let acc = 1;
  let d = shape.length - 1;
  for (; d >= 0 && acc < m; d--) {
    if (sb[d] !== acc) return false;
    acc *= shape[d];
  }
  if (acc !== m) return false;
  for (; d >= 0; d--) if (sb[d] !== 0) return false;
  return true;
}

/**
 * The loops of a broadcasting binary op applying `f`. A loop in `loops` replaces
 * the generic one for its case: closures built here share one call site, so V8
 * cannot inline `f` once several ops use them, and the hot cases (same shape, a
 * scalar operand) of the arithmetic and comparison ops are written out instead.
 */
export function binaryKernel(
  f: (x: number, y: number) => number,
  loops: BinaryLoops = {},
): BinaryKernel {
  const { same, right, left, rows } = loops;
  return (a, b, out, shape, sa, sb) => {
    const n = out.length;
    if (n === 0) return;
    if (sa === null && sb === null) {
      if (same) same(a, b, out, n);
      else for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
      return;
    }
    if (sa === null && b.length === 1) {
      const y = b[0];
      if (right) right(a, y, out, n);
      else for (let i = 0; i < n; i++) out[i] = f(a[i], y);
      return;
    }
    if (sb === null && a.length === 1) {
      const x = a[0];
      if (left) left(x, b, out, n);
      else for (let i = 0; i < n; i++) out[i] = f(x, b[i]);
      return;
    }
    // b repeated along the leading axes (a bias added to every row): no odometer
    if (sa === null && rows && trailing(sb!, shape, b.length)) {
      rows(a, b, out, n, b.length);
      return;
    }
    strided(f, a, b, out, shape, sa ?? contiguous(shape), sb ?? contiguous(shape));
  };
}

/** The general broadcasting loop: the last axis innermost, odometer over the rest. */
function strided(
  f: (x: number, y: number) => number,
  a: Storage,
  b: Storage,
  out: Storage,
  shape: readonly number[],
  A: readonly number[],
  B: readonly number[],
): void {
  const n = out.length;
  const nd = shape.length;
  const inner = shape[nd - 1];
  const ia = A[nd - 1];
  const ib = B[nd - 1];
  const idx = new Int32Array(nd);
  const outer = n / inner;
  let pa = 0;
  let pb = 0;
  let o = 0;
  for (let r = 0; r < outer; r++) {
    let qa = pa;
    let qb = pb;
    for (let j = 0; j < inner; j++) {
      out[o++] = f(a[qa], b[qb]);
      qa += ia;
      qb += ib;
    }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      pa += A[d];
      pb += B[d];
      if (idx[d] < shape[d]) break;
      pa -= A[d] * shape[d];
      pb -= B[d] * shape[d];
      idx[d] = 0;
    }
  }
}

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Copies `a` read through broadcast strides `sa` into contiguous `out` of `shape`. */
export const broadcastCopy: BinaryKernel = binaryKernel((x) => x);

/** out = cond != 0 ? a : b, all three already broadcast to the same shape. */
export function whereKernel(cond: Storage, a: Storage, b: Storage, out: Storage): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
}
