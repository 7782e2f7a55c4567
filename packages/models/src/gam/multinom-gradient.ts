/**
 * The analytic gradient of the multinomial GAM's REML/ML criterion
 * V = −ℓ(β̂) + β̂ᵀS_λβ̂/2 + log|H + S_λ|/2 − log|S_λ|₊/2 (H = −∇²ℓ, the exact Hessian) in
 * ρ = log λ, as gradient.ts does it for one linear predictor:
 *
 *   dV/dρ_j = λ_j β̂ᵀS_jβ̂/2 + ½ tr(A(dH/dρ_j + λ_jS_j)) − ½ d log|S_λ|₊/dρ_j,
 *
 * A = (H + S_λ)⁻¹ (REML) or its restriction to the penalised range (ML),
 * dβ̂_j = −(H + S_λ)⁻¹λ_jS_jβ̂. H's blocks are Xᵀdiag(w p_k(δ_kl − p_l))X, so dH/dρ_j
 * follows from dp_k = p_k(dη_k − Σ_m p_m dη_m) with dη_m = X dβ̂_j of predictor m, and
 * tr(A dH) = Σ_kl Σ_i dW_kl,i (X A_kl Xᵀ)_ii: K(K+1)/2 O(np²) passes per evaluation.
 */
import { linearPredictor } from "../linalg/index.js";
import type { Penalty, PenaltyBlock } from "./criterion.js";
import { scaledInverse, scaledSolve } from "./dense.js";
import { leverages, logDetPenaltyGradient, penaltyTerms, rangeInverse } from "./gradient.js";
import { type MultinomData, type MultinomFit, probabilities } from "./multinom-data.js";

/** Gradient of the multinomial criterion at ρ, from the converged fit there. */
export function multinomGradient(
  d: MultinomData,
  penalties: readonly Penalty[],
  blocks: readonly PenaltyBlock[],
  reml: boolean,
  rho: ArrayLike<number>,
  fit: MultinomFit,
  St: Float64Array,
): Float64Array {
  const { n, p, K } = d;
  const q = K * p;
  const beta = fit.beta;
  let A: Float64Array;
  if (reml) A = scaledInverse(fit.chol);
  else {
    const H = new Float64Array(q * q);
    for (let i = 0; i < q * q; i++) H[i] = fit.hess[i] + St[i];
    A = rangeInverse(blocks, H, q);
  }
  // D[k][l] = diag(X A_kl Xᵀ), k ≤ l
  const D: Float64Array[][] = [];
  for (let k = 0; k < K; k++) {
    D.push([]);
    for (let l = 0; l < K; l++) {
      if (l < k) {
        D[k].push(D[l][k]);
        continue;
      }
      const block = new Float64Array(p * p);
      for (let a = 0; a < p; a++)
        for (let b = 0; b < p; b++) block[a * p + b] = A[(k * p + a) * q + l * p + b];
      D[k].push(leverages(d.X, n, p, block));
    }
  }
  const P = probabilities(d, beta);
  const dS = logDetPenaltyGradient(blocks, penalties, rho);
  const grad = new Float64Array(penalties.length);
  const dp = new Float64Array(K * n);
  penalties.forEach((pen, j) => {
    const l = Math.exp(rho[j]);
    const { Sb, bSb, trAS } = penaltyTerms(pen, l, beta, A, q);
    const db = scaledSolve(fit.chol, Sb);
    // dη_m = −X db_m; dp_k = p_k(dη_k − Σ_m p_m dη_m)
    const deta = Array.from({ length: K }, (_, m) =>
      linearPredictor(d.X, n, p, db.subarray(m * p, m * p + p), null),
    );
    for (let i = 0; i < n; i++) {
      let mean = 0;
      for (let m = 0; m < K; m++) mean -= P[i * (K + 1) + m + 1] * deta[m][i];
      for (let k = 0; k < K; k++) {
        const pk = P[i * (K + 1) + k + 1];
        dp[k * n + i] = pk * (-deta[k][i] - mean);
      }
    }
    let tr = 0;
    for (let k = 0; k < K; k++)
      for (let m = k; m < K; m++) {
        const Dk = D[k][m];
        const twice = m === k ? 1 : 2;
        let s = 0;
        for (let i = 0; i < n; i++) {
          const pk = P[i * (K + 1) + k + 1];
          const pm = P[i * (K + 1) + m + 1];
          const dW = dp[k * n + i] * ((k === m ? 1 : 0) - pm) - pk * dp[m * n + i];
          s += d.w[i] * dW * Dk[i];
        }
        tr += twice * s;
      }
    grad[j] = (l * bSb) / 2 + (tr + l * trAS) / 2 - dS[j] / 2;
  });
  return grad;
}
