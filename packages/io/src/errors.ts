import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by `@geoml/io`, besides those of the grid and the loaders. */
export type IoErrorCode =
  | "NO_FILES"
  | "UNKNOWN_FORMAT"
  | "IO_ERROR"
  | "GRID_MISMATCH"
  | "TIME_ORDER"
  | "INVALID_ARGUMENT";

/**
 * An error opening files. Extends the grid's `GridError`, so `isGridError(e, "NO_FILES")`
 * works; the message starts with the file it concerns.
 */
export class IoError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: IoErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - file and variable
   */
  constructor(code: IoErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "IoError";
  }
}
