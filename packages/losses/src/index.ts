/**
 * @geoml/losses — distribution families, link functions and negative
 * log-likelihoods. The loss is the negative log-likelihood of the target's
 * distribution; the link only maps the predictor η onto the mean μ.
 */
export { aic, bic, estimateScale, pearsonChi2, type ScaleOptions } from "./dispersion.js";
export {
  FamilyDomainError,
  FamilyParameterError,
  isLossesError,
  LinkError,
  LossesError,
  type LossesErrorCode,
  LossShapeError,
  UnknownFamilyError,
} from "./errors.js";
export {
  builtInFamilyName,
  checkDomain,
  type LinkArgument,
  type MeanForms,
  type UnivariateSpec as FamilyDefinition,
  univariateFamily as defineFamily,
} from "./families/base.js";
export { binomial } from "./families/binomial.js";
export { categorical } from "./families/categorical.js";
export { gamma } from "./families/gamma.js";
export { gaussian } from "./families/gaussian.js";
export { inverseGaussian } from "./families/inverse-gaussian.js";
export {
  type NegativeBinomialFamily,
  type NegativeBinomialOptions,
  negativeBinomial,
} from "./families/negative-binomial.js";
export { poisson } from "./families/poisson.js";
export { type TweedieFamily, type TweedieOptions, tweedie } from "./families/tweedie.js";
export {
  builtInLinkName,
  cauchit,
  cloglog,
  identity,
  inverse,
  inverseSquared,
  LINK_NAMES,
  type LinkFactory,
  link,
  linkNames,
  log,
  logit,
  type PowerLink,
  power,
  probit,
  registerLink,
  type StableLink,
  softmax,
  sqrt,
} from "./links.js";
export {
  FAMILY_NAMES,
  type FamilyFactory,
  type FamilyLookupOptions,
  family,
  familyNames,
  registerFamily,
} from "./registry.js";
export {
  chisqUpper,
  fUpper,
  incompleteBeta,
  ndtri,
  studentTCdf,
  studentTQuantile,
  tTwoSided,
} from "./special.js";
export type {
  BuiltInFamilyName,
  BuiltInLinkName,
  Family,
  FamilyName,
  FusedRowKernel,
  LikelihoodOptions,
  Link,
  LinkName,
  LossOptions,
  PredictionIntervalArgs,
  RowKernel,
  WasmRowKernel,
} from "./types.js";
