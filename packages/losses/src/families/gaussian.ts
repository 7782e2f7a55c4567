import * as ad from "@geoml/autodiff";
import type { Family } from "../types.js";
import { checkDomain, type LinkArgument, univariateFamily, univariateLink } from "./base.js";

/** log(2π). */
export const LOG_2PI = 1.8378770664093453;

/**
 * The Gaussian family: V(μ) = 1, unit deviance (y − μ)², dispersion φ = σ²
 * estimated. Canonical link identity; R also allows log and inverse.
 * Log-likelihood per observation with prior weight w: −½[w(y−μ)²/φ + log(φ/w) + log 2π].
 * Starting μ is y (R's `gaussian()$initialize`).
 */
export function gaussian(link?: LinkArgument): Family {
  return univariateFamily({
    name: "gaussian",
    canonicalLink: "identity",
    dispersion: "estimated",
    link: univariateLink("gaussian", link, "identity"),
    checkY: (y) => checkDomain("gaussian", y, Number.isFinite, "a finite real number"),
    variance: (mu) => ad.ones([...mu.shape], mu.dtype),
    unitDeviance: (y, mu) => ad.square(ad.sub(y, mu)),
    logLikelihood: (y, m, w, phi) => {
      const quadratic = ad.div(ad.mul(w, ad.square(ad.sub(y, m.mu()))), phi);
      return ad.mul(ad.add(ad.add(quadratic, ad.log(ad.div(phi, w))), LOG_2PI), -0.5);
    },
    startingMu: (y) => Float64Array.from(y),
  });
}
