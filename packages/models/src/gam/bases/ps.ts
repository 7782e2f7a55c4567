/**
 * P-spline (`bs="ps"`, Eilers & Marx): a B-spline basis on evenly spaced knots
 * with a difference penalty on adjacent coefficients. mgcv's defaults: cubic
 * B-splines (m[1] = 2) and a second-order difference penalty (m[2] = 2), k = 10.
 * Beyond the knot range the basis continues linearly, as mgcv predicts.
 */
import { GamError } from "../errors.js";
import { checkUnique, sortedUnique } from "./cr.js";
import type { BasisOptions, BasisState, BasisType, RawBasis } from "./types.js";

/** Values (deriv 0) or first derivatives (deriv 1) of the B-splines of order `ord` at x. */
export function bsplineRow(
  knots: Float64Array,
  ord: number,
  x: number,
  deriv: 0 | 1,
): Float64Array {
  const nb = knots.length - ord;
  const out = new Float64Array(nb);
  const nt = knots.length;
  // interval i with knots[i] <= x < knots[i+1]; the last inner interval is closed on the right
  let i = ord - 1;
  while (i < nt - ord - 1 && x >= knots[i + 1]) i++;
  const p = deriv === 1 ? ord - 1 : ord;
  // Cox–de Boor: b[j] holds B_{i-q+j, q} for the current order q
  const b = new Float64Array(p);
  b[0] = 1;
  for (let q = 1; q < p; q++) {
    let saved = 0;
    for (let r = 0; r < q; r++) {
      const left = knots[i + r + 1 - q];
      const right = knots[i + r + 1];
      const term = b[r] / (right - left);
      b[r] = saved + (right - x) * term;
      saved = (x - left) * term;
    }
    b[q] = saved;
  }
  if (deriv === 0) {
    for (let r = 0; r < p; r++) out[i - p + 1 + r] = b[r];
    return out;
  }
  // derivative of order-`ord` B-splines from the order-(ord−1) ones
  for (let r = 0; r < p; r++) {
    const idx = i - p + 1 + r; // B_{idx, ord-1}
    const v = b[r];
    const d1 = knots[idx + ord - 1] - knots[idx];
    if (idx >= 0 && idx < nb && d1 > 0) out[idx] += ((ord - 1) * v) / d1;
    const d2 = knots[idx + ord - 1] - knots[idx];
    if (idx - 1 >= 0 && idx - 1 < nb && d2 > 0) out[idx - 1] -= ((ord - 1) * v) / d2;
  }
  return out;
}

/** Model matrix (column-major) of the P-spline basis, linear beyond [ll, ul]. */
function psDesign(x: Float64Array, knots: Float64Array, m1: number): Float64Array {
  const ord = m1 + 2;
  const nb = knots.length - ord;
  const ll = knots[m1 + 1];
  const ul = knots[knots.length - m1 - 2];
  const n = x.length;
  const X = new Float64Array(n * nb);
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    let row: Float64Array;
    if (xi < ll || xi > ul) {
      const at = xi < ll ? ll : ul;
      const v = bsplineRow(knots, ord, at, 0);
      const d = bsplineRow(knots, ord, at, 1);
      row = new Float64Array(nb);
      for (let c = 0; c < nb; c++) row[c] = v[c] + (xi - at) * d[c];
    } else row = bsplineRow(knots, ord, xi, 0);
    for (let c = 0; c < nb; c++) X[c * n + i] = row[c];
  }
  return X;
}

export const ps: BasisType = {
  name: "ps",
  dims: 1,
  construct(x: readonly Float64Array[], o: BasisOptions): RawBasis {
    const m = o.m ? (o.m.length === 1 ? [o.m[0], o.m[0]] : [o.m[0], o.m[1]]) : [2, 2];
    const k = o.k ?? Math.max(10, m[0] + 1);
    const nk = k - m[0];
    if (nk <= 0)
      throw new GamError(
        "BAD_SMOOTH",
        `${o.label}: k = ${k} is too small for a B-spline of order ${m[0] + 2}`,
        o.label,
      );
    const u = sortedUnique(x[0]);
    checkUnique(u.length, k, o.label);
    let xl = u[0];
    let xu = u[u.length - 1];
    const xr = xu - xl;
    xl -= xr * 0.001;
    xu += xr * 0.001;
    const dx = (xu - xl) / (nk - 1);
    const len = nk + 2 * m[0] + 2;
    const a = xl - dx * (m[0] + 1);
    const b = xu + dx * (m[0] + 1);
    const knots = new Float64Array(len);
    // R's seq(a, b, length = len): a + (0:(len-1)) * by
    const by = (b - a) / (len - 1);
    for (let i = 0; i < len; i++) knots[i] = a + i * by;
    // penalty DᵀD with D the m[2]-th order difference matrix
    let D = new Float64Array(k * k);
    for (let i = 0; i < k; i++) D[i * k + i] = 1;
    let rows = k;
    for (let o2 = 0; o2 < m[1]; o2++) {
      const next = new Float64Array((rows - 1) * k);
      for (let r = 0; r < rows - 1; r++)
        for (let c = 0; c < k; c++) next[r * k + c] = D[(r + 1) * k + c] - D[r * k + c];
      D = next;
      rows--;
    }
    const S = new Float64Array(k * k);
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += D[r * k + i] * D[r * k + j];
        S[i * k + j] = s;
      }
    return {
      k,
      X: psDesign(x[0], knots, m[0]),
      S: [S],
      ranks: [k - m[1]],
      nullSpaceDim: m[1],
      noterp: false,
      state: { bs: "ps", knots: [...knots], m1: m[0] },
    };
  },
  predict(state: BasisState, x: readonly Float64Array[]) {
    return psDesign(x[0], Float64Array.from(state.knots as number[]), state.m1 as number);
  },
};
