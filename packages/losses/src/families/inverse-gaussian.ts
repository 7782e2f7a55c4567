import * as ad from "@geoml/autodiff";
import type { Family } from "../types.js";
import {
  builtInFamily,
  checkRange,
  type LinkArgument,
  univariateFamily,
  univariateLink,
} from "./base.js";
import { LOG_2PI } from "./gaussian.js";

/**
 * The Inverse Gaussian family for positive continuous y: V(μ) = μ³, unit
 * deviance (y − μ)²/(yμ²), dispersion φ estimated. Canonical link 1/μ²
 * ("inverse_squared"); inverse, log and identity are the usual alternatives.
 * Log-likelihood with prior weight w: −½[w(y−μ)²/(φyμ²) + log(φy³/w) + log 2π]
 * (statsmodels). Starting μ is y (R).
 */
export function inverseGaussian(link?: LinkArgument): Family {
  return builtInFamily(
    univariateFamily({
      name: "inverse_gaussian",
      canonicalLink: "inverse_squared",
      dispersion: "estimated",
      link: univariateLink("inverse_gaussian", link, "inverse_squared"),
      checkY: (y) =>
        checkRange("inverse_gaussian", y, Number.MIN_VALUE, Number.MAX_VALUE, "a finite y > 0"),
      variance: (mu) => ad.mul(mu, ad.square(mu)),
      unitDeviance: (y, mu) => ad.div(ad.square(ad.sub(y, mu)), ad.mul(y, ad.square(mu))),
      logLikelihood: (y, m, w, phi) => {
        const mu = m.mu();
        const quadratic = ad.div(
          ad.mul(w, ad.square(ad.sub(y, mu))),
          ad.mul(ad.mul(y, ad.square(mu)), phi),
        );
        const logNorm = ad.log(ad.div(ad.mul(ad.mul(y, ad.square(y)), phi), w));
        return ad.mul(ad.add(ad.add(quadratic, logNorm), LOG_2PI), -0.5);
      },
      startingMu: (y) => Float64Array.from(y),
    }),
  );
}
