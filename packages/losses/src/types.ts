import type { Tensor } from "@geoml/autodiff";
import type { WasmFunction } from "@geoml/autodiff/wasm";

/** Names of the built-in link functions, spelled as in R and statsmodels. */
export type BuiltInLinkName =
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

/** A link's name: a built-in one, or any other for a user-defined link. */
export type LinkName = BuiltInLinkName | (string & {});

/** Names of the built-in families, spelled as in statsmodels / R. */
export type BuiltInFamilyName =
  | "gaussian"
  | "binomial"
  | "poisson"
  | "gamma"
  | "inverse_gaussian"
  | "negative_binomial"
  | "tweedie"
  | "categorical";

/** A family's name: a built-in one, or any other for a user-defined family. */
export type FamilyName = BuiltInFamilyName | (string & {});

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
  /**
   * Dispersion φ (scale); default 1. Ignored by families with fixed dispersion. A
   * tensor of y's shape gives one φ per row (e.g. σ² of a heteroscedastic head).
   */
  scale?: number | Tensor;
}

/** Options of {@link Family.loss}. */
export interface LossOptions {
  weights?: Tensor;
  /** Dispersion φ: a number, or a tensor of y's shape for one φ per row. */
  scale?: number | Tensor;
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
  /**
   * Optional fused float64 kernel of one IRLS pass for this family *with this link
   * object*; solvers use it when present and the generic tensor path otherwise.
   * Built-in families set it only for built-in link objects, so a user-made link
   * (even one named "log") never gets a built-in kernel; they set it as a
   * non-enumerable property, so a copy `{ ...family, link }` drops it.
   */
  readonly rowKernel?: FusedRowKernel;
  /**
   * Optional interval holding a new observation with probability `level`, for
   * families that define one (Gaussian: μ ± t(df)·√(se_μ² + φ/w)). Families without
   * it have confidence intervals of the mean only.
   */
  predictionInterval?(args: PredictionIntervalArgs): { lower: Float64Array; upper: Float64Array };
}

/** Arguments of {@link Family.predictionInterval}. */
export interface PredictionIntervalArgs {
  /** Fitted means μ̂ per row. */
  mu: Float64Array;
  /** Standard errors of μ̂ per row (delta method from the link scale). */
  seMu: Float64Array;
  /** Estimated dispersion φ. */
  scale: number;
  /** Residual degrees of freedom of the fit (for t quantiles). */
  dfResidual: number;
  /** Coverage in (0, 1). */
  level: number;
  /** Prior weights of the new rows (default 1): the variance of y is φ/w. */
  weights?: Float64Array;
}

/**
 * One IRLS pass over rows [lo, hi): from η (plus `offset`, may be null) write μ
 * into `mu`, the working weights W = w·(dμ/dη)²/V(μ) into `W` and the working
 * response z = η − offset + (y − μ)/(dμ/dη) into `z`, and return Σ w·d(y, μ), the
 * weighted deviance. Rows whose W is 0 or not finite get W = z = 0 (R's `good`
 * rows); rows of weight 0 add no deviance. `aux` is what `prepare` made of y, or
 * null: a solver may skip `prepare` (it does when the WebAssembly form runs, and a
 * thread falling back to this function then passes null), so with null the kernel
 * must compute the same values without it.
 *
 * Worker threads import the function from the module that exports it (see
 * {@link FusedRowKernel.module}).
 */
export type RowKernel = (
  eta: Float64Array,
  offset: Float64Array | null,
  y: Float64Array,
  w: Float64Array,
  mu: Float64Array,
  W: Float64Array,
  z: Float64Array,
  lo: number,
  hi: number,
  aux: Float64Array | null,
) => number;

/** A {@link RowKernel} with the name that identifies it and what it precomputes from y. */
export interface FusedRowKernel {
  /** Unique among kernels, e.g. "poisson/log". */
  readonly name: string;
  readonly kernel: RowKernel;
  /**
   * URL of an ES module (its `import.meta.url`) that exports `kernel` under the name
   * {@link FusedRowKernel.export}, so that worker threads can import it. Without it,
   * passes with this kernel run on the calling thread only.
   */
  readonly module?: string;
  /** The name under which {@link FusedRowKernel.module} exports `kernel`. */
  readonly export?: string;
  /**
   * Precomputation from y, at most once per fit (or null), a shortcut only: the kernel
   * gives the same values with `aux` null. Must be small (copied to each worker).
   */
  prepare(y: Float64Array): Float64Array | null;
  /**
   * The same pass as WebAssembly SIMD code, which solvers build into their own module
   * and run on rows already in its memory. Exported from {@link FusedRowKernel.module}
   * under {@link FusedRowKernel.wasmExport} so that worker threads can build it too.
   */
  readonly wasm?: WasmRowKernel;
  /** The name under which {@link FusedRowKernel.module} exports `wasm`. */
  readonly wasmExport?: string;
}

/**
 * A {@link RowKernel} as a WebAssembly function, two rows per f64x2 step:
 * `rows(eta, offset, y, w, mu, W, z, bytes, pool) → deviance`, every argument but
 * `bytes` a byte address in the module's memory: of float64 values (`offset` points
 * at zeros when there is none), `bytes` a multiple of 16, and `pool` scratch space of
 * `vmath.POOL_CONSTANTS`·16 bytes (16-byte aligned) where the function keeps its
 * constants. It writes μ, W and z exactly as the JavaScript kernel does (to rounding:
 * its exp and log are within 1 ulp of Math's). Its deviance is the JavaScript kernel's
 * less {@link WasmRowKernel.devianceConstant} of the same rows, when the kernel has one.
 */
export interface WasmRowKernel {
  /** Unique among kernels, e.g. "poisson/log" (solvers cache modules by it and the flag). */
  readonly name: string;
  /**
   * A whole-number property of y, once per fit (default 0), for which the code is
   * specialised: e.g. that every y is 0 or 1, so one logarithm per row suffices.
   */
  flag?(y: Float64Array): number;
  /** The function, named "rows", built with `@geoml/autodiff/wasm` for a flag. */
  build(flag: number): WasmFunction;
  /**
   * The part of the deviance that `rows` leaves out because it depends on y and w
   * alone (Poisson/log: a term in y·log y), so that a pass need not take a logarithm
   * of y per row: for each block of `block` rows (rows k·block up to (k + 1)·block or
   * the end), once per fit; the caller adds a block's to what `rows` returns for it.
   */
  devianceConstant?(y: Float64Array, w: Float64Array, block: number): Float64Array;
}
