/** Generalized linear models: IRLS and gradient fitting, inference, save/load. */

export { getThreads, setThreads } from "@geoml/autodiff";
export { setLinalgSimd } from "../linalg/simd-switch.js";
export {
  DataError,
  FormulaError,
  GlmError,
  type GlmErrorCode,
  isGlmError,
  OptionError as GlmOptionError,
  RankDeficientError,
  SeparationError,
} from "./errors.js";
export { type FamilyOptions, type FamilySpec, resolveFamily } from "./family.js";
export { type FormulaInput, Glm, type GlmOptions, glm, type MatrixInput } from "./glm.js";
export {
  loadMultinomial,
  Multinomial,
  type MultinomialInput,
  type MultinomialOptions,
  MultinomialResults,
  type MultinomialState,
  multinomial,
} from "./multinomial.js";
export {
  type CoefficientRow,
  GlmResults,
  type GlmState,
  loadGlm,
  type PredictOptions as GlmPredictOptions,
} from "./results.js";
