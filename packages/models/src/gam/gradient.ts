/**
 * The analytic gradient of the REML/ML criterion with respect to ρ = log λ (Wood 2011,
 * JRSSB 73(1), the first derivatives mgcv's gdi.c computes), at a converged fit:
 *
 *   dV/dρ_k = λ_k β̂ᵀS_kβ̂/(2φ) + ½ tr(A (Xᵀ diag(w'·X dβ̂_k) X + λ_k S_k)) − ½ d log|S_λ|₊/dρ_k
 *
 * with A = H⁻¹ (REML) or U_r(U_rᵀHU_r)⁻¹U_rᵀ (ML), H = XᵀWX + S_λ at the Fisher weights W
 * the criterion uses, w' = dW/dη per row, and dβ̂_k = −Ĥ⁻¹λ_kS_kβ̂ with Ĥ the Hessian of the
 * penalised deviance/2 (Fisher = Newton weights for canonical links). The deviance term
 * needs no dβ̂ (β̂ minimises it) and a profiled scale none either (the criterion is
 * stationary in φ̂). One O(np²) pass over the rows, instead of 2m or more refits.
 */
import { linearPredictor, weightedCrossprod } from "../linalg/index.js";
import type { CriterionSetup, Evaluation, Penalty, PenaltyBlock } from "./criterion.js";
import {
  cholInverse,
  cholLower,
  type ScaledCholesky,
  scaledCholesky,
  scaledInverse,
  scaledSolve,
  symEigen,
} from "./dense.js";

/**
 * diag(X A Xᵀ) for a column-major n×p X and any p×p A (only its symmetric part counts):
 * Σ_j x_j (A_jj x_j + 2 Σ_{l<j} Ā_jl x_l) with Ā = (A + Aᵀ)/2, built column by column
 * with contiguous axpys (the form engines vectorise), p²/2 of them.
 */
export function leverages(X: Float64Array, n: number, p: number, A: Float64Array): Float64Array {
  const out = new Float64Array(n);
  const col = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const o = j * n;
    const ajj = A[j * p + j];
    for (let i = 0; i < n; i++) col[i] = ajj * X[o + i];
    for (let l = 0; l < j; l++) {
      const a = A[j * p + l] + A[l * p + j];
      if (a === 0) continue;
      const ol = l * n;
      for (let i = 0; i < n; i++) col[i] += a * X[ol + i];
    }
    for (let i = 0; i < n; i++) out[i] += X[o + i] * col[i];
  }
  return out;
}

/**
 * diag(X H⁻¹ Xᵀ) from the equilibrated Cholesky factor of H (H = D⁻¹LLᵀD⁻¹): the squared
 * norms of the rows of Z = X D L⁻ᵀ, formed column by column (half the work of
 * {@link leverages}).
 */
export function cholLeverages(X: Float64Array, n: number, f: ScaledCholesky): Float64Array {
  const p = f.n;
  const Z = new Float64Array(n * p);
  const out = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const zj = Z.subarray(j * n, j * n + n);
    const dj = f.d[j];
    const o = j * n;
    for (let i = 0; i < n; i++) zj[i] = dj * X[o + i];
    for (let k = 0; k < j; k++) {
      const l = f.l[j * p + k];
      if (l === 0) continue;
      const ok = k * n;
      for (let i = 0; i < n; i++) zj[i] -= l * Z[ok + i];
    }
    const inv = 1 / f.l[j * p + j];
    for (let i = 0; i < n; i++) {
      const z = zj[i] * inv;
      zj[i] = z;
      out[i] += z * z;
    }
  }
  return out;
}

/** Step in η for the per-row central differences of the weight functions. */
const ETA_STEP = 1e-5;

/** d log|S_λ|₊ / dρ_k for every k: the rank for a single penalty, tr(S_b⁺λ_kS_k) for several. */
export function logDetPenaltyGradient(
  blocks: readonly PenaltyBlock[],
  penalties: readonly Penalty[],
  rho: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(penalties.length);
  for (const b of blocks) {
    if (b.penalties.length === 1) {
      out[b.penalties[0]] = b.rank;
      continue;
    }
    const q = b.size;
    const sum = new Float64Array(q * q);
    for (const j of b.penalties) {
      const l = Math.exp(rho[j]);
      const S = penalties[j].S;
      for (let t = 0; t < sum.length; t++) sum[t] += l * S[t];
    }
    // pseudo-inverse over the block's penalised range
    const e = symEigen(sum, q);
    const pinv = new Float64Array(q * q);
    for (let t = 0; t < b.rank; t++) {
      const inv = 1 / e.values[t];
      for (let r = 0; r < q; r++) {
        const vr = e.vectors[r * q + t] * inv;
        if (vr === 0) continue;
        for (let c = 0; c < q; c++) pinv[r * q + c] += vr * e.vectors[c * q + t];
      }
    }
    for (const j of b.penalties) {
      const S = penalties[j].S;
      let tr = 0;
      for (let t = 0; t < q * q; t++) tr += pinv[t] * S[t];
      out[j] = Math.exp(rho[j]) * tr;
    }
  }
  return out;
}

/**
 * U_r(U_rᵀHU_r)⁻¹U_rᵀ for the penalised range space U_r of the blocks (the matrix whose
 * trace against dH gives d log|U_rᵀHU_r|, the ML criterion's determinant). H is q×q.
 */
export function rangeInverse(blocks: readonly PenaltyBlock[], H: Float64Array, q: number) {
  const cols: { first: number; size: number; rank: number; range: Float64Array; c: number }[] = [];
  for (const b of blocks) for (let c = 0; c < b.rank; c++) cols.push({ ...b, c });
  const r = cols.length;
  // U (q×r) explicitly: r and q are small
  const U = new Float64Array(q * r);
  cols.forEach((u, j) => {
    for (let t = 0; t < u.size; t++) U[(u.first + t) * r + j] = u.range[t * u.rank + u.c];
  });
  const M = new Float64Array(r * r);
  const HU = new Float64Array(q * r);
  for (let a = 0; a < q; a++)
    for (let k = 0; k < q; k++) {
      const h = H[a * q + k];
      if (h === 0) continue;
      for (let j = 0; j < r; j++) HU[a * r + j] += h * U[k * r + j];
    }
  for (let a = 0; a < q; a++)
    for (let i = 0; i < r; i++) {
      const u = U[a * r + i];
      if (u === 0) continue;
      for (let j = 0; j < r; j++) M[i * r + j] += u * HU[a * r + j];
    }
  const L = cholLower(M, r);
  let Mi: Float64Array;
  if (L) Mi = cholInverse(L, r);
  else {
    // not numerically positive definite: the inverse over the positive eigenvalues
    const e = symEigen(M, r);
    Mi = new Float64Array(r * r);
    for (let t = 0; t < r; t++)
      if (e.values[t] > 0)
        for (let a = 0; a < r; a++)
          for (let b = 0; b < r; b++)
            Mi[a * r + b] += (e.vectors[a * r + t] * e.vectors[b * r + t]) / e.values[t];
  }
  const UMi = new Float64Array(q * r);
  for (let a = 0; a < q; a++)
    for (let k = 0; k < r; k++) {
      const u = U[a * r + k];
      if (u === 0) continue;
      for (let j = 0; j < r; j++) UMi[a * r + j] += u * Mi[k * r + j];
    }
  const out = new Float64Array(q * q);
  for (let a = 0; a < q; a++)
    for (let b = 0; b < q; b++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += UMi[a * r + j] * U[b * r + j];
      out[a * q + b] = s;
    }
  return out;
}

/**
 * Per-row derivatives in η of the Fisher weight W = w μ'²/V and of a = μ'/V (whose
 * derivative makes the Newton weight: W_N = W − w(y − μ)a'), by central differences
 * (step 1e-5 in η: truncation and rounding both below 1e-9 relative).
 */
function weightDerivatives(setup: CriterionSetup, eta: Float64Array) {
  const { fam, n, w } = setup.data;
  const at = (shift: number) => {
    const e = eta.map((v) => v + shift);
    const dmu = fam.meanDerivative(e);
    const v = fam.variance(fam.mean(e));
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = dmu[i] / v[i];
    return { dmu, a };
  };
  const up = at(ETA_STEP);
  const down = at(-ETA_STEP);
  const dW = new Float64Array(n);
  const da = new Float64Array(n);
  let aScale = 0;
  let daScale = 0;
  for (let i = 0; i < n; i++) {
    const Wu = w[i] * up.dmu[i] * up.a[i];
    const Wd = w[i] * down.dmu[i] * down.a[i];
    dW[i] = (Wu - Wd) / (2 * ETA_STEP);
    da[i] = (up.a[i] - down.a[i]) / (2 * ETA_STEP);
    if (!Number.isFinite(dW[i])) dW[i] = 0;
    if (!Number.isFinite(da[i])) da[i] = 0;
    aScale = Math.max(aScale, Math.abs(up.a[i]));
    daScale = Math.max(daScale, Math.abs(da[i]));
  }
  // canonical link: μ'/V ≡ 1, what remains of a' is rounding
  const canonical = daScale <= 1e-6 * aScale;
  return { dW, da: canonical ? null : da };
}

/**
 * One penalty's pieces of the gradient: λS_kβ̂ embedded in a vector of `dim`, β̂ᵀS_kβ̂ and
 * tr(A S_k) for a symmetric dim×dim A.
 */
export function penaltyTerms(
  pen: Penalty,
  lambda: number,
  beta: Float64Array,
  A: Float64Array,
  dim: number,
): { Sb: Float64Array; bSb: number; trAS: number } {
  const Sb = new Float64Array(dim);
  let bSb = 0;
  let trAS = 0;
  for (let a = 0; a < pen.size; a++) {
    let s = 0;
    for (let b = 0; b < pen.size; b++) {
      const v = pen.S[a * pen.size + b];
      s += v * beta[pen.first + b];
      trAS += A[(pen.first + b) * dim + pen.first + a] * v;
    }
    Sb[pen.first + a] = lambda * s;
    bSb += beta[pen.first + a] * s;
  }
  return { Sb, bSb, trAS };
}

/**
 * Gradient of the REML or ML criterion in ρ at the evaluation `ev` (as {@link evaluate}
 * returned it for `rho`). Not for GCV/UBRE.
 */
export function criterionGradient(
  setup: CriterionSetup,
  rho: ArrayLike<number>,
  ev: Evaluation,
): Float64Array {
  const St = ev.St;
  const d = setup.data;
  const { n, p } = d;
  const fit = ev.fit;
  const beta = fit.beta;
  const m = setup.penalties.length;
  const reml = setup.method === "REML";
  let A: Float64Array;
  if (reml) A = scaledInverse(fit.chol);
  else {
    const H = new Float64Array(p * p);
    for (let i = 0; i < p * p; i++) H[i] = fit.xwx[i] + St[i];
    A = rangeInverse(setup.blocks, H, p);
  }
  const grad = new Float64Array(m);
  // S_kβ̂ per penalty, and the explicit terms λ_kβ̂ᵀS_kβ̂/2φ + λ_k tr(A S_k)/2
  const Sb: Float64Array[] = setup.penalties.map((pen, k) => {
    const l = Math.exp(rho[k]);
    const t = penaltyTerms(pen, l, beta, A, p);
    grad[k] = (l * t.bSb) / (2 * ev.scale) + (l * t.trAS) / 2;
    return t.Sb;
  });
  if (!d.linear) {
    // the weights move with β̂: ½ tr(A Xᵀdiag(w'·X dβ̂_k)X) = ½ gᵀdβ̂_k, g = Xᵀ(w' ∘ diag(XAXᵀ))
    const eta = fit.eta ?? linearPredictor(d.X, n, p, beta, d.offset);
    const { dW, da } = weightDerivatives(setup, eta);
    const diag = reml ? cholLeverages(d.X, n, fit.chol) : leverages(d.X, n, p, A);
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = dW[i] * diag[i];
    const g = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let s = 0;
      const o = j * n;
      for (let i = 0; i < n; i++) s += d.X[o + i] * v[i];
      g[j] = s;
    }
    // dβ̂_k = −Ĥ⁻¹ λ_k S_k β̂: Ĥ is H itself for a canonical link, else at Newton weights
    let solve = (b: Float64Array) => scaledSolve(fit.chol, b);
    if (da) {
      const mu = fit.mu ?? d.fam.mean(eta);
      const wn = new Float64Array(n);
      const dmu = d.fam.meanDerivative(eta);
      const V = d.fam.variance(mu);
      for (let i = 0; i < n; i++) {
        const wf = (d.w[i] * dmu[i] * dmu[i]) / V[i];
        const x = wf - d.w[i] * (d.y[i] - mu[i]) * da[i];
        wn[i] = Number.isFinite(x) ? x : 0;
      }
      const acc = weightedCrossprod(d.X, n, p, wn, new Float64Array(n));
      const Hn = new Float64Array(p * p);
      for (let a = 0; a < p; a++)
        for (let b = 0; b < p; b++) Hn[a * p + b] = acc[a * (p + 1) + b] + St[a * p + b];
      const chol = scaledCholesky(Hn, p);
      // an indefinite Newton Hessian (far from the data): the Fisher one instead
      if (chol) solve = (b: Float64Array) => scaledSolve(chol, b);
    }
    for (let k = 0; k < m; k++) {
      const db = solve(Sb[k]);
      let s = 0;
      for (let j = 0; j < p; j++) s -= g[j] * db[j];
      grad[k] += s / 2;
    }
  }
  const dS = logDetPenaltyGradient(setup.blocks, setup.penalties, rho);
  for (let k = 0; k < m; k++) grad[k] -= dS[k] / 2;
  return grad;
}
