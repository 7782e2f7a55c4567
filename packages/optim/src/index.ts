/**
 * @geoml/optim — gradient optimisers over trees of tensors: SGD, Adam, AdamW,
 * RMSprop as composable `init`/`update` pairs, learning-rate schedules, and
 * L-BFGS with a strong-Wolfe line search behind a scipy-like `minimize`.
 */
export { type AdamOptions, type AdamState, adam, adamw } from "./adam.js";
export { addWeightDecay, clipByGlobalNorm, clipByValue, globalNorm, scale } from "./combinators.js";
export {
  isOptimError,
  NonFiniteError,
  type NonFiniteKind,
  OptimError,
  type OptimErrorCode,
  OptionError,
  TreeMismatchError,
} from "./errors.js";
export { type FlatObjective, type LbfgsOptions, type LbfgsResult, lbfgsFlat } from "./lbfgs.js";
export {
  cubicInterpolate,
  type Evaluation,
  type LineFunction,
  type LineSearchOptions,
  type LineSearchResult,
  strongWolfe,
} from "./line-search.js";
export {
  type MinimizeMethod,
  type MinimizeOptions,
  minimize,
  type OptimizeResult,
} from "./minimize.js";
export { type RmspropOptions, type RmspropState, rmsprop } from "./rmsprop.js";
export {
  type CosineDecayOptions,
  cosineDecay,
  type LearningRate,
  type PlateauState,
  ReduceOnPlateau,
  type ReduceOnPlateauOptions,
  reduceOnPlateau,
  type Schedule,
  type StepDecayOptions,
  stepDecay,
} from "./schedules.js";
export { type SgdOptions, type SgdState, sgd } from "./sgd.js";
export {
  applyUpdates,
  type ChainState,
  chain,
  type GradientTransformation,
  type LeafInfo,
  type UpdateExtras,
  type UpdateResult,
} from "./transform.js";
