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
import type { Family, Link } from "./types.js";

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

/** How {@link family} builds a family registered under a name. */
export type FamilyFactory = (options: FamilyLookupOptions & { link?: Link }) => Family;

const FAMILIES = new Map<string, FamilyFactory>();

/**
 * Registers a family under `name` (and `aliases`) so that {@link family} — and
 * so the command line and saved models — find it by name. A name already taken
 * is refused unless `replace` is set.
 */
export function registerFamily(
  name: string,
  factory: FamilyFactory,
  options: { aliases?: readonly string[]; replace?: boolean } = {},
): void {
  if (typeof name !== "string" || name.trim() === "")
    throw new FamilyParameterError("registerFamily: name must be a non-empty string");
  if (typeof factory !== "function")
    throw new FamilyParameterError(`registerFamily(${name}): factory must be a function`);
  for (const n of [name, ...(options.aliases ?? [])])
    if (FAMILIES.has(n) && !options.replace)
      throw new FamilyParameterError(
        `registerFamily: a family "${n}" is registered already; pass { replace: true }`,
      );
  for (const n of [name, ...(options.aliases ?? [])]) FAMILIES.set(n, factory);
}

// The built-in families: one line each.
registerFamily("gaussian", (o) => gaussian(o.link), { aliases: ["normal"] });
registerFamily("binomial", (o) => binomial(o.link), { aliases: ["bernoulli"] });
registerFamily("poisson", (o) => poisson(o.link));
registerFamily("gamma", (o) => gamma(o.link), { aliases: ["Gamma"] });
registerFamily("inverse_gaussian", (o) => inverseGaussian(o.link), {
  aliases: ["inverse.gaussian", "inverseGaussian"],
});
registerFamily(
  "negative_binomial",
  (o) => {
    if (o.theta === undefined)
      throw new FamilyParameterError(
        "negative_binomial needs { theta } (statsmodels alpha = 1/theta)",
      );
    return negativeBinomial({ theta: o.theta, link: o.link });
  },
  { aliases: ["negative.binomial", "negativeBinomial", "nb"] },
);
registerFamily("tweedie", (o) => {
  if (o.power === undefined)
    throw new FamilyParameterError("tweedie needs { power } with 1 < power < 2");
  return tweedie({ power: o.power, link: o.link });
});
registerFamily(
  "categorical",
  (o) => {
    if (o.k === undefined)
      throw new FamilyParameterError("categorical needs { k }, the number of classes");
    if (o.link !== undefined && o.link.name !== "softmax")
      throw new LinkError(`categorical: only the softmax link is available, got "${o.link.name}"`);
    return categorical(o.k);
  },
  { aliases: ["multinomial"] },
);

/** Names of the built-in families accepted by {@link family}. */
export const FAMILY_NAMES: readonly string[] = Object.freeze([...FAMILIES.keys()]);

/** Every name {@link family} accepts now: the built-in ones and those registered since. */
export function familyNames(): string[] {
  return [...FAMILIES.keys()];
}

/**
 * Look a family up by its R or statsmodels name, as a command line spells it:
 * `family("binomial", { link: "probit" })`, `family("negative_binomial", { theta: 2 })`,
 * `family("tweedie", { power: 1.5 })`, `family("multinomial", { k: 4 })`.
 * Names: gaussian, binomial, poisson, gamma (or Gamma), inverse_gaussian (or
 * inverse.gaussian), negative_binomial, tweedie, multinomial / categorical, and
 * any name given to {@link registerFamily}.
 */
export function family(name: string, options: FamilyLookupOptions = {}): Family {
  const factory = FAMILIES.get(name.trim());
  if (factory === undefined) throw new UnknownFamilyError(name, familyNames());
  const link =
    typeof options.link === "string"
      ? linkByName(options.link, { power: options.linkPower })
      : options.link;
  return factory({ ...options, link });
}
