/**
 * The data, converged fit and class probabilities of the multinomial GAM (mgcv's
 * multinom), shared by its fit (multinom.ts) and the gradient of its criterion.
 */
import { linearPredictor } from "../linalg/index.js";
import type { ScaledCholesky } from "./dense.js";

/** A converged multinomial fit at fixed smoothing parameters. */
export interface MultinomFit {
  beta: Float64Array;
  /** −∇²ℓ (Kp×Kp). */
  hess: Float64Array;
  chol: ScaledCholesky;
  logLik: number;
  penalty: number;
}

/** The data of a multinomial GAM: K linear predictors on one n×p model matrix. */
export interface MultinomData {
  X: Float64Array;
  n: number;
  p: number;
  K: number;
  y: Int32Array;
  w: Float64Array;
}

/** Class probabilities (n×(K+1), row-major) from the K linear predictors. */
export function probabilities(d: MultinomData, beta: Float64Array): Float64Array {
  const { n, p, K } = d;
  const etas = Array.from({ length: K }, (_, k) =>
    linearPredictor(d.X, n, p, beta.subarray(k * p, k * p + p), null),
  );
  const out = new Float64Array(n * (K + 1));
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < K; k++) m = Math.max(m, etas[k][i]);
    let s = Math.exp(-m);
    for (let k = 0; k < K; k++) s += Math.exp(etas[k][i] - m);
    out[i * (K + 1)] = Math.exp(-m) / s;
    for (let k = 0; k < K; k++) out[i * (K + 1) + k + 1] = Math.exp(etas[k][i] - m) / s;
  }
  return out;
}
