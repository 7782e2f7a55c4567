/**
 * Iteratively reweighted least squares (Fisher scoring), as R's `glm.fit` and
 * statsmodels' `GLM.fit()`: each step solves the weighted least-squares problem
 * X'WX β = X'Wz with working weights W = w·(dμ/dη)²/V(μ) and working response
 * z = η − offset + (y − μ)/(dμ/dη), with step halving when the deviance is not
 * finite or goes up.
 */

import { sharedFloat64, startWorkers } from "@geoml/autodiff";
import { cholesky, choleskyInverse, choleskySolve } from "../linalg/cholesky.js";
import { linearPredictor, weightedCrossprod } from "../linalg/crossprod.js";
import { designMatrix } from "../linalg/design-memory.js";
import { GlmError } from "./errors.js";
import type { Float64Family } from "./family.js";
import { irlsPass } from "./irls-pass.js";

/** Inputs of {@link irls}. */
export interface IrlsProblem {
  /** Column-major n×p design. */
  readonly x: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly y: Float64Array;
  /** Prior weights (times trials for Binomial). */
  readonly w: Float64Array;
  readonly offset: Float64Array | null;
  /** Every prior weight is 1 (saves summing them). */
  readonly unitWeights?: boolean;
  /** Ridge penalty per coefficient (½·λⱼ·βⱼ² is added to ½·deviance), or null. */
  readonly ridge?: Float64Array | null;
}

/** Options of {@link irls}. */
export interface IrlsOptions {
  /** Maximum iterations (default 100). */
  maxIter?: number;
  /** Convergence: |Δdeviance| / (|deviance| + 0.1) < tol (default 1e-10). */
  tol?: number;
  /**
   * And every |Δβⱼ| ≤ betaTol·(|βⱼ| + 1e-3) (default 1e-9): non-canonical links
   * converge only linearly, so a flat deviance alone stops too early.
   */
  betaTol?: number;
  /**
   * Starting coefficients; default: from an IRLS fit on a subsample when there are
   * 200,000 rows or more (and no ridge penalty), else from the family's starting μ.
   */
  start?: Float64Array;
  /** Relative tolerance for declaring a column aliased. */
  aliasTol?: number;
  /**
   * @internal Keep every pass on the calling thread (the subsample that starts a large
   * fit: small passes, and worker threads that may still be loading; and were the
   * workers to take its design's memory between the full design's passes, each would
   * take a new scratch slot of the full design's memory every time it came back).
   */
  oneThread?: boolean;
}

/** What IRLS returns. */
export interface IrlsFit {
  /** Coefficients; aliased ones are NaN. */
  beta: Float64Array;
  aliased: boolean[];
  rank: number;
  /** (X'WX + Λ)⁻¹ at the final weights, p×p row-major (NaN rows/columns where aliased). */
  covUnscaled: Float64Array;
  eta: Float64Array;
  mu: Float64Array;
  deviance: number;
  iterations: number;
  converged: boolean;
  /** Coefficients after each iteration (the last few), for diagnosing divergence. */
  trace: Float64Array[];
}

function penaltyOf(beta: Float64Array, ridge: Float64Array | null | undefined): number {
  if (!ridge) return 0;
  let s = 0;
  for (let j = 0; j < beta.length; j++)
    if (!Number.isNaN(beta[j])) s += ridge[j] * beta[j] * beta[j];
  return s;
}

/**
 * Working weights W = w·(dμ/dη)²/V(μ) and working response z = η − offset + (y − μ)/(dμ/dη),
 * row by row. A function of its own so that the engine optimises this hot loop
 * apart from the rest of IRLS (inside it, the loop ran several times slower).
 */
export function workingValues(
  dmu: Float64Array,
  v: Float64Array,
  eta: Float64Array,
  mu: Float64Array,
  y: Float64Array,
  w: Float64Array,
  offset: Float64Array | null,
  W: Float64Array,
  z: Float64Array,
): void {
  const n = W.length;
  for (let i = 0; i < n; i++) {
    const d = dmu[i];
    const wi = (w[i] * d * d) / v[i];
    // rows where dμ/dη underflows or the weight is zero carry no information (R's `good`)
    if (wi > 0 && Number.isFinite(wi)) {
      W[i] = wi;
      z[i] = eta[i] - (offset ? offset[i] : 0) + (y[i] - mu[i]) / d;
    } else {
      W[i] = 0;
      z[i] = 0;
    }
  }
}

/**
 * Steps from a subsample start taken with the subsample's Hessian (see {@link irls}).
 * One pays: on the 1e6-row benchmark the first shrinks the error from ~0.3 to ~1e-2
 * (relative), a second only to ~1e-3, after which the Newton steps still need as
 * many passes as from the first.
 */
const CHORD_STEPS = 1;

/** What {@link subsampleStart} gives. */
export interface SubsampleStart {
  /** The subsample's estimate. */
  beta: Float64Array;
  /**
   * Its (X'WX)⁻¹ scaled to the full data (p×p row-major): a Hessian good to the
   * sampling error for a first step on the full data that needs only its score.
   */
  inverse: Float64Array;
}

/** Below this many rows a fit starts from the family's starting μ. */
const SUBSAMPLE_MIN_ROWS = 200_000;
/** Rows in the subsample that starts a large fit. */
const SUBSAMPLE_ROWS = 20_000;

/**
 * Starting coefficients for a large fit: IRLS on a spread-out subsample (about
 * {@link SUBSAMPLE_ROWS} rows). Fisher scoring converges quadratically, so from
 * coefficients within sampling error of the estimate the full data needs about
 * three iterations instead of five or six, each a pass over every row. The
 * full-data iterations and their convergence test are unchanged, so the estimate
 * is the same to the convergence tolerance. Null (start from the family's μ) for
 * smaller problems or when the subsample fit fails, does not converge or aliases
 * a column.
 */
export function subsampleStart(
  fam: Float64Family,
  prob: IrlsProblem,
  options: IrlsOptions,
): SubsampleStart | null {
  const { x, n, p, y, w, offset } = prob;
  const k = Math.floor(n / SUBSAMPLE_ROWS);
  if (n < SUBSAMPLE_MIN_ROWS || k < 2 || SUBSAMPLE_ROWS < 50 * p) return null;
  // runs of RUN consecutive rows (256 bytes, four cache lines of a column), one run
  // in every k: 625 runs spread over the whole data of 1e6 rows, and each column read
  // a few cache lines at a time instead of one line per value (the whole start took
  // ~30, ~25 and ~21 ms with runs of 8, 32 and 128 rows; 32 keeps the spread)
  const RUN = 32;
  const runs = Math.floor(n / (k * RUN));
  const m = runs * RUN;
  // in memory of its own, as a full design's (where the SIMD kernels are on and it is not
  // tiny): the passes of a family with a WebAssembly row kernel then run in one call each
  // (see `crossprodRange`) rather than block by block in JavaScript. On this thread
  // alone, with no pages touched by the workers: they may still be loading
  const xs = designMatrix(m, p, undefined, false);
  for (let j = 0; j < p; j++) gatherRuns(x, j * n, k * RUN, xs, j * m, runs, RUN);
  const pick = (v: Float64Array) => {
    const out = new Float64Array(m);
    gatherRuns(v, 0, k * RUN, out, 0, runs, RUN);
    return out;
  };
  const ws = pick(w);
  try {
    const fit = irls(
      fam,
      { x: xs, n: m, p, y: pick(y), w: ws, offset: offset ? pick(offset) : null },
      // sampling error (~1/√m, ~0.7%) dwarfs these tolerances: the fit ends once a
      // Newton step moves no coefficient by more than 1e-3 of itself, taking that step
      // without a pass to confirm it: one pass fewer than with 1e-6 (on the benchmark's
      // logistic problem the step after it would have moved β by ~1e-9)
      { maxIter: 30, tol: 1e-8, betaTol: 1e-3, aliasTol: options.aliasTol, oneThread: true },
    );
    if (!fit.converged || fit.aliased.some(Boolean) || !fit.beta.every(Number.isFinite))
      return null;
    // the full data's X'WX is about Σw/Σw_sample times the sample's
    const scale = prob.unitWeights ? m / n : total(ws) / total(w);
    if (!(scale > 0 && Number.isFinite(scale))) return null;
    return { beta: fit.beta, inverse: fit.covUnscaled.map((c) => c * scale) };
  } catch {
    return null;
  }
}

/**
 * Copies `runs` runs of `run` consecutive values, one every `stride` values from
 * `from` on, into `out` from `to` on. Plain loops: a `subarray` and `set` per run
 * cost more than the 32 values they copy. Eight runs at a time: each run lies in
 * another page of memory, and the reads of eight wait for their pages together
 * instead of one after another (twice as fast as one run at a time).
 */
function gatherRuns(
  v: Float64Array,
  from: number,
  stride: number,
  out: Float64Array,
  to: number,
  runs: number,
  run: number,
): void {
  let g = 0;
  for (; g + 8 <= runs; g += 8) {
    const a = from + g * stride;
    const b = to + g * run;
    for (let t = 0; t < run; t++) {
      out[b + t] = v[a + t];
      out[b + run + t] = v[a + stride + t];
      out[b + 2 * run + t] = v[a + 2 * stride + t];
      out[b + 3 * run + t] = v[a + 3 * stride + t];
      out[b + 4 * run + t] = v[a + 4 * stride + t];
      out[b + 5 * run + t] = v[a + 5 * stride + t];
      out[b + 6 * run + t] = v[a + 6 * stride + t];
      out[b + 7 * run + t] = v[a + 7 * stride + t];
    }
  }
  for (; g < runs; g++) {
    const a = from + g * stride;
    const b = to + g * run;
    for (let t = 0; t < run; t++) out[b + t] = v[a + t];
  }
}

/** Σ vᵢ, in four interleaved sums: one chain of additions waits on each in turn. */
function total(v: Float64Array): number {
  const n = v.length;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += v[i];
    s1 += v[i + 1];
    s2 += v[i + 2];
    s3 += v[i + 3];
  }
  for (; i < n; i++) s0 += v[i];
  return s0 + s1 + (s2 + s3);
}

/**
 * sᵀ A s for the step s = next − beta over the columns that are not aliased (NaN),
 * with A the p×p matrix that `cholesky` was given (its lower triangle is intact).
 */
function stepObjective(a: Float64Array, p: number, next: Float64Array, beta: Float64Array): number {
  let q = 0;
  for (let j = 0; j < p; j++) {
    const sj = next[j] - beta[j];
    if (Number.isNaN(sj)) continue;
    let t = a[j * p + j] * sj;
    for (let k = 0; k < j; k++) {
      const sk = next[k] - beta[k];
      if (!Number.isNaN(sk)) t += 2 * a[j * p + k] * sk;
    }
    q += sj * t;
  }
  return q;
}

/** The state of the fit at some coefficients. */
interface Evaluation {
  eta: Float64Array;
  mu: Float64Array;
  /** dμ/dη when the link computed it together with μ. */
  dmu: Float64Array | null;
  deviance: number;
  /** [X z]ᵀW[X z] at this μ when the evaluation formed it (the fused pass does). */
  cross: Float64Array | null;
  /** Xᵀ W (z − η + offset) when the evaluation formed only the score. */
  score?: Float64Array | null;
}

/** Fits a GLM by IRLS; see {@link IrlsProblem} and {@link IrlsOptions}. */
export function irls(fam: Float64Family, prob: IrlsProblem, options: IrlsOptions = {}): IrlsFit {
  const { x, n, p, y, w, offset, ridge } = prob;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-10;
  const betaTol = options.betaTol ?? 1e-9;

  // families with a fused kernel (found on the object, never by name): η, μ, deviance
  // and cross-product in one pass over the rows
  const kernel = fam.family.rowKernel ?? null;
  const pass = kernel && irlsPass(kernel, x, n, p, y, w, offset, options.oneThread);
  const evaluate = (b: Float64Array): Evaluation => {
    if (pass) return { ...pass(b), dmu: null };
    const eta = linearPredictor(x, n, p, b, offset);
    const m = fam.meanWithDerivative(eta);
    return { eta, mu: m.mu, dmu: m.dmu, deviance: fam.deviance(y, m.mu, w), cross: null };
  };
  let W: Float64Array | null = null;
  let z: Float64Array | null = null;
  const crossAt = (s: Evaluation): Float64Array => {
    W ??= sharedFloat64(n);
    z ??= sharedFloat64(n);
    const dmu = s.dmu ?? fam.meanDerivative(s.eta);
    workingValues(dmu, fam.variance(s.mu), s.eta, s.mu, y, w, offset, W, z);
    return weightedCrossprod(x, n, p, W, z, options.oneThread);
  };

  // the threads of the full-data passes load while the subsample is fitted
  startWorkers((n * (p + 1) * (p + 4)) / 2);
  let beta: Float64Array = new Float64Array(p);
  let state: Evaluation | null = null;
  // only a warm start needs its deviance: the first step from the family's starting μ
  // is never halved, and convergence needs two iterates
  let objective = Number.POSITIVE_INFINITY;
  const sub = options.start || ridge ? null : subsampleStart(fam, prob, options);
  const start = options.start ?? sub?.beta;
  // the first steps from a subsample start: the full data's score with the subsample's
  // Hessian (β ← β + H⁻¹·score), each a pass over the data without the cross-product.
  // Each such step shrinks the distance to the estimate by about the relative error
  // of H (~1/√20,000); Newton steps with the full data's X'WX follow and decide the
  // estimate and its covariance
  let chordsLeft = sub && pass ? CHORD_STEPS : 0;
  const scoreAt = (b: Float64Array): Evaluation => {
    if (!pass) throw new Error("unreachable: score passes need the fused kernel");
    return { ...pass(b, true), dmu: null };
  };
  const chordFrom = (b: Float64Array, score: Float64Array): Float64Array | null => {
    if (!sub) return null;
    const out = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let t = b[j];
      for (let k = 0; k < p; k++) t += sub.inverse[j * p + k] * score[k];
      out[j] = t;
    }
    return out.every(Number.isFinite) ? out : null;
  };
  let chord: Float64Array | null = null;
  if (start) {
    const b = Float64Array.from(start);
    let s: Evaluation = chordsLeft > 0 ? scoreAt(b) : evaluate(b);
    if (s.score) {
      chordsLeft--;
      chord = chordFrom(b, s.score);
      // no usable step: the first iteration forms X'WX at the start as usual
      if (!chord) s = evaluate(b);
    }
    const obj = s.deviance + penaltyOf(b, ridge);
    if (Number.isFinite(obj)) {
      beta = b;
      state = s;
      objective = obj;
    } else if (!options.start) chord = null;
    else
      throw new GlmError(
        "NOT_FINITE",
        `${fam.family.name}: the deviance at the starting values is ${obj}`,
      );
  }
  const warm = state !== null;
  if (!state) {
    const mu = fam.family.startingMu(y, w);
    state = { eta: fam.link(mu), mu, dmu: null, deviance: Number.NaN, cross: null };
  }

  let converged = false;
  let iterations = 0;
  let factor = cholesky(new Float64Array(p * p).fill(0), p);
  const trace: Float64Array[] = [];
  for (let it = 1; it <= maxIter; it++) {
    iterations = it;
    let next: Float64Array;
    const chordStep = chord !== null;
    if (chord !== null) {
      next = chord;
      chord = null;
    } else {
      const q = p + 1;
      const a = state.cross ?? crossAt(state);
      const xtwx = new Float64Array(p * p);
      const xtwz = new Float64Array(p);
      for (let j = 0; j < p; j++) {
        for (let k = 0; k < p; k++) xtwx[j * p + k] = a[j * q + k];
        xtwz[j] = a[j * q + p];
        if (ridge) xtwx[j * p + j] += ridge[j];
      }
      factor = cholesky(xtwx, p, options.aliasTol);
      next = choleskySolve(factor, xtwz);
      for (let j = 0; j < p; j++) if (factor.aliased[j]) next[j] = Number.NaN;

      // a Newton step too small to matter ends the fit without another pass over the
      // data: the objective changes by about sᵀ(X'WX + Λ)s along the step s, so when
      // that is below the tolerance and every |sⱼ| meets betaTol, the pass at the new
      // coefficients would only confirm convergence. The step is taken; μ and the
      // deviance stay those of the previous coefficients, from which they differ by
      // O(|s|) and O(|s|²) (at most ~1e-9 relative, usually at rounding level).
      if (it > 1 || warm) {
        let settled = true;
        for (let j = 0; j < p && settled; j++) {
          const d = Math.abs(next[j] - beta[j]);
          if (d > betaTol * (Math.abs(next[j]) + 1e-3)) settled = false;
        }
        if (settled && 2 * stepObjective(xtwx, p, next, beta) < tol * (Math.abs(objective) + 0.1)) {
          beta = next;
          trace.push(beta);
          if (trace.length > 6) trace.shift();
          converged = true;
          break;
        }
      }
    }

    // step halving towards the previous coefficients while the deviance is not finite or rises
    const evaluateStep = chordStep && chordsLeft > 0 ? scoreAt : evaluate;
    let candidate = next;
    let s = evaluateStep(candidate);
    let objNew = s.deviance + penaltyOf(candidate, ridge);
    const havePrevious = it > 1 || warm;
    for (let h = 0; h < 30; h++) {
      const bad = !Number.isFinite(objNew);
      const rose = havePrevious && objNew > objective * (1 + 1e-12) + 1e-12;
      if (!bad && !rose) break;
      if (!havePrevious) break;
      const half = new Float64Array(p);
      for (let j = 0; j < p; j++)
        half[j] = Number.isNaN(candidate[j]) ? Number.NaN : (candidate[j] + beta[j]) / 2;
      candidate = half;
      s = evaluateStep(candidate);
      objNew = s.deviance + penaltyOf(candidate, ridge);
    }
    if (!Number.isFinite(objNew))
      throw new GlmError(
        "NOT_FINITE",
        `${fam.family.name}(${fam.family.link.name}): the deviance is ${objNew} at iteration ${it} and step halving ` +
          "did not recover; the link may not keep μ inside the family's domain — try another link or starting values",
      );
    const change = Math.abs(objNew - objective) / (Math.abs(objNew) + 0.1);
    let betaSettled = havePrevious;
    for (let j = 0; j < p && betaSettled; j++) {
      const d = Math.abs(candidate[j] - beta[j]);
      if (d > betaTol * (Math.abs(candidate[j]) + 1e-3)) betaSettled = false;
    }
    beta = candidate;
    state = s;
    objective = objNew;
    trace.push(beta);
    if (trace.length > 6) trace.shift();
    // after a score pass, the next step is another of the same kind (or, when it is not
    // finite, a Newton step with X'WX formed by the generic path)
    if (s.score) {
      chordsLeft--;
      chord = chordFrom(beta, s.score);
    }
    // the fit never ends on the first step from a subsample start: its covariance
    // comes from a Newton step's X'WX
    if (change < tol && betaSettled && !chordStep) {
      converged = true;
      break;
    }
  }
  const { eta, mu } = state;
  // the objective already holds the deviance unless a penalty was added to it
  const deviance = ridge ? fam.deviance(y, mu, w) : objective;
  return {
    beta,
    aliased: factor.aliased,
    rank: factor.rank,
    covUnscaled: choleskyInverse(factor),
    eta,
    mu,
    deviance,
    iterations,
    converged,
    trace,
  };
}
