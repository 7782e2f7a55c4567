import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by `@geoml/netcdf`, in addition to the grid codes (`OUT_OF_RANGE`, …). */
export type NetcdfErrorCode =
  | "BAD_MAGIC"
  | "TRUNCATED"
  | "CORRUPT_HEADER"
  | "UNSUPPORTED"
  | "IO_ERROR"
  | "CLOSED"
  | "TIMEOUT"
  | "INVALID_WRITE"
  | "INVALID_ATTRIBUTE"
  | "TOO_LARGE"
  | "INVALID_ARGUMENT";

/**
 * An error reading or writing a NetCDF file. Extends the grid's `GridError`, so
 * `isGridError(e, "TRUNCATED")` works across loaders; the message starts with the file
 * (and variable) it concerns.
 */
export class NetcdfError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: NetcdfErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - file and variable
   */
  constructor(code: NetcdfErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "NetcdfError";
  }
}
