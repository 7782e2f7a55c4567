/**
 * mgcv's `gam.side`: when smooths share a covariate (`s(lat) + te(lon, lat)`), the
 * higher-dimensional one can reproduce functions of the lower one (its null space holds
 * them) and the model is not identifiable. As mgcv does, each such smooth loses the
 * columns that are linearly dependent on the intercept and the lower smooths it shares a
 * covariate with, found by a pivoted QR of its columns after projecting out the others
 * (`fixDependence`); the same columns are dropped when predicting.
 */
import type { BuiltSmooth, SmoothInfo } from "./smooth.js";

/** Householder QR of a column-major n×r matrix: reflections to apply to other columns. */
function householder(X: Float64Array, n: number, r: number): { v: Float64Array[]; r11: number } {
  const A = Float64Array.from(X);
  const vs: Float64Array[] = [];
  let r11 = 0;
  // column pivoting by largest norm, as LAPACK's dgeqp3 (only R[1,1] and the span are used)
  const cols = Array.from({ length: r }, (_, j) => j);
  for (let k = 0; k < r; k++) {
    let best = k;
    let bestNorm = -1;
    for (let j = k; j < r; j++) {
      let s = 0;
      const o = cols[j] * n;
      for (let i = k; i < n; i++) s += A[o + i] * A[o + i];
      if (s > bestNorm) {
        bestNorm = s;
        best = j;
      }
    }
    [cols[k], cols[best]] = [cols[best], cols[k]];
    const o = cols[k] * n;
    const norm = Math.sqrt(bestNorm);
    if (k === 0) r11 = norm;
    if (norm === 0) break;
    const v = new Float64Array(n);
    const alpha = A[o + k] >= 0 ? -norm : norm;
    for (let i = k; i < n; i++) v[i] = A[o + i];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let i = k; i < n; i++) v[i] /= Math.sqrt(vv / 2);
    vs.push(v);
    for (let j = k; j < r; j++) reflect(A, cols[j] * n, v, k, n);
  }
  return { v: vs, r11 };
}

/** A ← (I − v vᵀ) A on one column (v scaled so that vᵀv = 2). */
function reflect(A: Float64Array, o: number, v: Float64Array, from: number, n: number) {
  let s = 0;
  for (let i = from; i < n; i++) s += v[i] * A[o + i];
  for (let i = from; i < n; i++) A[o + i] -= s * v[i];
}

/**
 * mgcv's `fixDependence(X1, X2)`: 0-based columns of X2 (n×q, column-major) dependent on
 * the columns of X1 (n×r), or an empty list.
 */
export function fixDependence(
  X1: Float64Array,
  r: number,
  X2: Float64Array,
  q: number,
  n: number,
  tol = 1.4901161193847656e-8,
): number[] {
  const { v, r11 } = householder(X1, n, r);
  // Q1ᵀ X2, keeping rows r..n-1: X2 with the span of X1 removed
  const B = Float64Array.from(X2);
  for (let j = 0; j < q; j++) for (let k = 0; k < v.length; k++) reflect(B, j * n, v[k], k, n);
  const rows = n - r;
  const M = new Float64Array(rows * q);
  for (let j = 0; j < q; j++) for (let i = 0; i < rows; i++) M[j * rows + i] = B[j * n + r + i];
  // pivoted QR of M (largest remaining column norm first), R kept
  const piv = Array.from({ length: q }, (_, j) => j);
  const R = new Float64Array(q * q);
  const kmax = Math.min(rows, q);
  for (let k = 0; k < kmax; k++) {
    let best = k;
    let bestNorm = -1;
    for (let j = k; j < q; j++) {
      let s = 0;
      const o = piv[j] * rows;
      for (let i = k; i < rows; i++) s += M[o + i] * M[o + i];
      if (s > bestNorm) {
        bestNorm = s;
        best = j;
      }
    }
    [piv[k], piv[best]] = [piv[best], piv[k]];
    const o = piv[k] * rows;
    const norm = Math.sqrt(bestNorm);
    const alpha = M[o + k] >= 0 ? -norm : norm;
    const h = new Float64Array(rows);
    for (let i = k; i < rows; i++) h[i] = M[o + i];
    h[k] -= alpha;
    let hh = 0;
    for (let i = k; i < rows; i++) hh += h[i] * h[i];
    if (hh > 0) {
      for (let i = k; i < rows; i++) h[i] /= Math.sqrt(hh / 2);
      for (let j = k; j < q; j++) reflect(M, piv[j] * rows, h, k, rows);
    }
    for (let j = k; j < q; j++) R[k * q + j] = M[piv[j] * rows + k];
  }
  // trailing block of R below tolerance: those pivoted columns are dependent
  const rr = kmax;
  let r0 = rr;
  const meanAbs = (a: number) => {
    let s = 0;
    let c = 0;
    for (let i = a - 1; i < rr; i++)
      for (let j = a - 1; j < rr; j++) {
        s += Math.abs(R[i * q + j]);
        c++;
      }
    return s / c;
  };
  while (r0 > 0 && meanAbs(r0) < r11 * tol) r0--;
  r0++;
  if (r0 > rr) return [];
  return piv.slice(r0 - 1, rr).sort((a, b) => a - b);
}

/** Applies mgcv's side constraints to the built smooths (in formula order). */
export function sideConstrain(built: BuiltSmooth[], n: number, intercept: boolean): BuiltSmooth[] {
  // one name per covariate, with the by level as mgcv's v.names
  const names = built.map((b) =>
    b.info.vars.map((v) => v + (b.info.by ?? "") + (b.info.byLevel ?? "")),
  );
  const all = names.flat();
  if (new Set(all).size === all.length) return built;
  const dims = built.map((b) => b.info.vars.length);
  const maxDim = Math.max(...dims);
  // per covariate: the smooths using it, lower dimensions first
  const using = new Map<string, number[]>();
  for (let d = 1; d <= maxDim; d++)
    built.forEach((_, i) => {
      if (dims[i] !== d) return;
      for (const v of names[i]) using.set(v, [...(using.get(v) ?? []), i]);
    });
  const out = [...built];
  for (let d = 1; d <= maxDim; d++)
    for (let i = 0; i < out.length; i++) {
      if (dims[i] !== d) continue;
      const lower: number[] = [];
      for (const v of names[i]) {
        const list = using.get(v) as number[];
        for (const b of list.slice(0, list.indexOf(i))) if (!lower.includes(b)) lower.push(b);
      }
      if (lower.length === 0) continue;
      const r = (intercept ? 1 : 0) + lower.reduce((a, b) => a + out[b].info.size, 0);
      const X1 = new Float64Array(n * r);
      let c = 0;
      if (intercept) {
        X1.fill(1, 0, n);
        c++;
      }
      for (const b of lower) {
        X1.set(out[b].X, c * n);
        c += out[b].info.size;
      }
      const q = out[i].info.size;
      const del = fixDependence(X1, r, out[i].X, q, n);
      if (del.length) out[i] = dropColumns(out[i], del, n);
    }
  return out;
}

function dropColumns(b: BuiltSmooth, del: number[], n: number): BuiltSmooth {
  const q = b.info.size;
  const keep = Array.from({ length: q }, (_, j) => j).filter((j) => !del.includes(j));
  const m = keep.length;
  const X = new Float64Array(n * m);
  keep.forEach((j, t) => {
    X.set(b.X.subarray(j * n, (j + 1) * n), t * n);
  });
  const S = b.info.S.map((s) => {
    const out = new Array<number>(m * m);
    for (let ta = 0; ta < m; ta++)
      for (let tc = 0; tc < m; tc++) out[ta * m + tc] = s[keep[ta] * q + keep[tc]];
    return out;
  });
  const info: SmoothInfo = {
    ...b.info,
    size: m,
    S,
    ranks: b.info.ranks.map((r) => Math.min(r, m)),
    nullSpaceDim: Math.max(0, b.info.nullSpaceDim - del.length),
    deleted: del,
  };
  return { info, X };
}
