import {
  builtInFamilyName,
  type Family,
  family as familyByName,
  type LinkName,
} from "@geoml/losses";
import { resolveFamily as resolveFamilyOf } from "../contract/family.js";
import { MlpFormatError, MlpOptionError, show } from "./errors.js";
import type { FamilyJSON } from "./serialize.js";

/** Family-specific numbers some families carry (read when saving a model). */
type FamilyExtras = { theta?: number; power?: number; link: { power?: number } };

/** Parameters of families looked up by name: Negative Binomial θ, Tweedie power, power-link exponent. */
export interface FamilyParameters {
  theta?: number;
  power?: number;
  linkPower?: number;
}

/** The family object for `family` given as an object or by name (with an optional link). */
export function resolveFamily(
  family: Family | string,
  link: LinkName | undefined,
  classes: number | undefined,
  parameters: FamilyParameters = {},
): Family {
  try {
    return resolveFamilyOf(family, { link, classes, ...parameters });
  } catch (e) {
    throw new MlpOptionError(`mlp: ${(e as Error).message}`);
  }
}

/**
 * Name, link and parameters of `family`, enough to rebuild it: `parameters` as given
 * to {@link resolveFamily}, completed by what the family object itself exposes.
 */
export function familyToJSON(family: Family, k: number, parameters: FamilyParameters): FamilyJSON {
  const extras = family as unknown as FamilyExtras;
  const out: FamilyJSON = { name: family.name, link: family.link.name };
  // a family built outside @geoml/losses' factories cannot be rebuilt from its name alone
  if (builtInFamilyName(family) === undefined) out.custom = true;
  const theta = parameters.theta ?? extras.theta;
  const power = parameters.power ?? extras.power;
  const linkPower = parameters.linkPower ?? extras.link.power;
  if (theta !== undefined) out.theta = theta;
  if (power !== undefined) out.power = power;
  if (linkPower !== undefined) out.linkPower = linkPower;
  if (family.name === "categorical") out.k = k;
  return out;
}

/** Rebuilds a family saved by {@link familyToJSON}. */
export function familyFromJSON(json: FamilyJSON): Family {
  const numeric = [json.theta, json.power, json.linkPower, json.k];
  if (
    typeof json.name !== "string" ||
    typeof json.link !== "string" ||
    !numeric.every((v) => v === undefined || typeof v === "number")
  ) {
    throw new MlpFormatError(
      "fromJSON: family must hold name and link (strings) and numeric theta, power, linkPower, k",
    );
  }
  if (json.custom !== undefined && typeof json.custom !== "boolean")
    throw new MlpFormatError("fromJSON: family.custom must be a boolean");
  let rebuilt: Family;
  try {
    rebuilt = familyByName(json.name, {
      link: json.link as LinkName,
      theta: json.theta,
      power: json.power,
      k: json.k,
      linkPower: json.linkPower,
    });
  } catch (e) {
    throw new MlpFormatError(
      `fromJSON: cannot rebuild the ${show(json.name)} family (${(e as Error).message}); pass { family } to loadMlp`,
    );
  }
  if (json.custom === true && builtInFamilyName(rebuilt) !== undefined)
    throw new MlpFormatError(
      `fromJSON: the network was fitted with a user-defined family named ${show(json.name)}; pass { family } to loadMlp`,
    );
  return rebuilt;
}
