/**
 * Cyclic cubic regression spline (`bs="cc"`): a cubic spline through k knots
 * whose value and first two derivatives match at the two ends, so the smooth
 * wraps around (season, longitude). k−1 coefficients (values at all knots but
 * the last, which equals the first); mgcv's `place.knots` spreads the knots
 * evenly through the sorted unique values.
 */
import { transpose } from "../dense.js";
import { checkUnique, sortedUnique } from "./cr.js";
import type { BasisOptions, BasisState, BasisType, RawBasis } from "./types.js";

/** mgcv's `place.knots`: nk knots evenly spaced through the sorted unique values. */
export function placeKnots(u: Float64Array, nk: number): Float64Array {
  const n = u.length;
  const out = new Float64Array(nk);
  out[0] = u[0];
  out[nk - 1] = u[n - 1];
  if (nk === 2) return out;
  const delta = (n - 1) / (nk - 1);
  for (let i = 1; i <= nk - 2; i++) {
    const lbi = Math.floor(delta * i) + 1; // 1-based lower index
    const frac = delta * i + 1 - lbi;
    out[i] = u[lbi - 1] * (1 - frac) + u[lbi] * frac;
  }
  return out;
}

/** B⁻¹D (row-major (nk−1)²) of the cyclic spline and its penalty DᵀB⁻¹D. */
function cyclicMatrices(knots: Float64Array): { BD: Float64Array; S: Float64Array } {
  const N = knots.length - 1;
  const h = new Float64Array(N);
  for (let i = 0; i < N; i++) h[i] = knots[i + 1] - knots[i];
  const B = new Float64Array(N * N);
  const D = new Float64Array(N * N);
  const at = (i: number, j: number) => i * N + j;
  for (let i = 0; i < N; i++) {
    const prev = (i + N - 1) % N; // h index before knot i (wrapping)
    const hp = h[i === 0 ? N - 1 : i - 1];
    const hi = h[i];
    B[at(i, i)] = (hp + hi) / 3;
    B[at(i, (i + 1) % N)] += hi / 6;
    B[at(i, prev)] += hp / 6;
    D[at(i, i)] = -(1 / hi + 1 / hp);
    D[at(i, (i + 1) % N)] += 1 / hi;
    D[at(i, prev)] += 1 / hp;
  }
  // solve B X = D by Gauss–Jordan (N is small)
  const M = Float64Array.from(B);
  const BD = Float64Array.from(D);
  for (let c = 0; c < N; c++) {
    let piv = c;
    for (let r = c + 1; r < N; r++) if (Math.abs(M[at(r, c)]) > Math.abs(M[at(piv, c)])) piv = r;
    for (let j = 0; j < N; j++) {
      [M[at(c, j)], M[at(piv, j)]] = [M[at(piv, j)], M[at(c, j)]];
      [BD[at(c, j)], BD[at(piv, j)]] = [BD[at(piv, j)], BD[at(c, j)]];
    }
    const pv = M[at(c, c)];
    for (let j = 0; j < N; j++) {
      M[at(c, j)] /= pv;
      BD[at(c, j)] /= pv;
    }
    for (let r = 0; r < N; r++) {
      if (r === c) continue;
      const f = M[at(r, c)];
      if (f === 0) continue;
      for (let j = 0; j < N; j++) {
        M[at(r, j)] -= f * M[at(c, j)];
        BD[at(r, j)] -= f * BD[at(c, j)];
      }
    }
  }
  const Dt = transpose(D, N, N);
  const S = new Float64Array(N * N);
  for (let i = 0; i < N; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let r = 0; r < N; r++) s += Dt[i * N + r] * BD[r * N + j];
      S[i * N + j] = s;
    }
  for (let i = 0; i < N; i++)
    for (let j = 0; j < i; j++) {
      const v = (S[i * N + j] + S[j * N + i]) / 2;
      S[i * N + j] = v;
      S[j * N + i] = v;
    }
  return { BD, S };
}

/** Model matrix (column-major) of the cyclic spline; values outside the knots wrap around. */
function ccDesign(x: Float64Array, knots: Float64Array, BD: Float64Array): Float64Array {
  const n = x.length;
  const nk = knots.length;
  const N = nk - 1;
  const x0 = knots[0];
  const x1 = knots[nk - 1];
  const period = x1 - x0;
  const X = new Float64Array(n * N);
  for (let i = 0; i < n; i++) {
    let xi = x[i];
    if (xi > x1) xi = x0 + ((xi - x1) % period);
    if (xi < x0) xi = x1 - ((x0 - xi) % period);
    // j: 0-based start of the interval [knots[j], knots[j+1]]
    let j = 0;
    while (j < nk - 2 && xi > knots[j + 1]) j++;
    const j1 = (j + 1) % N; // the end knot is the first one again
    const h = knots[j + 1] - knots[j];
    const a = knots[j + 1] - xi;
    const b = xi - knots[j];
    const ca = (a ** 3 / h - h * a) / 6;
    const cb = (b ** 3 / h - h * b) / 6;
    for (let c = 0; c < N; c++) X[c * n + i] = ca * BD[j * N + c] + cb * BD[j1 * N + c];
    X[j * n + i] += a / h;
    X[j1 * n + i] += b / h;
  }
  return X;
}

export const cc: BasisType = {
  name: "cc",
  dims: 1,
  construct(x: readonly Float64Array[], o: BasisOptions): RawBasis {
    let k = o.k ?? 10;
    if (k < 4) k = 4;
    const u = sortedUnique(x[0]);
    checkUnique(u.length, k, o.label, "knots");
    const knots = placeKnots(u, k);
    const { BD, S } = cyclicMatrices(knots);
    return {
      k: k - 1,
      X: ccDesign(x[0], knots, BD),
      S: [S],
      ranks: [k - 2],
      nullSpaceDim: 1,
      noterp: true,
      state: { bs: "cc", knots: [...knots], BD: [...BD] },
    };
  },
  predict(state: BasisState, x: readonly Float64Array[]) {
    return ccDesign(
      x[0],
      Float64Array.from(state.knots as number[]),
      Float64Array.from(state.BD as number[]),
    );
  },
};
