import { FamilyParameterError, LinkError, UnknownFamilyError } from "./errors.js";
import type { LinkArgument } from "./families/base.js";
import { binomial } from "./families/binomial.js";
import { categorical } from "./families/categorical.js";
import { gamma } from "./families/gamma.js";
import { gaussian } from "./families/gaussian.js";
import { inverseGaussian } from "./families/inverse-gaussian.js";
import { negativeBinomial } from "./families/negative-binomial.js";
import { poisson } from "./families/poisson.js";
import { tweedie } from "./families/tweedie.js";
import { link as linkByName } from "./links.js";
import type { BuiltInFamilyName, Family } from "./types.js";

/** Options of {@link family}; each family reads the ones it needs. */
export interface FamilyLookupOptions {
  /** Link name (R or statsmodels spelling) or link object; default the family's. */
  link?: LinkArgument;
  /** Exponent when `link` is "power". */
  linkPower?: number;
  /** Negative Binomial shape θ (statsmodels alpha = 1/θ). */
  theta?: number;
  /** Tweedie variance power p, 1 < p < 2. */
  power?: number;
  /** Number of classes for categorical / multinomial. */
  k?: number;
}

const FAMILY_ALIASES: Record<string, BuiltInFamilyName> = {
  gaussian: "gaussian",
  normal: "gaussian",
  binomial: "binomial",
  bernoulli: "binomial",
  poisson: "poisson",
  gamma: "gamma",
  Gamma: "gamma",
  inverse_gaussian: "inverse_gaussian",
  "inverse.gaussian": "inverse_gaussian",
  inverseGaussian: "inverse_gaussian",
  negative_binomial: "negative_binomial",
  "negative.binomial": "negative_binomial",
  negativeBinomial: "negative_binomial",
  nb: "negative_binomial",
  tweedie: "tweedie",
  multinomial: "categorical",
  categorical: "categorical",
};

/** Names accepted by {@link family}. */
export const FAMILY_NAMES: readonly string[] = Object.keys(FAMILY_ALIASES);

/**
 * Look a family up by its R or statsmodels name, as a command line spells it:
 * `family("binomial", { link: "probit" })`, `family("negative_binomial", { theta: 2 })`,
 * `family("tweedie", { power: 1.5 })`, `family("multinomial", { k: 4 })`.
 * Names: gaussian, binomial, poisson, gamma (or Gamma), inverse_gaussian (or
 * inverse.gaussian), negative_binomial, tweedie, multinomial / categorical.
 */
export function family(name: string, options: FamilyLookupOptions = {}): Family {
  const canonical = FAMILY_ALIASES[name.trim()];
  if (canonical === undefined) throw new UnknownFamilyError(name, FAMILY_NAMES);
  const link =
    typeof options.link === "string"
      ? linkByName(options.link, { power: options.linkPower })
      : options.link;
  switch (canonical) {
    case "gaussian":
      return gaussian(link);
    case "binomial":
      return binomial(link);
    case "poisson":
      return poisson(link);
    case "gamma":
      return gamma(link);
    case "inverse_gaussian":
      return inverseGaussian(link);
    case "negative_binomial":
      if (options.theta === undefined) {
        throw new FamilyParameterError(
          "negative_binomial needs { theta } (statsmodels alpha = 1/theta)",
        );
      }
      return negativeBinomial({ theta: options.theta, link });
    case "tweedie":
      if (options.power === undefined) {
        throw new FamilyParameterError("tweedie needs { power } with 1 < power < 2");
      }
      return tweedie({ power: options.power, link });
    case "categorical":
      if (options.k === undefined)
        throw new FamilyParameterError(`${name} needs { k }, the number of classes`);
      if (link !== undefined && link.name !== "softmax") {
        throw new LinkError(`${name}: only the softmax link is available, got "${link.name}"`);
      }
      return categorical(options.k);
  }
}
