import type { Tensor } from "@geoml/autodiff";
import * as ad from "@geoml/autodiff";
import { LinkError } from "./errors.js";
import { ndtri } from "./special.js";
import type { BuiltInLinkName, Link, LinkName } from "./types.js";

/** Machine epsilon of float64: the clamp R's `make.link` uses. */
export const EPS = 2.220446049250313e-16;
/** −Φ⁻¹(ε): beyond ±this, Φ(η) is within ε of 0 or 1 (R's probit threshold). */
const PROBIT_THRESHOLD = 8.125890664701906;
/** cot(πε): R's cauchit threshold. */
const CAUCHIT_THRESHOLD = 1.4338498960396408e15;
/** Below this η, log(1 − exp(−exp(η))) is η − exp(η)/2 to full precision. */
const CLOGLOG_SERIES = -30;
const INV_SQRT_2PI = 0.3989422804014327;

/**
 * A link that also knows log μ and log(1 − μ) straight from η, so losses never
 * round-trip through μ (logit via softplus, log link via η itself). These forms
 * are not clamped, so training gradients never vanish where `inverse` clamps.
 */
export interface StableLink extends Link {
  /** log g⁻¹(η) computed without forming μ. */
  logInverse?(eta: Tensor): Tensor;
  /** log(1 − g⁻¹(η)) for links onto (0, 1). */
  log1mInverse?(eta: Tensor): Tensor;
  /**
   * μ = g⁻¹(η) and dμ/dη in one float64 pass, writing `mu` and `dmu`: the same
   * values as `inverse` and `derivative`, sharing the exponential they both need.
   */
  inverseAndDerivative?(eta: Float64Array, mu: Float64Array, dmu: Float64Array): void;
}

/**
 * Link objects made by this module. Families attach their fused float64 kernels
 * only to these objects, never to a link that merely has the same name.
 */
const BUILT_IN = new WeakSet<Link>();

function builtIn<L extends Link>(l: L): L {
  BUILT_IN.add(l);
  return l;
}

/**
 * The name of `link` if it is a link object made by `@geoml/losses` (so its maths
 * is known), else undefined: a user-made link named "log" is not the built-in one.
 */
export function builtInLinkName(link: Link): LinkName | undefined {
  return BUILT_IN.has(link) ? link.name : undefined;
}

/** max(a, b) as `ad.maximum` (NaN propagates from a first). */
function max64(a: number, b: number): number {
  return a > b || Number.isNaN(a) ? a : b > a || Number.isNaN(b) ? b : a;
}

/** log μ from η: the link's stable form when it has one, else log(g⁻¹(η)). */
export function logMean(link: Link, eta: Tensor): Tensor {
  const s = link as StableLink;
  return s.logInverse ? s.logInverse(eta) : ad.log(link.inverse(eta));
}

/** log(1 − μ) from η, for links onto (0, 1). */
export function log1mMean(link: Link, eta: Tensor): Tensor {
  const s = link as StableLink;
  return s.log1mInverse ? s.log1mInverse(eta) : ad.log1p(ad.neg(link.inverse(eta)));
}

/** A float tensor with the shape and dtype of `like`, holding `values`. */
export function constantLike(values: Float64Array, like: Tensor): Tensor {
  const data = like.dtype === "float32" ? Float32Array.from(values) : values;
  return ad.tensor(data, { shape: [...like.shape], dtype: like.dtype });
}

/**
 * f(x) from a numeric kernel `value`, with derivative `slope(x)` attached through
 * autodiff: value + s·δ − ½·s′·δ² where δ = x − stopGradient(x) is zero. The
 * first and second derivatives are exact; the value is the kernel's.
 */
function attachDerivatives(
  x: Tensor,
  value: Float64Array,
  slope: (x: Tensor) => Tensor,
  slopeDerivative: (x: Tensor) => Tensor,
): Tensor {
  const delta = ad.sub(x, ad.stopGradient(x));
  const first = ad.mul(slope(x), delta);
  const second = ad.mul(ad.mul(slopeDerivative(x), ad.square(delta)), 0.5);
  return ad.add(constantLike(value, x), ad.sub(first, second));
}

function mapData(x: Tensor, f: (v: number) => number): Float64Array {
  const out = new Float64Array(x.size);
  const d = x.data;
  for (let i = 0; i < out.length; i++) out[i] = f(d[i]);
  return out;
}

function clipProbability(mu: Tensor): Tensor {
  return ad.clip(mu, EPS, 1 - EPS);
}

/** Standard normal density φ(x), written with ops. */
function normalPdf(x: Tensor): Tensor {
  return ad.mul(ad.exp(ad.mul(ad.square(x), -0.5)), INV_SQRT_2PI);
}

/** Standard normal CDF Φ(x) = erfc(−x/√2)/2, accurate in the lower tail. */
function normalCdf(x: Tensor): Tensor {
  return ad.mul(ad.erfc(ad.mul(x, -Math.SQRT1_2)), 0.5);
}

/** arctan with ops (the autodiff core has none): value from Math.atan, exact 1st and 2nd derivatives. */
function atan(x: Tensor): Tensor {
  return attachDerivatives(
    x,
    mapData(x, Math.atan),
    (t) => ad.div(1, ad.add(ad.square(t), 1)),
    (t) => ad.div(ad.mul(t, -2), ad.square(ad.add(ad.square(t), 1))),
  );
}

/** g(μ) = μ. No clamping. */
export function identity(): Link {
  return builtIn({
    name: "identity",
    link: (mu) => mu,
    inverse: (eta) => eta,
    derivative: (eta) => ad.ones([...eta.shape], eta.dtype),
  });
}

/**
 * g(μ) = log μ. `link` clamps μ ≥ ε (statsmodels); `inverse` and `derivative`
 * return max(exp η, ε) as R's `poisson()$linkinv` does, so IRLS weights stay
 * positive. Losses use log μ = η directly (unclamped).
 */
export function log(): StableLink {
  return builtIn({
    name: "log",
    link: (mu) => ad.log(ad.maximum(mu, EPS)),
    inverse: (eta) => ad.maximum(ad.exp(eta), EPS),
    derivative: (eta) => ad.maximum(ad.exp(eta), EPS),
    logInverse: (eta) => eta,
    // μ = dμ/dη: one exp per row for both
    inverseAndDerivative: (eta, mu, dmu) => {
      for (let i = 0; i < eta.length; i++) {
        const m = max64(Math.exp(eta[i]), EPS);
        mu[i] = m;
        dmu[i] = m;
      }
    },
  });
}

/**
 * g(μ) = log(μ/(1−μ)). `link` clamps μ to [ε, 1−ε] (statsmodels); `inverse`
 * clamps σ(η) to [ε, 1−ε] and `derivative` is max(σ(η)σ(−η), ε), as R does.
 * Losses use log μ = −softplus(−η) and log(1−μ) = −softplus(η): finite for any η.
 */
export function logit(): StableLink {
  return builtIn({
    name: "logit",
    link: (mu) => {
      const m = clipProbability(mu);
      return ad.log(ad.div(m, ad.sub(1, m)));
    },
    inverse: (eta) => clipProbability(ad.sigmoid(eta)),
    // σ(η)σ(−η) = e/(1 + e)² with e = exp(−|η|) ≤ 1: one exp per row instead of two sigmoids
    derivative: (eta) => {
      const e = ad.exp(ad.neg(ad.abs(eta)));
      return ad.maximum(ad.div(e, ad.square(ad.add(e, 1))), EPS);
    },
    logInverse: (eta) => ad.neg(ad.softplus(ad.neg(eta))),
    log1mInverse: (eta) => ad.neg(ad.softplus(eta)),
    // σ(η) = 1/(1 + e) or e/(1 + e) with e = exp(−|η|): the exp dμ/dη already needs.
    // The sigmoid of autodiff forms e⁻ˣ for x ≥ 0 and eˣ for x < 0, which is this e.
    inverseAndDerivative: (eta, mu, dmu) => {
      const hi = 1 - EPS;
      for (let i = 0; i < eta.length; i++) {
        const x = eta[i];
        const e = Math.exp(-Math.abs(x));
        const s = x >= 0 ? 1 / (1 + e) : e / (1 + e);
        mu[i] = Math.min(Math.max(s, EPS), hi);
        const q = e + 1;
        dmu[i] = max64(e / (q * q), EPS);
      }
    },
  });
}

/**
 * g(μ) = Φ⁻¹(μ). `inverse` clamps η to ±8.1259 (= −Φ⁻¹(ε)) like R, so μ stays in
 * [ε, 1−ε]; `derivative` is max(φ(η), ε). `link` clamps μ to [ε, 1−ε] and
 * evaluates Φ⁻¹ with AS 241; its derivative 1/φ(g(μ)) is exact to first order only.
 */
export function probit(): Link {
  return builtIn({
    name: "probit",
    link: (mu) => {
      const m = clipProbability(mu);
      const x0 = constantLike(mapData(m, ndtri), m);
      // one Newton step from the exact value: adds ~0, carries dη/dμ = 1/φ(η)
      return ad.add(x0, ad.div(ad.sub(m, ad.stopGradient(m)), normalPdf(x0)));
    },
    inverse: (eta) => normalCdf(ad.clip(eta, -PROBIT_THRESHOLD, PROBIT_THRESHOLD)),
    derivative: (eta) => ad.maximum(normalPdf(eta), EPS),
  });
}

/**
 * g(μ) = log(−log(1−μ)). `link` clamps μ to [ε, 1−ε]; `inverse` is
 * 1 − exp(−exp η) clamped to [ε, 1−ε] and `derivative` max(exp(η − exp η), ε)
 * with η ≤ 700, as R. Losses use log(1−μ) = −exp(min(η, 700)) and a series for
 * log μ below η = −30, so they stay finite where μ rounds to 0 or 1.
 */
export function cloglog(): StableLink {
  return builtIn({
    name: "cloglog",
    link: (mu) => ad.log(ad.neg(ad.log1p(ad.neg(clipProbability(mu))))),
    inverse: (eta) => clipProbability(ad.neg(ad.expm1(ad.neg(ad.exp(eta))))),
    derivative: (eta) => {
      const e = ad.minimum(eta, 700);
      return ad.maximum(ad.exp(ad.sub(e, ad.exp(e))), EPS);
    },
    logInverse: (eta) => {
      // both branches see safe inputs so `where` passes finite gradients
      const hi = ad.clip(eta, CLOGLOG_SERIES, 700);
      const lo = ad.minimum(eta, CLOGLOG_SERIES);
      const exact = ad.log(ad.neg(ad.expm1(ad.neg(ad.exp(hi)))));
      const series = ad.sub(lo, ad.mul(ad.exp(lo), 0.5));
      return ad.where(ad.less(eta, CLOGLOG_SERIES), series, exact);
    },
    log1mInverse: (eta) => ad.neg(ad.exp(ad.minimum(eta, 700))),
  });
}

/**
 * g(μ) = tan(π(μ − ½)), the Cauchy quantile. `inverse` is ½ + atan(η)/π with η
 * clamped to ±cot(πε) and μ to [ε, 1−ε]; `derivative` max(1/(π(1+η²)), ε), as R.
 */
export function cauchit(): Link {
  return builtIn({
    name: "cauchit",
    link: (mu) => {
      const a = ad.mul(ad.sub(clipProbability(mu), 0.5), Math.PI);
      return ad.div(ad.sin(a), ad.cos(a));
    },
    inverse: (eta) => {
      const t = atan(ad.clip(eta, -CAUCHIT_THRESHOLD, CAUCHIT_THRESHOLD));
      return clipProbability(ad.add(ad.div(t, Math.PI), 0.5));
    },
    derivative: (eta) => ad.maximum(ad.div(1 / Math.PI, ad.add(ad.square(eta), 1)), EPS),
  });
}

/** g(μ) = 1/μ (Gamma's canonical link). No clamping: η must stay > 0 for a positive mean. */
export function inverse(): Link {
  return builtIn({
    name: "inverse",
    link: (mu) => ad.div(1, mu),
    inverse: (eta) => ad.div(1, eta),
    derivative: (eta) => ad.neg(ad.div(1, ad.square(eta))),
  });
}

/** g(μ) = 1/μ² (Inverse Gaussian's canonical link, R's "1/mu^2"). No clamping: needs η > 0. */
export function inverseSquared(): Link {
  return builtIn({
    name: "inverse_squared",
    link: (mu) => ad.div(1, ad.square(mu)),
    inverse: (eta) => ad.div(1, ad.sqrt(eta)),
    derivative: (eta) => ad.div(-0.5, ad.mul(eta, ad.sqrt(eta))),
  });
}

/** g(μ) = √μ. No clamping; g⁻¹(η) = η² is a valid mean for any η. */
export function sqrt(): Link {
  return builtIn({
    name: "sqrt",
    link: (mu) => ad.sqrt(mu),
    inverse: (eta) => ad.square(eta),
    derivative: (eta) => ad.mul(eta, 2),
  });
}

/** A power link μ^p together with its exponent. */
export interface PowerLink extends Link {
  readonly power: number;
}

/**
 * g(μ) = μ^p, as R's `power(p)`. p = 0 is the log link and p = 1, ½, −1, −2
 * return identity, sqrt, inverse and inverse-squared. No clamping: η must lie
 * where η^(1/p) is defined (η > 0 for non-integer 1/p).
 */
export function power(p: number): Link {
  if (!Number.isFinite(p)) throw new LinkError(`power link: exponent must be finite, got ${p}`);
  if (p === 0) return log();
  if (p === 1) return identity();
  if (p === 0.5) return sqrt();
  if (p === -1) return inverse();
  if (p === -2) return inverseSquared();
  const link: PowerLink = {
    name: "power",
    power: p,
    link: (mu) => ad.pow(mu, p),
    inverse: (eta) => ad.pow(eta, 1 / p),
    derivative: (eta) => ad.div(ad.pow(eta, 1 / p - 1), p),
  };
  return builtIn(link);
}

/**
 * The multinomial logit for Categorical: μ = softmax(η) along the last axis.
 * `link` is log μ (μ clamped ≥ ε), defined up to a constant per row;
 * `derivative` returns the diagonal of the Jacobian, μₖ(1 − μₖ).
 */
export function softmax(): StableLink {
  return builtIn({
    name: "softmax",
    link: (mu) => ad.log(ad.clip(mu, EPS, 1)),
    inverse: (eta) => ad.softmax(eta, -1),
    derivative: (eta) => {
      const mu = ad.softmax(eta, -1);
      return ad.mul(mu, ad.sub(1, mu));
    },
    logInverse: (eta) => ad.logSoftmax(eta, -1),
  });
}

const LINK_ALIASES: Record<string, BuiltInLinkName> = {
  identity: "identity",
  log: "log",
  logit: "logit",
  probit: "probit",
  cloglog: "cloglog",
  cauchit: "cauchit",
  cauchy: "cauchit",
  inverse: "inverse",
  inverse_power: "inverse",
  "1/mu": "inverse",
  inverse_squared: "inverse_squared",
  inverseSquared: "inverse_squared",
  "1/mu^2": "inverse_squared",
  sqrt: "sqrt",
  power: "power",
  softmax: "softmax",
  mlogit: "softmax",
};

/** Names accepted by {@link link}. */
export const LINK_NAMES: readonly string[] = Object.keys(LINK_ALIASES);

/**
 * Look a link up by its R or statsmodels name: "identity", "log", "logit",
 * "probit", "cloglog", "cauchit" (or "cauchy"), "inverse" (or "inverse_power",
 * "1/mu"), "inverse_squared" (or "1/mu^2"), "sqrt", "softmax", and "power" with
 * `{ power: p }` or spelled "power(p)" / "mu^p".
 */
export function link(name: string, options: { power?: number } = {}): Link {
  const trimmed = name.trim();
  const spelled = /^(?:power\(\s*([^)]+)\s*\)|mu\^(.+))$/.exec(trimmed);
  if (spelled) {
    const p = Number(spelled[1] ?? spelled[2]);
    if (Number.isNaN(p)) throw new LinkError(`link "${name}": cannot read the exponent`);
    return power(p);
  }
  const canonical = LINK_ALIASES[trimmed];
  if (canonical === undefined) {
    throw new LinkError(`unknown link "${name}"; expected one of ${LINK_NAMES.join(", ")}`);
  }
  switch (canonical) {
    case "identity":
      return identity();
    case "log":
      return log();
    case "logit":
      return logit();
    case "probit":
      return probit();
    case "cloglog":
      return cloglog();
    case "cauchit":
      return cauchit();
    case "inverse":
      return inverse();
    case "inverse_squared":
      return inverseSquared();
    case "sqrt":
      return sqrt();
    case "softmax":
      return softmax();
    case "power":
      if (options.power === undefined) {
        throw new LinkError('link "power" needs { power: p } (or spell it "power(p)")');
      }
      return power(options.power);
  }
}
