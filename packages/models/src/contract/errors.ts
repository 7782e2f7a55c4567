/**
 * The one error hierarchy of `@geoml/models`: every error a model kind throws
 * (GLM, multinomial, MLP, GAM, or one a user registers) is a {@link ModelError}
 * with a machine-readable `code`. The kind-specific classes (`GlmError`,
 * `MlpError`, …) extend it, so `isModelError(e)` catches them all.
 */

/** Codes of every model error; kind-specific classes narrow it. */
export type ModelErrorCode =
  // formulas, data and options (all kinds)
  | "FORMULA_SYNTAX"
  | "UNKNOWN_COLUMN"
  | "BAD_DATA"
  | "MISSING_VALUE"
  | "UNKNOWN_LEVEL"
  | "BAD_OPTION"
  | "NOT_FINITE"
  // fitting
  | "RANK_DEFICIENT"
  | "SEPARATION"
  // saved models and the kind registry
  | "BAD_MODEL_FILE"
  | "UNKNOWN_MODEL_KIND"
  // the GAM
  | "BASIS_TOO_LARGE"
  | "UNKNOWN_BASIS"
  | "BAD_SMOOTH"
  | "BY_NOT_FACTOR"
  | "METHOD_FAMILY"
  | "NOT_CONVERGED"
  // the MLP
  | "MLP_OPTION"
  | "MLP_SHAPE"
  | "MLP_DATA"
  | "MLP_NOT_FITTED"
  | "MLP_FORMAT"
  | "MLP_DIVERGED";

/** Base class of every error thrown by `@geoml/models`. */
export class ModelError extends Error {
  /** Machine-readable tag, e.g. `"BAD_MODEL_FILE"`. */
  readonly code: ModelErrorCode;

  /** @param code machine-readable tag; @param message what is wrong and what was expected. */
  constructor(code: ModelErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A saved model that cannot be read back; the message names the field at fault. */
export class ModelFileError extends ModelError {
  /** @param message detail naming the field at fault. */
  constructor(message: string) {
    super("BAD_MODEL_FILE", message);
  }
}

/** A saved model whose `kind` no registered model kind reads. */
export class UnknownModelKindError extends ModelError {
  /** The `kind` (or legacy `format`) tag found in the file. */
  readonly kind: string;
  /** @param kind the tag found; @param known the registered kinds. */
  constructor(kind: string, known: readonly string[]) {
    super(
      "UNKNOWN_MODEL_KIND",
      `no model kind "${kind}" is registered (known: ${known.join(", ") || "none"}); ` +
        "import the package that defines it, or register it with registerModelKind",
    );
    this.kind = kind;
  }
}

/** True when `e` was thrown by `@geoml/models` (optionally with the given code). */
export function isModelError(e: unknown, code?: ModelErrorCode): e is ModelError {
  return e instanceof ModelError && (code === undefined || e.code === code);
}
