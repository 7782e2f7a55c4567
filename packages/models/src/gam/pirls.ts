/**
 * Penalised IRLS at fixed smoothing parameters (the inner loop of mgcv's
 * gam.fit3): minimises deviance + βᵀS_λβ by Fisher scoring with step halving.
 * The Gaussian family with identity link needs no iteration: XᵀWX and XᵀWz are
 * formed once per fit and reused for every smoothing parameter tried.
 */
import type { Float64Family } from "../glm/family.js";
import { linearPredictor, weightedCrossprod } from "../linalg/index.js";
import { type ScaledCholesky, scaledCholesky, scaledSolve } from "./dense.js";
import { GamError } from "./errors.js";

/** The data of a GAM fit, as the inner and outer iterations see it. */
export interface GamData {
  /** Column-major n×p model matrix (parametric columns, then smooths). */
  readonly X: Float64Array;
  readonly n: number;
  readonly p: number;
  readonly y: Float64Array;
  /** Prior weights (times binomial trials). */
  readonly w: Float64Array;
  readonly offset: Float64Array | null;
  readonly fam: Float64Family;
  /** Gaussian with identity link: one cross-product serves every fit. */
  readonly linear: boolean;
}

/** A converged penalised fit. */
export interface InnerFit {
  beta: Float64Array;
  /** XᵀWX at the converged weights (p×p row-major). */
  xwx: Float64Array;
  /** Cholesky factor of XᵀWX + S_λ. */
  chol: ScaledCholesky;
  /** Linear predictor and fitted values; null for the linear case until {@link completeFit}. */
  eta: Float64Array | null;
  mu: Float64Array | null;
  /** Working weights at convergence. */
  wt: Float64Array;
  deviance: number;
  /** βᵀS_λβ. */
  penalty: number;
  iterations: number;
}

const quad = (S: Float64Array, b: Float64Array, p: number) => {
  let s = 0;
  for (let i = 0; i < p; i++) {
    let t = 0;
    for (let j = 0; j < p; j++) t += S[i * p + j] * b[j];
    s += b[i] * t;
  }
  return s;
};

/** Cross-products cached for the linear (Gaussian identity) case. */
export interface LinearCache {
  xwx: Float64Array;
  xwz: Float64Array;
  zwz: number;
}

/** XᵀWX, XᵀWz and zᵀWz for the Gaussian identity model. */
export function linearCache(d: GamData): LinearCache {
  const z = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) z[i] = d.y[i] - (d.offset ? d.offset[i] : 0);
  const p = d.p;
  const q = p + 1;
  const acc = weightedCrossprod(d.X, d.n, p, d.w, z);
  const xwx = new Float64Array(p * p);
  const xwz = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) xwx[i * p + j] = acc[i * q + j];
    xwz[i] = acc[p * q + i];
  }
  return { xwx, xwz, zwz: acc[p * q + p] };
}

function solvePenalised(xwx: Float64Array, St: Float64Array, rhs: Float64Array, p: number) {
  const H = new Float64Array(p * p);
  for (let i = 0; i < p * p; i++) H[i] = xwx[i] + St[i];
  let chol = scaledCholesky(H, p);
  if (!chol) {
    // not numerically positive definite (unidentifiable coefficients): a tiny ridge, as a pivot would
    let tr = 0;
    for (let i = 0; i < p; i++) tr += H[i * p + i];
    for (let i = 0; i < p; i++) H[i * p + i] += (tr / p) * 1e-10;
    chol = scaledCholesky(H, p);
    if (!chol)
      throw new GamError(
        "NOT_CONVERGED",
        "the penalised normal equations are not positive definite",
      );
  }
  return { chol, beta: scaledSolve(chol, rhs) };
}

/** Fills in η and μ of a fit from the linear case. */
export function completeFit(d: GamData, fit: InnerFit): { eta: Float64Array; mu: Float64Array } {
  if (fit.eta && fit.mu) return { eta: fit.eta, mu: fit.mu };
  const eta = linearPredictor(d.X, d.n, d.p, fit.beta, d.offset);
  fit.eta = eta;
  fit.mu = d.fam.mean(eta);
  return { eta, mu: fit.mu };
}

/** Fits at total penalty St (p×p) by penalised least squares or P-IRLS. */
export function innerFit(
  d: GamData,
  St: Float64Array,
  cache: LinearCache | null,
  start: Float64Array | null,
): InnerFit {
  const { n, p } = d;
  if (d.linear && cache) {
    const { chol, beta } = solvePenalised(cache.xwx, St, cache.xwz, p);
    let rss = cache.zwz;
    for (let i = 0; i < p; i++) {
      rss -= 2 * beta[i] * cache.xwz[i];
    }
    rss += quad(cache.xwx, beta, p);
    // η is formed once, for the final fit (completeFit): the criterion needs only the rss
    return {
      beta,
      xwx: cache.xwx,
      chol,
      eta: null,
      mu: null,
      wt: d.w,
      deviance: Math.max(rss, 0),
      penalty: quad(St, beta, p),
      iterations: 1,
    };
  }
  const fam = d.fam;
  let eta: Float64Array;
  if (start) eta = linearPredictor(d.X, n, p, start, d.offset);
  else eta = fam.link(fam.family.startingMu(d.y, d.w));
  let mu = fam.mean(eta);
  let dev = fam.deviance(d.y, mu, d.w);
  let beta: Float64Array = start ? Float64Array.from(start) : new Float64Array(p);
  let pdev = start ? dev + quad(St, beta, p) : Number.POSITIVE_INFINITY;
  const z = new Float64Array(n);
  const wt = new Float64Array(n);
  let last: { xwx: Float64Array; chol: ScaledCholesky } | null = null;
  let floorHits = 0;
  let lastChange = Number.POSITIVE_INFINITY;
  for (let iter = 1; iter <= 200; iter++) {
    const dmu = fam.meanDerivative(eta);
    const v = fam.variance(mu);
    for (let i = 0; i < n; i++) {
      const g = dmu[i];
      wt[i] = (d.w[i] * g * g) / v[i];
      z[i] = eta[i] - (d.offset ? d.offset[i] : 0) + (d.y[i] - mu[i]) / g;
      if (!Number.isFinite(wt[i]) || !Number.isFinite(z[i])) {
        wt[i] = 0;
        z[i] = 0;
      }
    }
    const acc = weightedCrossprod(d.X, n, p, wt, z);
    const q = p + 1;
    const xwx = new Float64Array(p * p);
    const xwz = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) xwx[i * p + j] = acc[i * q + j];
      xwz[i] = acc[p * q + i];
    }
    const sol = solvePenalised(xwx, St, xwz, p);
    let next = sol.beta;
    // the size of the full (Fisher scoring) step decides convergence, not the accepted
    // step: near the optimum rounding can make a halved step look like convergence
    let change = 0;
    let size = 0;
    for (let j = 0; j < p; j++) {
      change = Math.max(change, Math.abs(next[j] - beta[j]));
      size = Math.max(size, Math.abs(next[j]));
    }
    let etaN = linearPredictor(d.X, n, p, next, d.offset);
    let muN = fam.mean(etaN);
    let devN = fam.deviance(d.y, muN, d.w);
    let pdevN = devN + quad(St, next, p);
    // step halving while the penalised deviance is not finite or grows (beyond rounding)
    for (
      let h = 0;
      h < 40 && (!Number.isFinite(pdevN) || pdevN > pdev + 1e-11 * Math.abs(pdev));
      h++
    ) {
      const half = new Float64Array(p);
      for (let j = 0; j < p; j++) half[j] = (next[j] + beta[j]) / 2;
      next = half;
      etaN = linearPredictor(d.X, n, p, next, d.offset);
      muN = fam.mean(etaN);
      devN = fam.deviance(d.y, muN, d.w);
      pdevN = devN + quad(St, next, p);
    }
    const halved = next !== sol.beta;
    const stalled = halved && Math.abs(pdevN - pdev) <= 1e-14 * (Math.abs(pdev) + 0.1);
    // at the rounding floor of an ill-conditioned system (tiny λ, near separation) the full
    // step stays around 1e-8, or wanders along directions the fit hardly determines (with
    // coefficients of 1e4 and more), and the penalised deviance only jitters: further
    // iterations cannot improve the fit, so two such iterations in a row end it. The
    // Newton decrement δᵀ(XᵀWX + S)δ of the full step is the decrease it promises.
    let decrement = 0;
    for (let a = 0; a < p; a++) {
      const da = sol.beta[a] - beta[a];
      if (da === 0) continue;
      let t = 0;
      for (let b = 0; b < p; b++) t += (xwx[a * p + b] + St[a * p + b]) * (sol.beta[b] - beta[b]);
      decrement += da * t;
    }
    // (a step no smaller than the last one: a converging iteration shrinks its steps)
    const floor = 1e-11 * (Math.abs(pdev) + 0.1);
    const wandering = decrement <= floor && change >= 0.5 * lastChange;
    lastChange = change;
    floorHits =
      (change <= 1e-6 * (size + 1e-3) || wandering) && Math.abs(pdevN - pdev) <= floor
        ? floorHits + 1
        : 0;
    const converged =
      Number.isFinite(pdev) && (change <= 1e-10 * (size + 1e-3) || stalled || floorHits >= 2);
    beta = next;
    eta = etaN;
    mu = muN;
    dev = devN;
    pdev = pdevN;
    last = { xwx, chol: sol.chol };
    if (converged && iter > 1) {
      return {
        beta,
        xwx,
        chol: sol.chol,
        eta,
        mu,
        wt: Float64Array.from(wt),
        deviance: dev,
        penalty: pdev - dev,
        iterations: iter,
      };
    }
  }
  if (!last) throw new GamError("NOT_CONVERGED", "P-IRLS did not start");
  return {
    beta,
    xwx: last.xwx,
    chol: last.chol,
    eta,
    mu,
    wt: Float64Array.from(wt),
    deviance: dev,
    penalty: pdev - dev,
    iterations: 200,
  };
}
