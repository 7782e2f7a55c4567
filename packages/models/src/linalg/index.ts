/** Small dense linear algebra on Float64Array for the classical GLM solvers. */
export {
  ALIAS_TOLERANCE,
  type CholeskyFactor,
  cholesky,
  choleskyInverse,
  choleskySolve,
} from "./cholesky.js";
export { linearPredictor, rowQuadraticForm, weightedCrossprod } from "./crossprod.js";
export {
  getThreads,
  setLinalgSimd,
  setThreads,
  sharedFloat64,
} from "./parallel.js";
