import type { Tensor } from "@geoml/autodiff";
import * as ad from "@geoml/autodiff";
import { FamilyParameterError } from "../errors.js";
import { constantLike } from "../links.js";
import { tweedieLogA } from "../special.js";
import type { Family } from "../types.js";
import {
  builtInFamily,
  checkRange,
  type LinkArgument,
  univariateFamily,
  univariateLink,
} from "./base.js";

/** Options of {@link tweedie}. */
export interface TweedieOptions {
  /** Variance power p with 1 < p < 2 (compound Poisson–Gamma); statsmodels' `var_power`. */
  power: number;
  /** Default log (statsmodels); the canonical link is μ^(1−p), i.e. `power(1 − p)`. */
  link?: LinkArgument;
}

/**
 * The Tweedie family with 1 < p < 2: non-negative y with an exact zero mass
 * (rainfall, catch). V(μ) = μ^p, unit deviance
 * 2[y^(2−p)/((1−p)(2−p)) − yμ^(1−p)/(1−p) + μ^(2−p)/(2−p)], dispersion φ estimated.
 *
 * The log-likelihood is the full density, not statsmodels' extended
 * quasi-likelihood: for y > 0 the normalising series a(y, φ) of Dunn & Smyth
 * (2005) is summed to double precision, for y = 0 the density is
 * exp(−μ^(2−p)/(φ(2−p))). Prior weight w acts as dispersion φ/w. It matches
 * R `mgcv::ldTweedie`. Starting μ is y + 0.1·(y = 0) (R `statmod::tweedie`).
 *
 * `canonicalLink` is "power" (μ^(1−p)); the default link is log.
 */
/** A Tweedie family; `power` is its variance power p. */
export interface TweedieFamily extends Family {
  readonly power: number;
}

export function tweedie(options: TweedieOptions): TweedieFamily {
  const p = options?.power;
  if (!(p > 1 && p < 2)) {
    throw new FamilyParameterError(
      `tweedie: power must satisfy 1 < p < 2 (use poisson for p = 1, gamma for p = 2), got ${p}`,
    );
  }
  const cache = new WeakMap<Tensor, LogACache>();
  const family = univariateFamily({
    name: "tweedie",
    canonicalLink: "power",
    dispersion: "estimated",
    link: univariateLink("tweedie", options.link, "log"),
    checkY: (y) => checkRange("tweedie", y, 0, Number.MAX_VALUE, "a finite y ≥ 0"),
    variance: (mu) => ad.pow(mu, p),
    unitDeviance: (y, mu) => {
      const a = ad.div(ad.pow(y, 2 - p), (1 - p) * (2 - p));
      const b = ad.div(ad.mul(y, ad.pow(mu, 1 - p)), 1 - p);
      const c = ad.div(ad.pow(mu, 2 - p), 2 - p);
      return ad.mul(ad.add(ad.sub(a, b), c), 2);
    },
    logLikelihood: (y, m, w, phi) => {
      const logMu = m.logMu();
      const theta = ad.div(ad.exp(ad.mul(logMu, 1 - p)), 1 - p); // μ^(1−p)/(1−p)
      const kappa = ad.div(ad.exp(ad.mul(logMu, 2 - p)), 2 - p); // μ^(2−p)/(2−p)
      const kernel = ad.mul(ad.div(w, phi), ad.sub(ad.mul(y, theta), kappa));
      // φ is a number: tweedie does not set perRowScale
      return ad.add(kernel, cachedLogA(cache, y, w, p, phi as number));
    },
    startingMu: (y) => y.map((v) => (v === 0 ? 0.1 : v)),
  });
  return builtInFamily({ ...family, power: p }, family);
}

interface LogACache {
  phi: number;
  weights: Float64Array;
  value: Tensor;
}

/**
 * log a(y, φ/w) for the same y tensor, φ and weights as the last call: a training
 * loop evaluates the loss on one y many times, and the series is the costly part.
 */
function cachedLogA(
  cache: WeakMap<Tensor, LogACache>,
  y: Tensor,
  w: Tensor,
  p: number,
  phi: number,
): Tensor {
  const hit = cache.get(y);
  if (hit !== undefined && hit.phi === phi && sameValues(hit.weights, w.data)) return hit.value;
  const value = logA(y, w, p, phi);
  cache.set(y, { phi, weights: Float64Array.from(w.data), value });
  return value;
}

function sameValues(a: Float64Array, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The series term log a(yᵢ, φ/wᵢ) as a constant tensor: it does not depend on μ. */
function logA(y: Tensor, w: Tensor, p: number, phi: number): Tensor {
  const yd = y.data;
  const wd = w.data;
  const out = new Float64Array(y.size);
  const scalarWeight = wd.length === 1;
  for (let i = 0; i < out.length; i++) {
    out[i] = tweedieLogA(yd[i], p, phi / (scalarWeight ? wd[0] : wd[i]));
  }
  return constantLike(out, y);
}
