import type { Tensor } from "@geoml/autodiff";

/** Names of the link functions, spelled as in R and statsmodels. */
export type LinkName =
  | "identity"
  | "log"
  | "logit"
  | "probit"
  | "cloglog"
  | "cauchit"
  | "inverse"
  | "inverse_squared"
  | "sqrt"
  | "power"
  | "softmax";

/** Names of the families, spelled as in statsmodels / R. */
export type FamilyName =
  | "gaussian"
  | "binomial"
  | "poisson"
  | "gamma"
  | "inverse_gaussian"
  | "negative_binomial"
  | "tweedie"
  | "categorical";

/**
 * A link g maps the mean μ onto the real line: η = g(μ). Every method is written
 * with autodiff ops, so it serves gradient training (inside `grad`) and IRLS
 * (called on plain float64 tensors) alike.
 */
export interface Link {
  readonly name: LinkName;
  /** η = g(μ). */
  link(mu: Tensor): Tensor;
  /** μ = g⁻¹(η); clamps documented per link keep μ inside the family's domain. */
  inverse(eta: Tensor): Tensor;
  /** dμ/dη evaluated at η (statsmodels `inverse_deriv`, R `mu.eta`). */
  derivative(eta: Tensor): Tensor;
}

/** Options shared by the likelihood-type functions of a family. */
export interface LikelihoodOptions {
  /** Prior (frequency/area) weights per observation; default 1. For Binomial: trials. */
  weights?: Tensor;
  /** Dispersion φ (scale); default 1. Ignored by families with fixed dispersion. */
  scale?: number;
}

/** Options of {@link Family.loss}. */
export interface LossOptions {
  weights?: Tensor;
  scale?: number;
  /** "mean" divides the weighted sum by the sum of weights; default "mean". */
  reduction?: "mean" | "sum" | "none";
}

/**
 * A distribution family for the response y. It alone decides the loss: the
 * negative log-likelihood of y given μ. Univariate families take y, μ, η as
 * tensors of shape [n]; Categorical takes η of shape [n, K] and y as class
 * indices (float tensor of shape [n]).
 */
export interface Family {
  readonly name: FamilyName;
  /** The link in use (the canonical one unless chosen otherwise). */
  readonly link: Link;
  readonly canonicalLink: LinkName;
  /** "fixed": φ = 1 (Binomial, Poisson, NegBin, Categorical); "estimated": Pearson χ²/(n−p). */
  readonly dispersion: "fixed" | "estimated";
  /** Variance function V(μ). */
  variance(mu: Tensor): Tensor;
  /** Unit deviance d(y, μ) per observation (unweighted). */
  unitDeviance(y: Tensor, mu: Tensor): Tensor;
  /** Σ wᵢ d(yᵢ, μᵢ). */
  deviance(y: Tensor, mu: Tensor, weights?: Tensor): number;
  /**
   * Full negative log-likelihood per observation, constants included, so that
   * log-likelihood and AIC agree with statsmodels and R.
   */
  nll(y: Tensor, mu: Tensor, options?: LikelihoodOptions): Tensor;
  /** Σ log p(yᵢ | μᵢ, φ) weighted, as statsmodels `family.loglike`. */
  logLikelihood(y: Tensor, mu: Tensor, options?: LikelihoodOptions): number;
  /**
   * The training loss computed straight from the linear predictor η, in a
   * numerically stable way (e.g. Bernoulli-logit via softplus, Categorical via
   * log-sum-exp). Constants that do not depend on η may be dropped.
   */
  loss(eta: Tensor, y: Tensor, options?: LossOptions): Tensor;
  /** Throws a {@link FamilyDomainError} naming the first offending value of y. */
  validate(y: Float64Array, weights?: Float64Array): void;
  /** Starting μ for IRLS, as R's `family$initialize` / statsmodels `starting_mu`. */
  startingMu(y: Float64Array, weights?: Float64Array): Float64Array;
}
