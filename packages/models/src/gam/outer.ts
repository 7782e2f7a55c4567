/**
 * The outer iteration: Newton's method on ρ = log λ, as mgcv's `newton`, with
 * the gradient and Hessian of the criterion by central differences of fully
 * converged inner fits. The Hessian is made positive definite through its
 * eigenvalues, steps are capped at 5 in ρ and halved until the score falls.
 */

import { symEigen } from "./dense.js";

/** What the outer iteration needs of an evaluation: the score and where the fit ended. */
export interface Scored {
  score: number;
  fit: { beta: Float64Array };
}

/** Result of the outer iteration. */
export interface OuterResult<E extends Scored> {
  rho: Float64Array;
  best: E;
  iterations: number;
  converged: boolean;
  gradient: Float64Array;
}

/** Largest |ρ| allowed: λ between e⁻³⁰ and e³⁰. */
const RHO_LIMIT = 30;

/**
 * Minimises a criterion over ρ from rho0; `evaluate(ρ, start)` fits at ρ (warm-started
 * from the coefficients `start`) and scores the fit.
 */
export function newtonOuter<E extends Scored>(
  evaluate: (rho: Float64Array, start: Float64Array | null) => E,
  rho0: Float64Array,
  maxIter = 200,
): OuterResult<E> {
  const m = rho0.length;
  let rho = Float64Array.from(rho0);
  let best = evaluate(rho, null);
  const at = (r: Float64Array) => evaluate(r, best.fit.beta).score;
  const clamp = (r: Float64Array) => r.map((v) => Math.max(-RHO_LIMIT, Math.min(RHO_LIMIT, v)));
  let gradient = new Float64Array(m);
  let converged = false;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    const f0 = best.score;
    const h = 1e-4;
    const g = new Float64Array(m);
    const H = new Float64Array(m * m);
    const shifted = (pairs: [number, number][]) => {
      const r = Float64Array.from(rho);
      for (const [j, s] of pairs) r[j] += s;
      return at(r);
    };
    for (let j = 0; j < m; j++) {
      const fp = shifted([[j, h]]);
      const fm = shifted([[j, -h]]);
      g[j] = (fp - fm) / (2 * h);
    }
    const h2 = 1e-3;
    for (let j = 0; j < m; j++) {
      const fp = shifted([[j, h2]]);
      const fm = shifted([[j, -h2]]);
      H[j * m + j] = (fp - 2 * f0 + fm) / (h2 * h2);
      for (let k = 0; k < j; k++) {
        const v =
          (shifted([
            [j, h2],
            [k, h2],
          ]) -
            shifted([
              [j, h2],
              [k, -h2],
            ]) -
            shifted([
              [j, -h2],
              [k, h2],
            ]) +
            shifted([
              [j, -h2],
              [k, -h2],
            ])) /
          (4 * h2 * h2);
        H[j * m + k] = v;
        H[k * m + j] = v;
      }
    }
    // a parameter held at its bound by a gradient pushing outwards is converged
    for (let j = 0; j < m; j++)
      if ((rho[j] >= RHO_LIMIT - 1e-9 && g[j] < 0) || (rho[j] <= -RHO_LIMIT + 1e-9 && g[j] > 0)) {
        g[j] = 0;
        for (let k = 0; k < m; k++) {
          H[j * m + k] = k === j ? 1 : 0;
          H[k * m + j] = k === j ? 1 : 0;
        }
      }
    gradient = g;
    const gmax = Math.max(...g.map(Math.abs));
    if (gmax <= 1e-7 * (Math.abs(f0) + 1)) {
      converged = true;
      break;
    }
    // Newton direction with a positive definite Hessian
    const e = symEigen(H, m);
    const top = Math.max(...e.values.map(Math.abs), 1e-12);
    const step = new Float64Array(m);
    for (let c = 0; c < m; c++) {
      const lam = Math.max(Math.abs(e.values[c]), top * 1e-7);
      let proj = 0;
      for (let r = 0; r < m; r++) proj += e.vectors[r * m + c] * g[r];
      for (let r = 0; r < m; r++) step[r] -= (e.vectors[r * m + c] * proj) / lam;
    }
    const big = Math.max(...step.map(Math.abs));
    if (big > 5) for (let j = 0; j < m; j++) step[j] *= 5 / big;
    let accepted = false;
    for (let half = 0; half < 30; half++) {
      const trial = clamp(rho.map((v, j) => v + step[j]));
      const ev = evaluate(trial, best.fit.beta);
      if (ev.score < f0 - 1e-14 * Math.abs(f0)) {
        rho = trial;
        best = ev;
        accepted = true;
        break;
      }
      for (let j = 0; j < m; j++) step[j] /= 2;
    }
    if (!accepted && gmax > 1e-4 * (Math.abs(f0) + 1)) {
      // A clear gradient but no descent along the Newton direction: the finite-difference
      // Hessian is unreliable here (rounding noise on a flat ridge); try steepest descent.
      for (let j = 0; j < m; j++) step[j] = (-g[j] / gmax) * Math.min(1, gmax);
      for (let half = 0; half < 30 && !accepted; half++) {
        const trial = clamp(rho.map((v, j) => v + step[j]));
        const ev = evaluate(trial, best.fit.beta);
        if (ev.score < f0 - 1e-14 * Math.abs(f0)) {
          rho = trial;
          best = ev;
          accepted = true;
        } else for (let j = 0; j < m; j++) step[j] /= 2;
      }
    }
    if (!accepted) {
      // no descent along the Newton direction: converged as far as the criterion resolves
      converged = gmax <= 1e-4 * (Math.abs(f0) + 1);
      break;
    }
    if (
      Math.abs(f0 - best.score) <= 1e-13 * (Math.abs(f0) + 1) &&
      Math.max(...step.map(Math.abs)) < 1e-6
    ) {
      converged = true;
      break;
    }
  }
  return { rho, best, iterations: iter, converged, gradient };
}
