/**
 * Thin-plate regression spline (`bs="tp"`, mgcv's default; Wood 2003): the
 * thin-plate spline with a knot at every unique covariate point, truncated to
 * its k leading eigenvectors of the radial-basis matrix E, with the polynomial
 * null space of the penalty (1, x, … of total degree < m) kept unpenalised.
 * Covariates are centred; each column is scaled to root-mean-square 1 as mgcv does.
 */
import { lanczosTopK, symEigen } from "../dense.js";
import { GamError } from "../errors.js";
import type { BasisOptions, BasisState, BasisType, RawBasis } from "./types.js";

/** Most unique points used as knots (mgcv's `max.knots`). */
const MAX_KNOTS = 2000;
/** Above this many knots the leading eigenvectors come from Lanczos instead of a full decomposition. */
export const LANCZOS_FROM = 400;

/** Penalty order: the smallest m with 2m > d + 1 unless a valid one is given. */
function penaltyOrder(d: number, m: number): number {
  if (2 * m > d) return m;
  let out = 0;
  while (2 * out < d + 2) out++;
  return out;
}

/** Powers of the M polynomials spanning the null space (mgcv's `gen_tps_poly_powers`). */
function polyPowers(d: number, m: number): number[][] {
  let M = 1;
  for (let i = 0; i < d; i++) M *= d + m - 1 - i;
  for (let i = 2; i <= d; i++) M /= i;
  const out: number[][] = [];
  const index = new Array<number>(d).fill(0);
  for (let i = 0; i < M; i++) {
    out.push([...index]);
    let sum = index.reduce((a, b) => a + b, 0);
    if (sum < m - 1) index[0]++;
    else {
      sum -= index[0];
      index[0] = 0;
      for (let j = 1; j < d; j++) {
        index[j]++;
        sum++;
        if (sum === m) {
          sum -= index[j];
          index[j] = 0;
        } else break;
      }
    }
  }
  return out;
}

/** The radial basis function η_{m,d}(r) of the thin-plate spline. */
function eta(m: number, d: number, r: number): number {
  if (r <= 0) return 0;
  let f: number;
  if (d % 2 === 0) {
    f = (m + 1 + d / 2) % 2 ? -1 : 1;
    for (let i = 0; i < 2 * m - 1; i++) f /= 2;
    for (let i = 0; i < d / 2; i++) f /= Math.PI;
    for (let i = 2; i < m; i++) f /= i;
    for (let i = 2; i <= m - d / 2; i++) f /= i;
    f *= Math.log(r);
    for (let i = 0; i < 2 * m - d; i++) f *= r;
  } else {
    const gHalf = Math.sqrt(Math.PI);
    f = gHalf;
    const k = m - (d - 1) / 2;
    for (let i = 0; i < k; i++) f /= -0.5 - i;
    for (let i = 0; i < m; i++) f /= 4;
    for (let i = 0; i < d - 1; i++) f /= Math.PI;
    f /= gHalf;
    for (let i = 2; i < m; i++) f /= i;
    for (let i = 0; i < 2 * m - d; i++) f *= r;
  }
  return f;
}

/**
 * Householder reflections from the right that take the M×k matrix A to [0, B]
 * (mgcv's QT factorisation); returns the k×k orthogonal Q with A Q = [0, B].
 */
function qtFactor(A: Float64Array, M: number, k: number): Float64Array {
  const a = Float64Array.from(A);
  const Q = new Float64Array(k * k);
  for (let i = 0; i < k; i++) Q[i * k + i] = 1;
  for (let i = 0; i < M; i++) {
    // row i is reflected onto column k-1-i, within columns 0..k-1-i
    const row = i;
    const len = k - i;
    const u = new Float64Array(len);
    let scale = 0;
    for (let j = 0; j < len; j++) scale = Math.max(scale, Math.abs(a[row * k + j]));
    if (scale === 0) continue;
    let s = 0;
    for (let j = 0; j < len; j++) {
      u[j] = a[row * k + j] / scale;
      s += u[j] * u[j];
    }
    s = Math.sqrt(s);
    if (u[len - 1] < 0) s = -s;
    u[len - 1] += s;
    const g = 1 / (s * u[len - 1]);
    // A ← A (I − g u uᵀ), Q ← Q (I − g u uᵀ) on the first len columns
    for (const [mat, rows] of [
      [a, M],
      [Q, k],
    ] as const)
      for (let r = 0; r < rows; r++) {
        let t = 0;
        for (let j = 0; j < len; j++) t += mat[r * k + j] * u[j];
        t *= g;
        for (let j = 0; j < len; j++) mat[r * k + j] -= t * u[j];
      }
  }
  return Q;
}

interface TpState extends BasisState {
  d: number;
  m: number;
  shift: number[];
  /** Unique knot points, row-major nu×d. */
  xu: number[];
  /** (nu+M)×k map from [η(‖x−xu‖), T(x)] to the basis. */
  uz: number[];
  k: number;
}

/** Row of the unreduced basis [η(‖x − xu_i‖) …, T(x)] at one (centred) point. */
function fullRow(s: TpState, x: number[], pw: number[][], out: Float64Array) {
  const nu = s.xu.length / s.d;
  for (let i = 0; i < nu; i++) {
    let r2 = 0;
    for (let j = 0; j < s.d; j++) {
      const z = s.xu[i * s.d + j] - x[j];
      r2 += z * z;
    }
    out[i] = eta(s.m, s.d, Math.sqrt(r2));
  }
  for (let c = 0; c < pw.length; c++) {
    let v = 1;
    for (let j = 0; j < s.d; j++) v *= x[j] ** pw[c][j];
    out[nu + c] = v;
  }
}

function tpPredict(state: BasisState, x: readonly Float64Array[]): Float64Array {
  const s = state as TpState;
  const n = x[0].length;
  const pw = polyPowers(s.d, s.m);
  const rows = s.xu.length / s.d + pw.length;
  const b = new Float64Array(rows);
  const X = new Float64Array(n * s.k);
  const pt = new Array<number>(s.d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < s.d; j++) pt[j] = x[j][i] - s.shift[j];
    fullRow(s, pt, pw, b);
    for (let c = 0; c < s.k; c++) {
      let v = 0;
      for (let r = 0; r < rows; r++) v += b[r] * s.uz[r * s.k + c];
      X[c * n + i] = v;
    }
  }
  return X;
}

export const tp: BasisType = {
  name: "tp",
  dims: "any",
  construct(x: readonly Float64Array[], o: BasisOptions): RawBasis {
    const d = x.length;
    const n = x[0].length;
    const m = penaltyOrder(d, o.m?.[0] ?? 0);
    const pw = polyPowers(d, m);
    const M = pw.length;
    const defK = [8, 27, 100][Math.min(d, 3) - 1];
    let k = o.k ?? M + defK;
    if (k < M + 1) k = M + 1;
    const shift = x.map((c) => c.reduce((a, b) => a + b, 0) / n);
    // unique centred points, sorted
    const pts = Array.from({ length: n }, (_, i) => x.map((c, j) => c[i] - shift[j]));
    const order = pts
      .map((_, i) => i)
      .sort((a, b) => {
        for (let j = 0; j < d; j++) if (pts[a][j] !== pts[b][j]) return pts[a][j] - pts[b][j];
        return 0;
      });
    const uniq: number[][] = [];
    for (const i of order) {
      const last = uniq[uniq.length - 1];
      if (!last || last.some((v, j) => v !== pts[i][j])) uniq.push(pts[i]);
    }
    if (uniq.length < k)
      throw new GamError(
        "BASIS_TOO_LARGE",
        `${o.label}: k = ${k} basis functions but only ${uniq.length} unique covariate ${d > 1 ? "combinations" : "values"}; reduce k`,
        o.label,
      );
    // many unique points: every (nu/MAX_KNOTS)-th one serves as a knot
    const knots =
      uniq.length > MAX_KNOTS
        ? Array.from(
            { length: MAX_KNOTS },
            (_, i) => uniq[Math.floor((i * uniq.length) / MAX_KNOTS)],
          )
        : uniq;
    const nu = knots.length;
    const E = new Float64Array(nu * nu);
    for (let i = 0; i < nu; i++)
      for (let j = 0; j < i; j++) {
        let r2 = 0;
        for (let c = 0; c < d; c++) r2 += (knots[i][c] - knots[j][c]) ** 2;
        const v = eta(m, d, Math.sqrt(r2));
        E[i * nu + j] = v;
        E[j * nu + i] = v;
      }
    const T = new Float64Array(nu * M);
    for (let i = 0; i < nu; i++)
      for (let c = 0; c < M; c++) {
        let v = 1;
        for (let j = 0; j < d; j++) v *= knots[i][j] ** pw[c][j];
        T[i * M + c] = v;
      }
    // the k eigenvalues of largest magnitude, in decreasing order
    let vals: Float64Array;
    let vecs: Float64Array; // nu×k, row-major
    if (nu > LANCZOS_FROM) {
      const e = lanczosTopK(
        (q) => {
          const out = new Float64Array(nu);
          for (let i = 0; i < nu; i++) {
            let s = 0;
            const o = i * nu;
            for (let j = 0; j < nu; j++) s += E[o + j] * q[j];
            out[i] = s;
          }
          return out;
        },
        nu,
        k,
      );
      vals = e.values;
      vecs = e.vectors;
    } else {
      const eig = symEigen(E, nu);
      const idx = Array.from({ length: nu }, (_, i) => i)
        .sort((a, b) => Math.abs(eig.values[b]) - Math.abs(eig.values[a]))
        .slice(0, k)
        .sort((a, b) => eig.values[b] - eig.values[a]);
      vals = Float64Array.from(idx, (c) => eig.values[c]);
      vecs = new Float64Array(nu * k);
      idx.forEach((c, j) => {
        for (let i = 0; i < nu; i++) vecs[i * k + j] = eig.vectors[i * nu + c];
      });
    }
    const U = new Float64Array(nu * k);
    const v = Float64Array.from(vals);
    for (let j = 0; j < k; j++) {
      // sign: first non-negligible element positive, so the basis is reproducible
      let sgn = 1;
      for (let i = 0; i < nu; i++) {
        const e = vecs[i * k + j];
        if (Math.abs(e) > 1e-8) {
          sgn = e < 0 ? -1 : 1;
          break;
        }
      }
      for (let i = 0; i < nu; i++) U[i * k + j] = sgn * vecs[i * k + j];
    }
    // constraint Tᵀ U δ = 0 absorbed: U δ = U Q[:, 0..k-M) δ'
    const TU = new Float64Array(M * k);
    for (let a = 0; a < M; a++)
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let i = 0; i < nu; i++) s += T[i * M + a] * U[i * k + j];
        TU[a * k + j] = s;
      }
    const Q = qtFactor(TU, M, k);
    const kr = k - M;
    // UZ: rows 0..nu-1 = U Q[:, :kr] (then zeros), rows nu.. = [0, I_M]
    const uz = new Float64Array((nu + M) * k);
    for (let i = 0; i < nu; i++)
      for (let c = 0; c < kr; c++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += U[i * k + j] * Q[j * k + c];
        uz[i * k + c] = s;
      }
    for (let c = 0; c < M; c++) uz[(nu + c) * k + kr + c] = 1;
    // penalty Qᵀ diag(v) Q on the first kr coefficients
    const S = new Float64Array(k * k);
    for (let a = 0; a < kr; a++)
      for (let b = 0; b < kr; b++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += Q[j * k + a] * v[j] * Q[j * k + b];
        S[a * k + b] = s;
      }
    // X = [U diag(v) Q[:, :kr], T] at the data: E U = U diag(v) on the knots, evaluated generally
    const state: TpState = {
      bs: "tp",
      d,
      m,
      shift,
      xu: knots.flat(),
      uz: [...uz],
      k,
    };
    const X = tpPredict(state, x);
    // columns scaled to RMS 1 (X → XW, S → WSW, UZ → UZ W)
    for (let c = 0; c < k; c++) {
      let ss = 0;
      for (let i = 0; i < n; i++) ss += X[c * n + i] ** 2;
      const w = Math.sqrt(ss / n);
      for (let i = 0; i < n; i++) X[c * n + i] /= w;
      for (let r = 0; r < nu + M; r++) state.uz[r * k + c] /= w;
      for (let r = 0; r < k; r++) {
        S[r * k + c] /= w;
        S[c * k + r] /= w;
      }
    }
    for (let a = 0; a < k; a++)
      for (let b = 0; b < a; b++) {
        const t = (S[a * k + b] + S[b * k + a]) / 2;
        S[a * k + b] = t;
        S[b * k + a] = t;
      }
    return { k, X, S: [S], ranks: [kr], nullSpaceDim: M, noterp: false, state };
  },
  predict: tpPredict,
};
