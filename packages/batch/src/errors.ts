import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by `@geoml/batch`. */
export type BatchErrorCode =
  | "INVALID_ARGUMENT"
  | "FORMULA"
  | "UNKNOWN_VARIABLE"
  | "SHAPE_MISMATCH"
  | "JOB_VERSION"
  | "BAD_PART"
  | "QUEUE"
  | "IO_ERROR";

/**
 * An error of a batch run. Extends the grid's `GridError`, so the command line prints it
 * as one line naming the file or variable it concerns.
 */
export class BatchError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: BatchErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - file and variable
   */
  constructor(code: BatchErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "BatchError";
  }
}
