import * as ad from "@geoml/autodiff";
import { FamilyParameterError } from "../errors.js";
import type { Family } from "../types.js";
import {
  builtInFamily,
  checkRange,
  type LinkArgument,
  mapY,
  univariateFamily,
  univariateLink,
} from "./base.js";

/** Options of {@link negativeBinomial}. */
export interface NegativeBinomialOptions {
  /** Shape θ > 0 (R's `theta`, MASS `glm.nb`); statsmodels' `alpha` is 1/θ. */
  theta: number;
  link?: LinkArgument;
}

/**
 * The Negative Binomial family with fixed shape θ (NB2): V(μ) = μ + μ²/θ,
 * unit deviance 2[y log(y/μ) − (y+θ) log((y+θ)/(μ+θ))], dispersion fixed at 1.
 * θ is R's `theta`; statsmodels' `NegativeBinomial(alpha=…)` uses alpha = 1/θ.
 * The default link is log (as in R and statsmodels); the true canonical link
 * log(μ/(μ+θ)) is not offered, so `canonicalLink` reports the default, "log".
 * Log-likelihood with prior weight w and scale φ (statsmodels):
 * (w/φ)[y log(μ/θ) − (y+θ) log(1 + μ/θ) + log Γ(y+θ) − log Γ(θ) − log Γ(y+1)].
 * Starting μ is y + (y = 0)/6 (R's `negative.binomial()$initialize`).
 */
/** A Negative Binomial family; `theta` is its fixed shape θ. */
export interface NegativeBinomialFamily extends Family {
  readonly theta: number;
}

export function negativeBinomial(options: NegativeBinomialOptions): NegativeBinomialFamily {
  const theta = options?.theta;
  if (!(theta > 0) || !Number.isFinite(theta)) {
    throw new FamilyParameterError(
      `negative_binomial: theta must be finite and > 0 (statsmodels alpha = 1/theta), got ${theta}`,
    );
  }
  const logTheta = Math.log(theta);
  const family = univariateFamily({
    name: "negative_binomial",
    canonicalLink: "log",
    dispersion: "fixed",
    link: univariateLink("negative_binomial", options.link, "log"),
    checkY: (y) => checkRange("negative_binomial", y, 0, Number.MAX_VALUE, "a count ≥ 0"),
    variance: (mu) => ad.add(mu, ad.div(ad.square(mu), theta)),
    unitDeviance: (y, mu) => {
      const ySafe = mapY(y, (v) => (v > 0 ? v : 1));
      const yTheta = ad.add(y, theta);
      const a = ad.mul(y, ad.log(ad.div(ySafe, mu)));
      const b = ad.mul(yTheta, ad.log(ad.div(yTheta, ad.add(mu, theta))));
      return ad.mul(ad.sub(a, b), 2);
    },
    logLikelihood: (y, m, w, phi) => {
      const logRatio = ad.sub(m.logMu(), logTheta); // log(μ/θ)
      const constant = ad.sub(
        ad.sub(ad.lgamma(ad.add(y, theta)), ad.lgamma(ad.add(y, 1))),
        lgammaTheta(theta),
      );
      // log(1 + μ/θ) as softplus(log(μ/θ)): finite for any η under the log link
      const kernel = ad.sub(ad.mul(y, logRatio), ad.mul(ad.add(y, theta), ad.softplus(logRatio)));
      return ad.mul(ad.div(w, phi), ad.add(kernel, constant));
    },
    startingMu: (y) => y.map((v) => v + (v === 0 ? 1 / 6 : 0)),
  });
  return builtInFamily({ ...family, theta }, family);
}

function lgammaTheta(theta: number): number {
  return ad.lgamma(ad.scalar(theta)).item();
}
