import { ModelError } from "../contract/errors.js";

/** Error codes raised by the MLP; one per kind of mistake a caller can make. */
export type MlpErrorCode =
  | "MLP_OPTION"
  | "MLP_SHAPE"
  | "MLP_DATA"
  | "MLP_NOT_FITTED"
  | "MLP_FORMAT"
  | "MLP_DIVERGED";

/**
 * Base class of every error thrown by the MLP. `code` is a stable tag that callers
 * can switch on; the message names the option, variable or file at fault and what
 * was expected.
 */
export class MlpError extends ModelError {
  /** Stable machine-readable tag. */
  declare readonly code: MlpErrorCode;
  constructor(code: MlpErrorCode, message: string) {
    super(code, message);
  }
}

/** An option of `mlp()`, `fit()` or `predict()` is out of range or inconsistent. */
export class MlpOptionError extends MlpError {
  constructor(message: string) {
    super("MLP_OPTION", message);
  }
}

/** An input array does not have the shape the model expects. */
export class MlpShapeError extends MlpError {
  constructor(message: string) {
    super("MLP_SHAPE", message);
  }
}

/** Input values are unusable (NaN, infinite, negative weights, labels out of range). */
export class MlpDataError extends MlpError {
  constructor(message: string) {
    super("MLP_DATA", message);
  }
}

/** `predict` or `toJSON` was called before `fit`. */
export class MlpNotFittedError extends MlpError {
  constructor(op: string) {
    super("MLP_NOT_FITTED", `${op}: the model has no weights yet; call fit() first`);
  }
}

/** A saved model cannot be read back. */
export class MlpFormatError extends MlpError {
  constructor(message: string) {
    super("MLP_FORMAT", message);
  }
}

/** Training produced a non-finite loss (learning rate too high, bad data). */
export class MlpDivergedError extends MlpError {
  constructor(message: string) {
    super("MLP_DIVERGED", message);
  }
}

/** True when `e` is an error thrown by the MLP (optionally of one `code`). */
export function isMlpError(e: unknown, code?: MlpErrorCode): e is MlpError {
  return e instanceof MlpError && (code === undefined || e.code === code);
}

/**
 * A printable form of a value taken from user input or a saved file, for error
 * messages; never throws (objects without a prototype cannot be converted to text).
 */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value)?.slice(0, 80) ?? typeof value;
  } catch {
    return typeof value;
  }
}
