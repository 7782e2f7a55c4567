/**
 * The one way every model kind turns a family given by name or as an object into
 * a `@geoml/losses` family: by name through the losses registry (so a family a user
 * registered works everywhere), as an object unchanged.
 */
import { type Family, family as familyByName, type LinkArgument } from "@geoml/losses";
import { ModelError } from "./errors.js";

/** What a model kind's options say about its family. */
export interface FamilyChoice {
  /** Link (name or object) for a family given by name; default the family's canonical one. */
  link?: LinkArgument;
  /** Negative Binomial θ. */
  theta?: number;
  /** Tweedie variance power. */
  power?: number;
  /** Exponent of a `power` link. */
  linkPower?: number;
  /** Number of classes of a Categorical family. */
  classes?: number;
}

/**
 * The family object for `spec`: a name (looked up in `@geoml/losses`' registry with
 * the options) or a `Family` object, returned as is — with a different link asked
 * for, a {@link ModelError} rather than a silently ignored option.
 */
export function resolveFamily(spec: Family | string, choice: FamilyChoice = {}): Family {
  if (typeof spec !== "string") {
    if (spec === null || typeof spec !== "object" || typeof spec.loss !== "function")
      throw new ModelError("BAD_OPTION", "family must be a name or a @geoml/losses Family object");
    const l = choice.link;
    const name = typeof l === "string" ? l : l?.name;
    if (l !== undefined && l !== spec.link && name !== spec.link.name)
      throw new ModelError(
        "BAD_OPTION",
        `link "${name}" given with a ${spec.name} family object whose link is "${spec.link.name}"; pass the link to the family factory instead`,
      );
    return spec;
  }
  return familyByName(spec, {
    link: choice.link,
    theta: choice.theta,
    power: choice.power,
    linkPower: choice.linkPower,
    k: choice.classes,
  });
}
