import * as ad from "@geoml/autodiff";
import type { Family } from "../types.js";
import {
  checkDomain,
  type LinkArgument,
  positiveOrOne,
  univariateFamily,
  univariateLink,
} from "./base.js";

/**
 * The Poisson family for counts: V(μ) = μ, unit deviance
 * 2[y log(y/μ) − (y − μ)], dispersion fixed at 1. Canonical link log; identity
 * and sqrt are the usual alternatives. Log-likelihood with prior weight w and
 * scale φ (as statsmodels): (w/φ)[y log μ − μ − log Γ(y + 1)]. Non-integer y ≥ 0
 * is accepted (quasi-Poisson use). Starting μ is y + 0.1 (R).
 */
export function poisson(link?: LinkArgument): Family {
  return univariateFamily({
    name: "poisson",
    canonicalLink: "log",
    dispersion: "fixed",
    link: univariateLink("poisson", link, "log"),
    checkY: (y) =>
      checkDomain("poisson", y, (v) => v >= 0 && v < Number.POSITIVE_INFINITY, "a count ≥ 0"),
    variance: (mu) => mu,
    unitDeviance: (y, mu) => {
      const ySafe = positiveOrOne(y);
      const ratio = ad.mul(y, ad.log(ad.div(ySafe, mu)));
      return ad.mul(ad.sub(ratio, ad.sub(y, mu)), 2);
    },
    logLikelihood: (y, m, w, phi) => {
      const logFactorial = ad.lgamma(ad.add(y, 1));
      const kernel = ad.sub(ad.sub(ad.mul(y, m.logMu()), m.mu()), logFactorial);
      return ad.mul(ad.div(w, phi), kernel);
    },
    startingMu: (y) => y.map((v) => v + 0.1),
  });
}
