export { type ActivationName, activation, activationNames } from "./activations.js";
export type { MatrixInput, VectorInput } from "./data.js";
export {
  isMlpError,
  MlpDataError,
  MlpDivergedError,
  MlpError,
  type MlpErrorCode,
  MlpFormatError,
  MlpNotFittedError,
  MlpOptionError,
  MlpShapeError,
} from "./errors.js";
export type { FamilyParameters } from "./family.js";
export type { MlpFormulaInput } from "./formula-fit.js";
export { MIN_STD } from "./head.js";
export { loadMlpResults } from "./load.js";
export {
  type FitOptions,
  fitMlp,
  loadMlp,
  Mlp,
  type MlpSpec,
  mlp,
  type PredictOptions,
  type ValidationSet,
} from "./model.js";
export {
  type Architecture,
  forward,
  type Initializer,
  initParams,
  LAYER_NORM_EPS,
  type MlpLayer,
  type MlpParams,
} from "./network.js";
export type { Optimizer } from "./optimizer.js";
export { MlpResults, type MlpState } from "./results.js";
export type { FamilyJSON, MlpJSON, TensorJSON, WeightEncoding } from "./serialize.js";
export type { EpochProgress, FitHistory } from "./train.js";
