/**
 * Typed errors of `@geoml/autodiff`. Every error carries a machine-readable `code`
 * and the name of the op that raised it, so callers can branch without parsing text.
 */

/** Codes raised by `@geoml/autodiff`. */
export type AutodiffErrorCode =
  | "SHAPE_MISMATCH"
  | "INVALID_SHAPE"
  | "INVALID_AXIS"
  | "DTYPE_MISMATCH"
  | "INVALID_ARGUMENT"
  | "NOT_SCALAR"
  | "OUT_OF_RANGE"
  | "RELEASED";

/** Base class of every error thrown by `@geoml/autodiff`; test with {@link isAutodiffError}. */
export class AutodiffError extends Error {
  /** Machine-readable tag, e.g. `"SHAPE_MISMATCH"`. */
  readonly code: AutodiffErrorCode;
  /** Op that raised the error, e.g. `"matmul"`. */
  readonly op: string;

  /** @param code machine-readable tag; @param op op name; @param message human-readable detail. */
  constructor(code: AutodiffErrorCode, op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = "AutodiffError";
    this.code = code;
    this.op = op;
  }
}

/** Shapes that cannot be combined (broadcasting, matmul, concat, reshape). */
export class ShapeError extends AutodiffError {
  /** @param op op name; @param message detail naming both shapes. */
  constructor(op: string, message: string, code: AutodiffErrorCode = "SHAPE_MISMATCH") {
    super(code, op, message);
    this.name = "ShapeError";
  }
}

/** An unsupported dtype or dtype combination; the message says what to do instead. */
export class DTypeError extends AutodiffError {
  /** @param op op name; @param message detail and remedy. */
  constructor(op: string, message: string) {
    super("DTYPE_MISMATCH", op, message);
    this.name = "DTypeError";
  }
}

/** A bad argument value (axis out of range, non-scalar loss, bad index, ...). */
export class ArgumentError extends AutodiffError {
  /** @param op op name; @param message detail; @param code tag. */
  constructor(op: string, message: string, code: AutodiffErrorCode = "INVALID_ARGUMENT") {
    super(code, op, message);
    this.name = "ArgumentError";
  }
}

/** True when `e` was thrown by `@geoml/autodiff` (optionally with the given code). */
export function isAutodiffError(e: unknown, code?: AutodiffErrorCode): e is AutodiffError {
  return e instanceof AutodiffError && (code === undefined || e.code === code);
}

/** Formats a shape as `[2, 3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
