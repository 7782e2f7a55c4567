/** Generalized additive models as R's mgcv fits them. */
export { basisNames, registerBasis } from "./bases/registry.js";
export type { BasisOptions, BasisState, BasisType, RawBasis } from "./bases/types.js";
export type { GamMethod } from "./criterion.js";
export { GamError, type GamErrorCode, isGamError } from "./errors.js";
export { Gam, type GamFormulaInput, type GamOptions, type GamSpec, gam } from "./fit.js";
export { loadGam } from "./load.js";
export { type MultinomGamJSON, MultinomGamResults } from "./multinom.js";
export {
  GAM_FORMAT_VERSION,
  type GamJSON,
  type GamPrediction,
  type GamPredictOptions,
  GamResults,
  type PartialEffect,
} from "./results.js";
export type { SmoothInfo } from "./smooth.js";
export type { ParametricRow, SmoothRow, SummaryTable } from "./summary.js";
