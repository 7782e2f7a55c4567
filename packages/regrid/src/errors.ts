import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by `@geoml/regrid`. */
export type RegridErrorCode =
  | "INVALID_GRID"
  | "INVALID_ARGUMENT"
  | "GRID_MISMATCH"
  | "INVALID_WEIGHTS";

/**
 * An error of regridding: a grid without usable latitude/longitude, bounds of the wrong
 * shape, an unknown method or option, or a weight file that does not fit the data.
 */
export class RegridError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: RegridErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - the file and variable concerned, if any
   */
  constructor(code: RegridErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "RegridError";
  }
}
