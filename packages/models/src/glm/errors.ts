/**
 * Typed errors of the GLM, formula and data layers of `@geoml/models`. Each error
 * carries a machine-readable `code`; test with {@link isGlmError}.
 */

import { ModelError, ModelFileError } from "../contract/errors.js";

export { ModelFileError };

/** Codes raised by the GLM, formula and data layers. */
export type GlmErrorCode =
  | "FORMULA_SYNTAX"
  | "UNKNOWN_COLUMN"
  | "BAD_DATA"
  | "MISSING_VALUE"
  | "UNKNOWN_LEVEL"
  | "RANK_DEFICIENT"
  | "SEPARATION"
  | "BAD_OPTION"
  | "BAD_MODEL_FILE"
  | "NOT_FINITE";

/** Errors of the GLM, formula and data layers: a {@link ModelError} with a GLM code. */
export class GlmError extends ModelError {
  declare readonly code: GlmErrorCode;

  /** @param code machine-readable tag; @param message human-readable detail. */
  constructor(code: GlmErrorCode, message: string) {
    super(code, message);
  }
}

/** A formula that cannot be parsed; the message quotes the formula and the position. */
export class FormulaError extends GlmError {
  /** The formula text. */
  readonly formula: string;
  /** @param formula the formula; @param message detail. */
  constructor(formula: string, message: string, code: GlmErrorCode = "FORMULA_SYNTAX") {
    super(code, `formula "${formula}": ${message}`);
    this.name = "FormulaError";
    this.formula = formula;
  }
}

/** Input data that cannot be used: unknown or mistyped column, NaN, unseen level. */
export class DataError extends GlmError {
  /** Column at fault, when one is. */
  readonly column: string | undefined;
  /** First offending row (0-based), when one is. */
  readonly row: number | undefined;
  /** @param code tag; @param message detail; @param column column; @param row first bad row. */
  constructor(code: GlmErrorCode, message: string, column?: string, row?: number) {
    super(code, message);
    this.name = "DataError";
    this.column = column;
    this.row = row;
  }
}

/** The design has linearly dependent columns and `singular: "error"` was asked for. */
export class RankDeficientError extends GlmError {
  /** Names of the aliased columns (each a combination of earlier ones). */
  readonly aliased: string[];
  /** @param aliased names of the aliased columns. */
  constructor(aliased: string[]) {
    super(
      "RANK_DEFICIENT",
      `design matrix is rank deficient: ${aliased.map((a) => `"${a}"`).join(", ")} ` +
        'is a linear combination of earlier columns; drop it or fit with singular: "alias"',
    );
    this.name = "RankDeficientError";
    this.aliased = aliased;
  }
}

/** Perfect or quasi-complete separation in a binary or multinomial model. */
export class SeparationError extends GlmError {
  /** Names of the coefficients that diverge. */
  readonly coefficients: string[];
  /** @param coefficients names of the diverging coefficients; @param detail extra text. */
  constructor(coefficients: string[], detail: string) {
    super(
      "SEPARATION",
      `perfect or quasi-complete separation: coefficients ${coefficients
        .map((c) => `"${c}"`)
        .join(", ")} diverge (${detail}); the maximum-likelihood estimate does not exist — ` +
        "add a ridge penalty or remove the separating predictor",
    );
    this.name = "SeparationError";
    this.coefficients = coefficients;
  }
}

/** An invalid option value (unknown family or method, negative penalty, ...). */
export class OptionError extends GlmError {
  /** @param message detail naming the option and what is accepted. */
  constructor(message: string) {
    super("BAD_OPTION", message);
    this.name = "OptionError";
  }
}

const GLM_CODES: ReadonlySet<string> = new Set<GlmErrorCode>([
  "FORMULA_SYNTAX",
  "UNKNOWN_COLUMN",
  "BAD_DATA",
  "MISSING_VALUE",
  "UNKNOWN_LEVEL",
  "RANK_DEFICIENT",
  "SEPARATION",
  "BAD_OPTION",
  "BAD_MODEL_FILE",
  "NOT_FINITE",
]);

/**
 * True when `e` is a model error with a GLM, formula or data code (optionally the
 * given one); {@link isModelError} tests for any model error.
 */
export function isGlmError(
  e: unknown,
  code?: GlmErrorCode,
): e is ModelError & { code: GlmErrorCode } {
  return (
    e instanceof ModelError && GLM_CODES.has(e.code) && (code === undefined || e.code === code)
  );
}
