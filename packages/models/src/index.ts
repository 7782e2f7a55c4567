/**
 * @geoml/models — every model kind is a specification whose `fit(...)` returns a
 * {@link Results} (predict, summary, toJSON with `kind` and `formatVersion`);
 * `loadModel(json)` reads any saved model through the kind registry.
 */
import "./kinds.js";

// The model contract: results, predictions, saved files, the kind registry, errors.
export {
  isModelError,
  ModelError,
  type ModelErrorCode,
  ModelFileError,
  UnknownModelKindError,
} from "./contract/errors.js";
export {
  type CheckedPredictOptions,
  checkPredictOptions,
  confidenceInterval,
  predictionInterval,
} from "./contract/predict.js";
export {
  checkHeader,
  loadModel,
  type ModelKind,
  modelKind,
  modelKinds,
  parseSavedModel,
  registerModelKind,
} from "./contract/registry.js";
export type {
  IntervalKind,
  NewData,
  Prediction,
  PredictOptions,
  PredictType,
  Results,
  SavedModel,
} from "./contract/results.js";
// Formulas and designs.
export * from "./formula/index.js";
// GLM: IRLS and gradient fitting, inference, multinomial, elastic net.
export * from "./glm/index.js";
// MLP: networks as the predictor, any family as the loss.
export {
  type ActivationName,
  type Architecture as MlpArchitecture,
  activationNames,
  type EpochProgress,
  type FamilyParameters as MlpFamilyParameters,
  type FitHistory,
  type FitOptions as MlpFitOptions,
  fitMlp,
  forward as mlpForward,
  initParams as initMlpParams,
  isMlpError,
  loadMlp,
  loadMlpResults,
  Mlp,
  MlpDataError,
  MlpDivergedError,
  MlpError,
  type MlpErrorCode,
  MlpFormatError,
  type MlpFormulaInput,
  type MlpJSON,
  type MlpLayer,
  MlpNotFittedError,
  MlpOptionError,
  type MlpParams,
  MlpResults,
  MlpShapeError,
  type MlpSpec,
  type MlpState,
  mlp,
  type PredictOptions as MlpPredictOptions,
  type ValidationSet as MlpValidationSet,
} from "./mlp/index.js";
