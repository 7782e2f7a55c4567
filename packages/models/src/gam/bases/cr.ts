/**
 * Cubic regression spline (`bs="cr"`): a natural cubic spline parameterised by
 * its values at k knots placed at quantiles of the unique covariate values, with
 * the integrated squared second derivative as penalty (mgcv's `crspl`). Outside
 * the knots the spline continues linearly.
 */
import { GamError } from "../errors.js";
import type { BasisOptions, BasisState, BasisType, RawBasis } from "./types.js";

/** R's type-7 quantiles of the sorted unique values at probabilities 0, 1/(k-1), …, 1. */
export function quantileKnots(sortedUnique: Float64Array, k: number): Float64Array {
  const n = sortedUnique.length;
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const h = ((n - 1) * j) / (k - 1);
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    out[j] = sortedUnique[lo] + (h - lo) * (sortedUnique[hi] - sortedUnique[lo]);
  }
  return out;
}

/** Sorted unique values of a column. */
export function sortedUnique(x: Float64Array): Float64Array {
  const s = Float64Array.from(x).sort();
  let m = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[m - 1]) s[m++] = s[i];
  return s.slice(0, m);
}

/**
 * F (k×k, row-major) mapping knot values to second derivatives at the knots
 * (zero at both ends), and the penalty S = DᵀB⁻¹D.
 */
export function naturalSplineMatrices(knots: Float64Array): { F: Float64Array; S: Float64Array } {
  const k = knots.length;
  const h = new Float64Array(k - 1);
  for (let i = 0; i < k - 1; i++) h[i] = knots[i + 1] - knots[i];
  const m = k - 2;
  // B (m×m tridiagonal) and D (m×k)
  const D = new Float64Array(m * k);
  const diag = new Float64Array(m);
  const off = new Float64Array(Math.max(m - 1, 0));
  for (let i = 0; i < m; i++) {
    D[i * k + i] = 1 / h[i];
    D[i * k + i + 1] = -1 / h[i] - 1 / h[i + 1];
    D[i * k + i + 2] = 1 / h[i + 1];
    diag[i] = (h[i] + h[i + 1]) / 3;
    if (i < m - 1) off[i] = h[i + 1] / 6;
  }
  // B⁻¹D by a tridiagonal solve per column
  const BD = new Float64Array(m * k);
  const c = new Float64Array(m);
  const dd = new Float64Array(m);
  for (let col = 0; col < k; col++) {
    for (let i = 0; i < m; i++) dd[i] = D[i * k + col];
    // Thomas algorithm
    c[0] = m > 1 ? off[0] / diag[0] : 0;
    dd[0] /= diag[0];
    for (let i = 1; i < m; i++) {
      const den = diag[i] - off[i - 1] * c[i - 1];
      c[i] = i < m - 1 ? off[i] / den : 0;
      dd[i] = (dd[i] - off[i - 1] * dd[i - 1]) / den;
    }
    for (let i = m - 2; i >= 0; i--) dd[i] -= c[i] * dd[i + 1];
    for (let i = 0; i < m; i++) BD[i * k + col] = dd[i];
  }
  const F = new Float64Array(k * k);
  F.set(BD, k); // rows 1..k-2; first and last rows zero
  const S = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let r = 0; r < m; r++) s += D[r * k + i] * BD[r * k + j];
      S[i * k + j] = s;
    }
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++) {
      const v = (S[i * k + j] + S[j * k + i]) / 2;
      S[i * k + j] = v;
      S[j * k + i] = v;
    }
  return { F, S };
}

/** Model matrix (column-major, n×k) of the natural cubic spline through the knots. */
export function crDesign(x: Float64Array, knots: Float64Array, F: Float64Array): Float64Array {
  const n = x.length;
  const k = knots.length;
  const X = new Float64Array(n * k);
  const lo = knots[0];
  const hi = knots[k - 1];
  const seg = new Int32Array(n);
  const cm = new Float64Array(n);
  const cp = new Float64Array(n);
  const am = new Float64Array(n);
  const ap = new Float64Array(n);
  const inside = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    if (xi < lo || xi > hi) {
      // linear beyond the end knots: f(x) = f(end) + (x - end) f'(end)
      const left = xi < lo;
      const j = left ? 0 : k - 2;
      const h = knots[j + 1] - knots[j];
      const d = xi - (left ? lo : hi);
      // f'(x_j) = (b_{j+1}-b_j)/h - h/6 (2δ_j + δ_{j+1}); f'(x_{j+1}) = (b_{j+1}-b_j)/h + h/6 (δ_j + 2δ_{j+1})
      const cj = left ? -h / 3 : h / 6;
      const cj1 = left ? -h / 6 : h / 3;
      for (let c = 0; c < k; c++) {
        let v = cj * F[j * k + c] + cj1 * F[(j + 1) * k + c];
        if (c === j) v -= 1 / h;
        if (c === j + 1) v += 1 / h;
        X[c * n + i] = d * v + (c === (left ? 0 : k - 1) ? 1 : 0);
      }
      continue;
    }
    // interval j with knots[j] <= x <= knots[j+1]
    let a = 0;
    let b = k - 1;
    while (b - a > 1) {
      const mid = (a + b) >> 1;
      if (knots[mid] <= xi) a = mid;
      else b = mid;
    }
    const h = knots[a + 1] - knots[a];
    const dm = knots[a + 1] - xi;
    const dp = xi - knots[a];
    seg[i] = a;
    cm[i] = (dm ** 3 / h - h * dm) / 6;
    cp[i] = (dp ** 3 / h - h * dp) / 6;
    am[i] = dm / h;
    ap[i] = dp / h;
    inside[i] = 1;
  }
  // column by column, so that writes are sequential
  for (let c = 0; c < k; c++) {
    const o = c * n;
    for (let i = 0; i < n; i++) {
      if (!inside[i]) continue;
      const j = seg[i];
      let v = cm[i] * F[j * k + c] + cp[i] * F[(j + 1) * k + c];
      if (c === j) v += am[i];
      else if (c === j + 1) v += ap[i];
      X[o + i] = v;
    }
  }
  return X;
}

/** Throws unless the basis has at least `k` unique covariate values. */
export function checkUnique(u: number, k: number, label: string, what = "basis functions") {
  if (u < k)
    throw new GamError(
      "BASIS_TOO_LARGE",
      `${label}: k = ${k} ${what} but the covariate has only ${u} unique values; reduce k`,
      label,
    );
}

export const cr: BasisType = {
  name: "cr",
  dims: 1,
  construct(x: readonly Float64Array[], o: BasisOptions): RawBasis {
    let k = o.k ?? 10;
    if (k < 3) k = 3;
    const u = sortedUnique(x[0]);
    checkUnique(u.length, k, o.label, "knots");
    const knots = quantileKnots(u, k);
    const { F, S } = naturalSplineMatrices(knots);
    return {
      k,
      X: crDesign(x[0], knots, F),
      S: [S],
      ranks: [k - 2],
      nullSpaceDim: 2,
      noterp: true,
      state: { bs: "cr", knots: [...knots], F: [...F] },
    };
  },
  predict(state: BasisState, x: readonly Float64Array[]) {
    return crDesign(
      x[0],
      Float64Array.from(state.knots as number[]),
      Float64Array.from(state.F as number[]),
    );
  },
};
