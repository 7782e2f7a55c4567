/**
 * The smoothness selection criteria of mgcv, as functions of ρ = log λ:
 * REML (Laplace-approximate restricted likelihood for non-Gaussian families),
 * ML, GCV and UBRE, each evaluated at the converged penalised fit. Values are
 * exactly those mgcv reports as `gcv.ubre` (checked against it in the tests).
 */

import { scaledInverse, scaledLogDet, symEigen } from "./dense.js";
import { GamError } from "./errors.js";
import { type GamData, type InnerFit, innerFit, type LinearCache } from "./pirls.js";

/** Smoothness selection method, as mgcv's `method=`. */
export type GamMethod = "REML" | "ML" | "GCV" | "UBRE";

/** One smoothing parameter's penalty, embedded at [first, first+size) of the coefficients. */
export interface Penalty {
  readonly first: number;
  readonly size: number;
  /** size×size row-major. */
  readonly S: Float64Array;
}

/** A group of penalties on the same coefficients (one smooth). */
export interface PenaltyBlock {
  readonly first: number;
  readonly size: number;
  /** Indices into the penalty list. */
  readonly penalties: readonly number[];
  /** Rank of the summed penalty. */
  readonly rank: number;
  /** For a single penalty: log pseudo-determinant of S (so log|λS|₊ = rank·ρ + this). */
  readonly logDet: number;
  /** Orthonormal basis (size×rank, row-major) of the penalty's range space. */
  readonly range: Float64Array;
}

/** Builds the blocks (per smooth) from penalties given per smoothing parameter. */
export function penaltyBlocks(
  penalties: readonly Penalty[],
  ranks: readonly number[][],
): PenaltyBlock[] {
  // eigen-decompositions of each smooth's summed (unit Frobenius norm) penalties; ranks
  // are counted against the largest eigenvalue over all smooths with mgcv's tolerance
  // (totalPenaltySpace: ε^0.66), so the null space dimension M_p is mgcv's
  const groups: {
    first: number;
    size: number;
    idx: number[];
    eig: { values: Float64Array; vectors: Float64Array };
  }[] = [];
  let i = 0;
  while (i < penalties.length) {
    const first = penalties[i].first;
    const size = penalties[i].size;
    const idx: number[] = [];
    while (i < penalties.length && penalties[i].first === first) idx.push(i++);
    const sum = new Float64Array(size * size);
    for (const j of idx) {
      let norm = 0;
      for (const v of penalties[j].S) norm += v * v;
      norm = Math.sqrt(norm) || 1;
      for (let t = 0; t < size * size; t++) sum[t] += penalties[j].S[t] / norm;
    }
    groups.push({ first, size, idx, eig: symEigen(sum, size) });
  }
  let top = 0;
  for (const g of groups) top = Math.max(top, g.eig.values[0] ?? 0);
  const tol = top * 2.220446049250313e-16 ** 0.66;
  return groups.map((g, s) => {
    const { first, size, idx, eig } = g;
    let rank = 0;
    for (let t = 0; t < size; t++) if (eig.values[t] > tol) rank++;
    if (idx.length === 1) rank = Math.min(rank, ranks[s]?.[0] ?? rank);
    const range = new Float64Array(size * rank);
    for (let r = 0; r < size; r++)
      for (let c = 0; c < rank; c++) range[r * rank + c] = eig.vectors[r * size + c];
    let logDet = 0;
    if (idx.length === 1) {
      const e = symEigen(penalties[idx[0]].S, size);
      for (let t = 0; t < rank; t++) logDet += Math.log(e.values[t]);
    }
    return { first, size, penalties: idx, rank, logDet, range };
  });
}

/** Total penalty Σ λ_j S_j (p×p). */
export function totalPenalty(p: number, penalties: readonly Penalty[], lambda: ArrayLike<number>) {
  const St = new Float64Array(p * p);
  penalties.forEach((pen, j) => {
    const l = lambda[j];
    for (let a = 0; a < pen.size; a++)
      for (let b = 0; b < pen.size; b++)
        St[(pen.first + a) * p + pen.first + b] += l * pen.S[a * pen.size + b];
  });
  return St;
}

/**
 * ρ = log λ from the smoothing parameters a user gave (`sp`), keyed by mgcv's names or in
 * that order; each must be a finite number ≥ 0 (0 is taken as e⁻⁶⁹⁰).
 */
export function givenLogSp(
  given: Readonly<Record<string, number>> | readonly number[],
  spNames: readonly string[],
): Float64Array {
  if (Array.isArray(given) && given.length !== spNames.length)
    throw new GamError(
      "BAD_OPTION",
      `gam(): ${given.length} smoothing parameters given, the model has ${spNames.length} (${spNames.join(", ")})`,
      "sp",
    );
  return Float64Array.from(spNames, (name, j) => {
    const v = Array.isArray(given)
      ? (given as readonly number[])[j]
      : (given as Readonly<Record<string, number>>)[name];
    if (!(typeof v === "number" && v >= 0 && Number.isFinite(v)))
      throw new GamError(
        "BAD_OPTION",
        `gam(): sp for ${name} must be a non-negative number, got ${v}`,
        name,
      );
    return Math.log(Math.max(v, 1e-300));
  });
}

/** log|S_λ|₊ over the blocks. */
export function logDetPenalty(
  blocks: readonly PenaltyBlock[],
  penalties: readonly Penalty[],
  rho: ArrayLike<number>,
) {
  let out = 0;
  for (const b of blocks) {
    if (b.penalties.length === 1) {
      out += b.rank * rho[b.penalties[0]] + b.logDet;
      continue;
    }
    const sum = new Float64Array(b.size * b.size);
    for (const j of b.penalties) {
      const l = Math.exp(rho[j]);
      const S = penalties[j].S;
      for (let t = 0; t < sum.length; t++) sum[t] += l * S[t];
    }
    const e = symEigen(sum, b.size);
    for (let t = 0; t < b.rank; t++) out += Math.log(e.values[t]);
  }
  return out;
}

/** Everything about one fit that the criterion and the results need. */
export interface Evaluation {
  score: number;
  fit: InnerFit;
  /** Scale parameter: estimated (profiled) or the known one. */
  scale: number;
  /** Trace of the influence matrix (total edf). */
  trA: number | null;
  /** Total penalty S_λ (p×p) of the fit. */
  St: Float64Array;
}

/** Settings of the criterion. */
export interface CriterionSetup {
  readonly data: GamData;
  readonly method: GamMethod;
  readonly penalties: readonly Penalty[];
  readonly blocks: readonly PenaltyBlock[];
  /** Null space dimension of the total penalty (parametric columns included). */
  readonly Mp: number;
  /** Known scale (families with fixed dispersion, or given), else null. */
  readonly knownScale: number | null;
  /** Saturated log-likelihood as a function of the scale. */
  readonly ls: (scale: number) => number;
  readonly cache: LinearCache | null;
}

/** tr((XᵀWX + S)⁻¹ XᵀWX). */
export function traceInfluence(fit: InnerFit, p: number): number {
  const Hi = scaledInverse(fit.chol);
  let t = 0;
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) t += Hi[i * p + j] * fit.xwx[j * p + i];
  return t;
}

/** log|U_rᵀ H U_r| over the penalised range space (ML). */
function logDetRange(setup: CriterionSetup, fit: InnerFit, St: Float64Array): number {
  const p = setup.data.p;
  // columns of U_r: each block's range basis embedded at its coefficients
  const cols: { first: number; size: number; rank: number; range: Float64Array; c: number }[] = [];
  for (const b of setup.blocks) for (let c = 0; c < b.rank; c++) cols.push({ ...b, c });
  const r = cols.length;
  const H = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) H[i] = fit.xwx[i] + St[i];
  const HU = new Float64Array(p * r);
  cols.forEach((u, j) => {
    for (let a = 0; a < p; a++) {
      let s = 0;
      for (let t = 0; t < u.size; t++) s += H[a * p + u.first + t] * u.range[t * u.rank + u.c];
      HU[a * r + j] = s;
    }
  });
  const M = new Float64Array(r * r);
  cols.forEach((u, i) => {
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let t = 0; t < u.size; t++) s += u.range[t * u.rank + u.c] * HU[(u.first + t) * r + j];
      M[i * r + j] = s;
    }
  });
  const e = symEigen(M, r);
  let out = 0;
  for (let t = 0; t < r; t++) out += Math.log(e.values[t]);
  return out;
}

/** Profiles the scale of a non-Gaussian estimated-scale family: minimises Dp/2φ − ls(φ) − c log φ. */
function profileScale(Dp: number, ls: (s: number) => number, c: number, start: number): number {
  const f = (lp: number) => Dp / (2 * Math.exp(lp)) - ls(Math.exp(lp)) - c * lp;
  // golden-section search on log φ around the start
  let a = Math.log(start) - 5;
  let b = Math.log(start) + 5;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let i = 0; i < 80; i++) {
    if (f1 < f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = f(x2);
    }
  }
  return Math.exp((a + b) / 2);
}

/** Evaluates the criterion at log smoothing parameters rho. */
export function evaluate(
  setup: CriterionSetup,
  rho: ArrayLike<number>,
  start: Float64Array | null,
): Evaluation {
  const d = setup.data;
  const p = d.p;
  const lambda = Array.from(rho, Math.exp);
  const St = totalPenalty(p, setup.penalties, lambda);
  const fit = innerFit(d, St, setup.cache, start);
  const n = d.n;
  const Dp = fit.deviance + fit.penalty;
  const Mp = setup.Mp;
  switch (setup.method) {
    case "GCV": {
      const trA = traceInfluence(fit, p);
      const scale = setup.knownScale ?? fit.deviance / (n - trA);
      return { score: (n * fit.deviance) / (n - trA) ** 2, fit, scale, trA, St };
    }
    case "UBRE": {
      const trA = traceInfluence(fit, p);
      const s = setup.knownScale ?? 1;
      return { score: fit.deviance / n - s + (2 * trA * s) / n, fit, scale: s, trA, St };
    }
    default: {
      const reml = setup.method === "REML";
      const ldH = reml ? scaledLogDet(fit.chol) : logDetRange(setup, fit, St);
      const ldS = logDetPenalty(setup.blocks, setup.penalties, rho);
      const mTerm = reml ? Mp : 0;
      let scale: number;
      if (setup.knownScale !== null) scale = setup.knownScale;
      else if (d.linear) scale = Dp / (n - mTerm);
      else scale = profileScale(Dp, setup.ls, mTerm / 2, Math.max(Dp / (n - mTerm), 1e-8));
      const score =
        Dp / (2 * scale) -
        setup.ls(scale) +
        ldH / 2 -
        ldS / 2 -
        (mTerm / 2) * Math.log(2 * Math.PI * scale);
      return { score, fit, scale, trA: null, St };
    }
  }
}
