import type { Tensor } from "@geoml/autodiff";
import * as ad from "@geoml/autodiff";
import { FamilyDomainError, FamilyParameterError, LinkError, LossShapeError } from "../errors.js";
import { builtInLinkName, constantLike, link, log1mMean, logMean } from "../links.js";
import type {
  Family,
  FamilyName,
  FusedRowKernel,
  LikelihoodOptions,
  Link,
  LinkName,
  LossOptions,
} from "../types.js";

/**
 * The mean in the forms a log-likelihood needs, each built on first use. From η
 * they come from the link's stable forms (softplus for logit, η for log), so no
 * loss ever takes log of a μ that has rounded to 0 or 1.
 */
export interface MeanForms {
  /** η itself when the forms come from the linear predictor (for canonical shortcuts). */
  eta?: Tensor;
  mu(): Tensor;
  logMu(): Tensor;
  log1mMu(): Tensor;
}

function memo(f: () => Tensor): () => Tensor {
  let v: Tensor | undefined;
  return () => {
    v ??= f();
    return v;
  };
}

/** Mean forms from μ itself. */
export function formsFromMu(mu: Tensor): MeanForms {
  return {
    mu: () => mu,
    logMu: memo(() => ad.log(mu)),
    log1mMu: memo(() => ad.log1p(ad.neg(mu))),
  };
}

/** Mean forms from η through the link. */
export function formsFromEta(link: Link, eta: Tensor): MeanForms {
  const logMu = memo(() => logMean(link, eta));
  const hasStableLog = "logInverse" in link;
  return {
    eta,
    // exp(log μ) keeps μ unclamped where the link has a stable log form
    mu: memo(() => (hasStableLog ? ad.exp(logMu()) : link.inverse(eta))),
    logMu,
    log1mMu: memo(() => log1mMean(link, eta)),
  };
}

/** Prior weights resolved against the response: broadcast, checked, with the zero-weight mask. */
export interface ResolvedWeights {
  /** Weights with zeros replaced by 1, so constants like log(φ/w) stay finite (a scalar 1 when none were given). */
  safe: Tensor;
  /** The weights as given, broadcast to y's shape (a scalar 1 when none were given). */
  raw: Tensor;
  /** 1 where w > 0, present only when some weight is 0. */
  mask?: Tensor;
  /** Σ wᵢ, the denominator of the "mean" reduction. */
  total: number;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Throws unless `a` and `b` have exactly the same shape (no silent broadcasting of y against μ). */
export function checkSameShape(
  op: string,
  aName: string,
  a: Tensor,
  bName: string,
  b: Tensor,
): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new LossShapeError(
      op,
      `${aName} has shape [${a.shape.join(", ")}] but ${bName} has shape [${b.shape.join(", ")}]; they must match`,
    );
  }
}

/** NumPy broadcasting of `w` onto `target`, as flat float64 values, or undefined if it does not fit. */
function broadcastValues(w: Tensor, target: readonly number[]): Float64Array | undefined {
  const nd = target.length;
  if (sameShape(w.shape, target)) return valuesOf(w);
  if (w.ndim > nd) return undefined;
  const wShape = [...Array(nd - w.ndim).fill(1), ...w.shape];
  for (let i = 0; i < nd; i++) if (wShape[i] !== 1 && wShape[i] !== target[i]) return undefined;
  const size = target.reduce((a, b) => a * b, 1);
  const out = new Float64Array(size);
  const strides = new Array<number>(nd);
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) {
    strides[i] = wShape[i] === 1 ? 0 : s;
    s *= wShape[i];
  }
  const idx = new Array<number>(nd).fill(0);
  const data = w.data;
  for (let k = 0; k < size; k++) {
    let off = 0;
    for (let i = 0; i < nd; i++) off += idx[i] * strides[i];
    out[k] = data[off];
    for (let i = nd - 1; i >= 0; i--) {
      if (++idx[i] < target[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

/**
 * Resolves prior weights against y: `weights` may have y's shape or broadcast to
 * it (e.g. cos(latitude) of shape [nlat, 1] against a [nlat, nlon] grid). Weights
 * must be finite and ≥ 0; observations of weight 0 contribute nothing.
 */
export function resolveWeights(
  family: string,
  op: string,
  y: Tensor,
  weights: Tensor | undefined,
): ResolvedWeights {
  const n = y.size;
  if (weights === undefined) {
    // a scalar broadcasts in every formula and saves an n-sized multiply
    const one = ad.scalar(1, y.dtype);
    return { safe: one, raw: one, total: n };
  }
  const values = broadcastValues(weights, y.shape);
  if (values === undefined) {
    throw new LossShapeError(
      op,
      `weights of shape [${weights.shape.join(", ")}] do not broadcast to y's shape [${y.shape.join(", ")}]`,
    );
  }
  let total = 0;
  let zeros = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!(v >= 0) || v === Number.POSITIVE_INFINITY) {
      throw new FamilyDomainError(family, "weights", i, v, "finite weights ≥ 0");
    }
    if (v === 0) zeros = true;
    total += v;
  }
  const raw = constantLike(values, y);
  if (!zeros) return { safe: raw, raw, total };
  const safe = new Float64Array(n);
  const mask = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    safe[i] = values[i] === 0 ? 1 : values[i];
    mask[i] = values[i] === 0 ? 0 : 1;
  }
  return { safe: constantLike(safe, y), raw, mask: constantLike(mask, y), total };
}

/**
 * The dispersion φ to use: `scale` if given (must be finite and > 0), else 1. A
 * tensor gives one φ per row: it must have y's shape and the family must accept it.
 */
export function resolveScale(
  family: string,
  scale: number | Tensor | undefined,
  y?: Tensor,
  perRow = false,
): number | Tensor {
  if (scale === undefined) return 1;
  if (typeof scale !== "number") {
    if (!perRow)
      throw new FamilyParameterError(
        `${family}: scale must be a number for this family (a per-row tensor is accepted by gaussian, poisson and gamma)`,
      );
    if (y !== undefined) checkSameShape(`${family}.scale`, "scale", scale, "y", y);
    const d = scale.data;
    for (let i = 0; i < d.length; i++)
      if (!(d[i] > 0) || !Number.isFinite(d[i]))
        throw new FamilyDomainError(family, "scale", i, d[i], "a finite dispersion > 0");
    return scale;
  }
  if (!(scale > 0) || !Number.isFinite(scale)) {
    throw new FamilyParameterError(
      `${family}: scale (dispersion φ) must be finite and > 0, got ${scale}`,
    );
  }
  return scale;
}

/**
 * Turns per-observation log-likelihoods into the loss: −ℓ per observation
 * ("none"), −Σℓ ("sum") or −Σℓ / Σw ("mean"). Negating after the sum saves a
 * pass over the data.
 */
export function reduce(
  family: string,
  logLik: Tensor,
  totalWeight: number,
  reduction: LossOptions["reduction"],
): Tensor {
  const r = reduction ?? "mean";
  if (r === "none") return ad.neg(logLik);
  if (r === "sum") return ad.neg(ad.sum(logLik));
  if (r !== "mean") {
    throw new FamilyParameterError(
      `${family}: reduction must be "mean", "sum" or "none", got "${r}"`,
    );
  }
  if (!(totalWeight > 0)) {
    throw new FamilyParameterError(
      `${family}: the weights sum to ${totalWeight}; "mean" needs a positive total`,
    );
  }
  return ad.div(ad.sum(logLik), -totalWeight);
}

/** Flat float64 values of a tensor (without copying when already float64). */
export function valuesOf(t: Tensor): Float64Array {
  return t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
}

/**
 * Throws a {@link FamilyDomainError} at the first y outside [lo, hi] (NaN always
 * fails). Plain comparisons in the loop: {@link checkDomain}'s call per value costs
 * 3–5× more over a million rows. Open ends are the next number in: (0, ∞) is
 * [Number.MIN_VALUE, Number.MAX_VALUE].
 */
export function checkRange(
  family: string,
  y: ArrayLike<number>,
  lo: number,
  hi: number,
  expected: string,
): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!(v >= lo && v <= hi)) throw new FamilyDomainError(family, "y", i, v, expected);
  }
}

/** Throws a {@link FamilyDomainError} at the first y for which `ok` fails (NaN always fails). */
export function checkDomain(
  family: string,
  y: ArrayLike<number>,
  ok: (v: number) => boolean,
  expected: string,
): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (Number.isNaN(v) || !ok(v)) throw new FamilyDomainError(family, "y", i, v, expected);
  }
}

/** Checks flat weights given to `validate` / `startingMu`. */
export function checkFlatWeights(family: string, n: number, weights?: ArrayLike<number>): void {
  if (weights === undefined) return;
  if (weights.length !== n) {
    throw new LossShapeError(
      `${family}.validate`,
      `weights has ${weights.length} values but y has ${n}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const v = weights[i];
    if (!(v >= 0) || v === Number.POSITIVE_INFINITY) {
      throw new FamilyDomainError(family, "weights", i, v, "finite weights ≥ 0");
    }
  }
}

/** A constant tensor like y holding f(yᵢ), for terms of y alone (y log y, log Γ(y+1), …). */
export function mapY(y: Tensor, f: (v: number) => number): Tensor {
  const d = y.data;
  const out = new Float64Array(y.size);
  for (let i = 0; i < out.length; i++) out[i] = f(d[i]);
  return constantLike(out, y);
}

/**
 * y with zeros replaced by 1, so that y·log(y/μ) can be formed as y·log(ySafe/μ),
 * 0 at y = 0. A loop of its own rather than {@link mapY} with a closure: deviances
 * call it every IRLS iteration, and a shared loop over several closures is not inlined.
 */
export function positiveOrOne(y: Tensor): Tensor {
  const d = y.data;
  const out = new Float64Array(y.size);
  for (let i = 0; i < out.length; i++) {
    const v = d[i];
    out[i] = v > 0 ? v : 1;
  }
  return constantLike(out, y);
}

/** 1 − y with zeros replaced by 1 (the failures' counterpart of {@link positiveOrOne}). */
export function complementOrOne(y: Tensor): Tensor {
  const d = y.data;
  const out = new Float64Array(y.size);
  for (let i = 0; i < out.length; i++) {
    const v = d[i];
    out[i] = v < 1 ? 1 - v : 1;
  }
  return constantLike(out, y);
}

/** What a univariate family defines; {@link univariateFamily} derives the rest. */
export interface UnivariateSpec {
  name: FamilyName;
  canonicalLink: LinkName;
  dispersion: "fixed" | "estimated";
  link: Link;
  /**
   * Throws a {@link FamilyDomainError} at the first invalid y (weights are checked
   * apart). `weighted` says prior weights accompany y (Binomial then takes proportions).
   */
  checkY(y: ArrayLike<number>, weighted: boolean): void;
  variance(mu: Tensor): Tensor;
  unitDeviance(y: Tensor, mu: Tensor): Tensor;
  /**
   * log p(yᵢ | μᵢ, φ/wᵢ) per observation with prior weights w (zeros already
   * replaced). φ is a number unless `perRowScale` is set, when it may be a tensor.
   */
  logLikelihood(y: Tensor, m: MeanForms, w: Tensor, phi: number | Tensor): Tensor;
  startingMu(y: Float64Array, weights?: Float64Array): Float64Array;
  /** The family's log-likelihood accepts one φ per row (a tensor of y's shape). */
  perRowScale?: boolean;
  /** The fused IRLS kernel for this family with this link object, if any (see {@link Family.rowKernel}). */
  rowKernel?: FusedRowKernel;
  /** See {@link Family.predictionInterval}. */
  predictionInterval?: Family["predictionInterval"];
}

/**
 * Builds the {@link Family} interface from a univariate spec. This is how the
 * built-in families are made, and how a user defines one (exported as
 * `defineFamily`): give the name, link, variance, unit deviance, log-likelihood,
 * domain check and starting μ; the family derives the deviance, the negative
 * log-likelihood, the loss from η (through the link's stable forms) and the
 * weight handling, and works in every model kind.
 */
export function univariateFamily(spec: UnivariateSpec): Family {
  const { name } = spec;

  function perObsLogLik(
    y: Tensor,
    m: MeanForms,
    options: LikelihoodOptions,
    op: string,
  ): [ll: Tensor, totalWeight: number] {
    const w = resolveWeights(name, op, y, options.weights);
    spec.checkY(valuesOf(y), options.weights !== undefined);
    const phi = resolveScale(name, options.scale, y, spec.perRowScale);
    const ll = spec.logLikelihood(y, m, w.safe, phi);
    // rows of weight 0 were computed with w = 1 (finite) and are zeroed here
    return [w.mask ? ad.mul(ll, w.mask) : ll, w.total];
  }

  const family: Family = {
    name,
    link: spec.link,
    canonicalLink: spec.canonicalLink,
    dispersion: spec.dispersion,
    variance: (mu) => spec.variance(mu),
    unitDeviance: (y, mu) => {
      checkSameShape(`${name}.unitDeviance`, "y", y, "mu", mu);
      // the unit deviance is per trial: proportions are fine without their weights
      spec.checkY(valuesOf(y), true);
      return spec.unitDeviance(y, mu);
    },
    deviance: (y, mu, weights) => {
      checkSameShape(`${name}.deviance`, "y", y, "mu", mu);
      const w = resolveWeights(name, `${name}.deviance`, y, weights);
      spec.checkY(valuesOf(y), weights !== undefined);
      const d = ad.mul(spec.unitDeviance(y, mu), w.raw);
      return ad.sum(w.mask ? ad.mul(d, w.mask) : d).item();
    },
    nll: (y, mu, options = {}) => {
      checkSameShape(`${name}.nll`, "y", y, "mu", mu);
      return ad.neg(perObsLogLik(y, formsFromMu(mu), options, `${name}.nll`)[0]);
    },
    logLikelihood: (y, mu, options = {}) => {
      checkSameShape(`${name}.logLikelihood`, "y", y, "mu", mu);
      return ad.sum(perObsLogLik(y, formsFromMu(mu), options, `${name}.logLikelihood`)[0]).item();
    },
    loss: (eta, y, options = {}) => {
      checkSameShape(`${name}.loss`, "eta", eta, "y", y);
      const [ll, total] = perObsLogLik(y, formsFromEta(spec.link, eta), options, `${name}.loss`);
      return reduce(name, ll, total, options.reduction);
    },
    validate: (y, weights) => {
      checkFlatWeights(name, y.length, weights);
      spec.checkY(y, weights !== undefined);
    },
    startingMu: (y, weights) => {
      checkFlatWeights(name, y.length, weights);
      spec.checkY(y, weights !== undefined);
      return spec.startingMu(y, weights);
    },
  };
  // not enumerable: a copy made with {...family, link} (a family with another link)
  // must not carry a kernel written for this one
  if (spec.rowKernel)
    Object.defineProperty(family, "rowKernel", { value: spec.rowKernel, enumerable: false });
  if (spec.predictionInterval) family.predictionInterval = spec.predictionInterval;
  return family;
}

/** Family objects made by the built-in factories of this package. */
const BUILT_IN_FAMILIES = new WeakSet<Family>();

/**
 * Marks `family` as made by a built-in factory (so its maths is that of its name);
 * `from` hands over the fused kernel of a family it was copied from.
 */
export function builtInFamily<F extends Family>(family: F, from?: Family): F {
  if (from?.rowKernel)
    Object.defineProperty(family, "rowKernel", { value: from.rowKernel, enumerable: false });
  if (from?.predictionInterval) family.predictionInterval = from.predictionInterval;
  BUILT_IN_FAMILIES.add(family);
  return family;
}

/**
 * The name of `family` if a built-in factory of `@geoml/losses` made it with a
 * built-in link (so a saved model can rebuild it by name), else undefined: a
 * family defined elsewhere is not the built-in one even when it has the same name.
 */
export function builtInFamilyName(family: Family): string | undefined {
  return BUILT_IN_FAMILIES.has(family) && builtInLinkName(family.link) !== undefined
    ? family.name
    : undefined;
}

/** A link given to a family factory: a link object or its R/statsmodels name. */
export type LinkArgument = Link | string;

/** Resolves a family's link (canonical when absent), rejecting softmax for univariate families. */
export function univariateLink(
  family: string,
  given: LinkArgument | undefined,
  canonical: LinkName,
): Link {
  const l = typeof given === "string" ? link(given) : (given ?? link(canonical));
  if (l.name === "softmax") {
    throw new LinkError(`${family}: the softmax link is for the categorical family only`);
  }
  return l;
}
