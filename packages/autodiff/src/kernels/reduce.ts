/**
 * Reduction kernels over any set of axes. The output is read through strides that are
 * 0 on the reduced axes, so one pass over the input in memory order accumulates every
 * output element. Sums accumulate in float64 regardless of the storage dtype. For
 * max/min a NaN input replaces the running value and then sticks, because every
 * comparison against NaN is false.
 */
import type { Storage } from "../dtype.js";
import { wasmColumnSums } from "./wasm-elementwise.js";

/** Reduction kind. `max`/`min` propagate NaN like NumPy. */
export type ReduceKind = "sum" | "max" | "min";

/**
 * Reduces `x` of `shape` over `axes` (sorted, unique) into `out`
 * (the kept axes in order, contiguous).
 */
export function reduceKernel(
  kind: ReduceKind,
  x: Storage,
  shape: readonly number[],
  axes: readonly number[],
  out: Storage,
): void {
  const nd = shape.length;
  const m = out.length;
  // Sums over the leading axes (bias gradients): the wasm kernel, same arithmetic.
  if (
    kind === "sum" &&
    axes.length > 0 &&
    axes.length < nd &&
    axes[axes.length - 1] === axes.length - 1
  )
    if (wasmColumnSums(x, m, out)) return;
  const init =
    kind === "sum" ? 0 : kind === "max" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const acc = new Float64Array(m).fill(init);
  const n = x.length;
  if (n === 0) {
    out.set(acc);
    return;
  }
  // Output strides aligned to the input axes; 0 on reduced axes.
  const reduced = new Array<boolean>(nd).fill(false);
  for (const a of axes) reduced[a] = true;
  const os = new Array<number>(nd).fill(0);
  let s = 1;
  for (let d = nd - 1; d >= 0; d--) {
    if (!reduced[d]) {
      os[d] = s;
      s *= shape[d];
    }
  }
  // Fast path: trailing axes reduced → each output sums a contiguous block.
  let trailing = true;
  let block = 1;
  for (let d = 0; d < nd; d++) {
    if (reduced[d]) block *= shape[d];
    else if (d > 0 && reduced[d - 1]) trailing = false;
  }
  if (nd === 0) {
    acc[0] = x[0]; // a 0-d tensor reduces to itself
  } else if (trailing) {
    for (let o = 0, i = 0; o < m; o++) {
      let v = init;
      const end = i + block;
      if (kind === "sum") for (; i < end; i++) v += x[i];
      else if (kind === "max")
        for (; i < end; i++) {
          const t = x[i];
          if (t > v || Number.isNaN(t)) v = t;
        }
      else
        for (; i < end; i++) {
          const t = x[i];
          if (t < v || Number.isNaN(t)) v = t;
        }
      acc[o] = v;
    }
  } else {
    const inner = shape[nd - 1];
    const io = os[nd - 1];
    const idx = new Int32Array(nd);
    const outer = n / inner;
    let p = 0;
    let i = 0;
    for (let r = 0; r < outer; r++) {
      let q = p;
      if (kind === "sum") for (let j = 0; j < inner; j++, q += io) acc[q] += x[i++];
      else if (kind === "max")
        for (let j = 0; j < inner; j++, q += io) {
          const t = x[i++];
          const v = acc[q];
          if (t > v || Number.isNaN(t)) acc[q] = t;
        }
      else
        for (let j = 0; j < inner; j++, q += io) {
          const t = x[i++];
          const v = acc[q];
          if (t < v || Number.isNaN(t)) acc[q] = t;
        }
      for (let d = nd - 2; d >= 0; d--) {
        idx[d]++;
        p += os[d];
        if (idx[d] < shape[d]) break;
        p -= os[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
  out.set(acc);
}
