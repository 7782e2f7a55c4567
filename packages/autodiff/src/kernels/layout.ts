/** Data-movement kernels: transpose, slice, pad, concat, gather/scatter along an axis. */
import type { Storage } from "../dtype.js";
import { stridesOf } from "../shape.js";

/** Writes `x` (shape `shape`) permuted by `perm` into contiguous `out`. */
export function transposeKernel(
  x: Storage,
  shape: readonly number[],
  perm: readonly number[],
  out: Storage,
): void {
  const nd = shape.length;
  const n = out.length;
  if (n === 0) return;
  if (nd === 0) {
    out[0] = x[0];
    return;
  }
  // 2-D case in cache-friendly tiles (the common matmul-gradient transpose).
  if (nd === 2 && perm[0] === 1) {
    const r = shape[0];
    const c = shape[1];
    const T = 32;
    for (let i0 = 0; i0 < r; i0 += T)
      for (let j0 = 0; j0 < c; j0 += T) {
        const i1 = Math.min(i0 + T, r);
        const j1 = Math.min(j0 + T, c);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * r + i] = x[i * c + j];
      }
    return;
  }
  const xs = stridesOf(shape);
  const oshape = perm.map((p) => shape[p]);
  const src = perm.map((p) => xs[p]);
  const inner = oshape[nd - 1];
  const si = src[nd - 1];
  const idx = new Int32Array(nd);
  let p = 0;
  let o = 0;
  const outer = n / inner;
  for (let r = 0; r < outer; r++) {
    let q = p;
    for (let j = 0; j < inner; j++, q += si) out[o++] = x[q];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      p += src[d];
      if (idx[d] < oshape[d]) break;
      p -= src[d] * oshape[d];
      idx[d] = 0;
    }
  }
}

/**
 * Copies the box `begin .. begin+size` of `x` (shape `shape`) into `out`
 * (contiguous of shape `size`), or, with `inverse`, writes `x` into that box of `out`.
 */
export function boxCopy(
  x: Storage,
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  out: Storage,
  inverse: boolean,
): void {
  const nd = shape.length;
  let n = 1;
  for (const s of size) n *= s;
  if (n === 0) return;
  if (nd === 0) {
    out[0] = x[0];
    return;
  }
  const st = stridesOf(shape);
  let base = 0;
  for (let d = 0; d < nd; d++) base += begin[d] * st[d];
  const inner = size[nd - 1];
  const idx = new Int32Array(nd);
  let p = base;
  let o = 0;
  const outer = n / inner;
  for (let r = 0; r < outer; r++) {
    if (inverse) out.set(x.subarray(o, o + inner), p);
    else out.set(x.subarray(p, p + inner), o);
    o += inner;
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      p += st[d];
      if (idx[d] < size[d]) break;
      p -= st[d] * size[d];
      idx[d] = 0;
    }
  }
}

/**
 * Takes `indices` along `axis`: `x` viewed as [outer, len, inner] → out [outer, k, inner].
 * With `scatter`, adds `x` (shape [outer, k, inner]) into `out` ([outer, len, inner]) instead.
 */
export function gatherKernel(
  x: Storage,
  outer: number,
  len: number,
  inner: number,
  indices: Int32Array,
  out: Storage,
  scatter: boolean,
): void {
  const k = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < k; j++) {
      const src = (o * len + indices[j]) * inner;
      const dst = (o * k + j) * inner;
      if (scatter) for (let t = 0; t < inner; t++) out[src + t] += x[dst + t];
      else out.set(x.subarray(src, src + inner), dst);
    }
  }
}
