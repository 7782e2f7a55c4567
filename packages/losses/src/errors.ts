/** Tags carried by every error of this package, stable across releases. */
export type LossesErrorCode =
  | "FAMILY_DOMAIN"
  | "LINK"
  | "FAMILY_PARAMETER"
  | "LOSS_SHAPE"
  | "UNKNOWN_FAMILY";

/** Base class of every error thrown by `@geoml/losses`; `code` tells them apart. */
export class LossesError extends Error {
  readonly code: LossesErrorCode;
  constructor(code: LossesErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * A response value (or weight) lies outside the family's domain, e.g. a negative
 * count for Poisson or y ∉ {0, 1} for Bernoulli. Names the family, the flat index
 * of the first offending value and the value itself.
 */
export class FamilyDomainError extends LossesError {
  readonly family: string;
  readonly index: number;
  readonly value: number;
  constructor(
    family: string,
    variable: "y" | "weights" | "scale",
    index: number,
    value: number,
    expected: string,
  ) {
    super(
      "FAMILY_DOMAIN",
      `${family}: ${variable}[${index}] = ${value} is outside the domain; expected ${expected}`,
    );
    this.family = family;
    this.index = index;
    this.value = value;
  }
}

/** An unknown link name, a bad power, or a link that does not fit the family. */
export class LinkError extends LossesError {
  constructor(message: string) {
    super("LINK", message);
  }
}

/** A family parameter (Negative Binomial θ, Tweedie power, number of classes, scale) is invalid. */
export class FamilyParameterError extends LossesError {
  constructor(message: string) {
    super("FAMILY_PARAMETER", message);
  }
}

/** The shapes of η, y, μ or the weights do not fit together. */
export class LossShapeError extends LossesError {
  constructor(op: string, message: string) {
    super("LOSS_SHAPE", `${op}: ${message}`);
  }
}

/** `family(name)` was given a name that is neither an R nor a statsmodels family name. */
export class UnknownFamilyError extends LossesError {
  constructor(name: string, known: readonly string[]) {
    super("UNKNOWN_FAMILY", `unknown family "${name}"; expected one of ${known.join(", ")}`);
  }
}

/** True when `e` is an error of this package, optionally with the given code. */
export function isLossesError(e: unknown, code?: LossesErrorCode): e is LossesError {
  return e instanceof LossesError && (code === undefined || e.code === code);
}
