import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by `@geoml/plot`. */
export type PlotErrorCode = "INVALID_ARGUMENT" | "INVALID_GRID";

/** A plot that cannot be drawn: a wrong option, or data without a usable grid. */
export class PlotError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: PlotErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - the variable concerned, if any
   */
  constructor(code: PlotErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "PlotError";
  }
}
