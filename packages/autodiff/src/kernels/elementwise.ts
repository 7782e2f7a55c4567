/**
 * Elementwise kernels. Each op's scalar expression is compiled once into its own loop
 * (so the engine inlines the arithmetic instead of calling a closure per element),
 * with fast paths for same-shape and scalar operands and a strided path for
 * general broadcasting. Values are read as float64 and rounded on store.
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

type Helpers = Record<string, unknown>;

/** Compiles `expr` (in terms of `x`) into a unary loop; `helpers` are in scope by name. */
export function compileUnary(expr: string, helpers: Helpers = {}): UnaryKernel {
  const names = Object.keys(helpers);
  const src = `"use strict"; return function unary(a, out) {
    const n = out.length;
    for (let i = 0; i < n; i++) { const x = a[i]; out[i] = ${expr}; }
  };`;
  return new Function(...names, src)(...names.map((k) => helpers[k])) as UnaryKernel;
}

/** Compiles `expr` (in terms of `x` and `y`) into a broadcasting binary loop. */
export function compileBinary(expr: string, helpers: Helpers = {}): BinaryKernel {
  const names = Object.keys(helpers);
  const src = `"use strict"; return function binary(a, b, out, shape, sa, sb) {
    const n = out.length;
    if (n === 0) return;
    if (sa === null && sb === null) {
      for (let i = 0; i < n; i++) { const x = a[i], y = b[i]; out[i] = ${expr}; }
      return;
    }
    if (sa === null && b.length === 1) {
      const y = b[0];
      for (let i = 0; i < n; i++) { const x = a[i]; out[i] = ${expr}; }
      return;
    }
    if (sb === null && a.length === 1) {
      const x = a[0];
      for (let i = 0; i < n; i++) { const y = b[i]; out[i] = ${expr}; }
      return;
    }
    const nd = shape.length;
    const A = sa === null ? contiguous(shape) : sa;
    const B = sb === null ? contiguous(shape) : sb;
    const inner = shape[nd - 1];
    const ia = A[nd - 1], ib = B[nd - 1];
    const idx = new Int32Array(nd);
    const outer = n / inner;
    let pa = 0, pb = 0, o = 0;
    for (let r = 0; r < outer; r++) {
      let qa = pa, qb = pb;
      for (let j = 0; j < inner; j++) {
        const x = a[qa], y = b[qb];
        out[o++] = ${expr};
        qa += ia; qb += ib;
      }
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]++; pa += A[d]; pb += B[d];
        if (idx[d] < shape[d]) break;
        pa -= A[d] * shape[d]; pb -= B[d] * shape[d]; idx[d] = 0;
      }
    }
  };`;
  return new Function("contiguous", ...names, src)(
    contiguous,
    ...names.map((k) => helpers[k]),
  ) as BinaryKernel;
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
export const broadcastCopy: BinaryKernel = compileBinary("x");

/** out = cond != 0 ? a : b, all three already broadcast to the same shape. */
export function whereKernel(cond: Storage, a: Storage, b: Storage, out: Storage): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
}
