// GLM: formulas, IRLS and gradient fitting, inference, save/load.
export * from "./formula/index.js";
// GAM: smooth terms, smoothness selection, mgcv's answers.
export * from "./gam/index.js";
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
  fitMlpFromArgs,
  fitMlpFromFormula,
  forward as mlpForward,
  initParams as initMlpParams,
  isMlpError,
  loadMlp,
  MLP_FLAGS,
  Mlp,
  type MlpArgs,
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
  type MlpTableFit,
  type MlpTableJSON,
  mlp,
  mlpOptionsFromArgs,
  type PredictOptions as MlpPredictOptions,
  predictMlpFromFormula,
  type ValidationSet as MlpValidationSet,
} from "./mlp/index.js";
