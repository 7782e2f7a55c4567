import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by the `geoml` command itself. */
export type CliErrorCode = "USAGE" | "UNKNOWN_FORMAT" | "IO_ERROR";

/**
 * An error of the command line: a wrong option (`USAGE`, exit status 2) or a file of
 * no known format. Extends the grid's `GridError` like every geoml error.
 */
export class CliError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: CliErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - the file concerned, if any
   */
  constructor(code: CliErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "CliError";
  }
}
