/** Small dense linear algebra on Float64Array for the classical GLM solvers. */

export { getThreads, setThreads, sharedFloat64 } from "@geoml/autodiff";
export {
  ALIAS_TOLERANCE,
  type CholeskyFactor,
  cholesky,
  choleskyInverse,
  choleskySolve,
} from "./cholesky.js";
export { linearPredictor, rowQuadraticForm, weightedCrossprod } from "./crossprod.js";
export { setLinalgSimd } from "./simd-switch.js";
