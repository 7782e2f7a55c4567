import * as ad from "@geoml/autodiff";
import type { Family } from "../types.js";
import { checkDomain, type LinkArgument, univariateFamily, univariateLink } from "./base.js";

/**
 * The Gamma family for positive continuous y: V(μ) = μ², unit deviance
 * 2[−log(y/μ) + (y − μ)/μ], dispersion φ (1/shape) estimated. Canonical link
 * inverse; log and identity are the usual alternatives. Log-likelihood with
 * prior weight w is that of a Gamma with shape w/φ and mean μ (statsmodels):
 * (w/φ)log(wy/(φμ)) − wy/(φμ) − log Γ(w/φ) − log y. Starting μ is y (R).
 */
export function gamma(link?: LinkArgument): Family {
  return univariateFamily({
    name: "gamma",
    canonicalLink: "inverse",
    dispersion: "estimated",
    link: univariateLink("gamma", link, "inverse"),
    checkY: (y) =>
      checkDomain("gamma", y, (v) => v > 0 && v < Number.POSITIVE_INFINITY, "a finite y > 0"),
    variance: (mu) => ad.square(mu),
    unitDeviance: (y, mu) => {
      const ratio = ad.div(y, mu);
      return ad.mul(ad.sub(ad.sub(ratio, 1), ad.log(ratio)), 2);
    },
    logLikelihood: (y, m, w, phi) => {
      const shape = ad.div(w, phi);
      const ratio = ad.div(y, m.mu());
      const a = ad.mul(shape, ad.log(ad.mul(shape, ratio)));
      const b = ad.mul(shape, ratio);
      return ad.sub(ad.sub(a, b), ad.add(ad.lgamma(shape), ad.log(y)));
    },
    startingMu: (y) => Float64Array.from(y),
  });
}
