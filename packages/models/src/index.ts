// GLM: formulas, IRLS and gradient fitting, inference, save/load.
export * from "./formula/index.js";
export * from "./glm/index.js";
// MLP: networks as the predictor, any family as the loss.
export {
  type ActivationName,
  type Architecture as MlpArchitecture,
  activationNames,
  type EpochProgress,
  type FitHistory,
  type FitOptions as MlpFitOptions,
  forward as mlpForward,
  initParams as initMlpParams,
  isMlpError,
  loadMlp,
  Mlp,
  MlpDataError,
  MlpDivergedError,
  MlpError,
  type MlpErrorCode,
  MlpFormatError,
  type MlpJSON,
  type MlpLayer,
  MlpNotFittedError,
  MlpOptionError,
  type MlpParams,
  MlpShapeError,
  type MlpSpec,
  mlp,
  type PredictOptions as MlpPredictOptions,
  type ValidationSet as MlpValidationSet,
} from "./mlp/index.js";
