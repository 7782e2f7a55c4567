import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by `@geoml/geotiff`, in addition to the grid codes (`OUT_OF_RANGE`, …). */
export type GeotiffErrorCode =
  | "BAD_MAGIC"
  | "TRUNCATED"
  | "CORRUPT"
  | "UNSUPPORTED"
  | "IO_ERROR"
  | "CLOSED"
  | "OUT_OF_RANGE"
  | "TOO_LARGE"
  | "UNKNOWN_VARIABLE"
  | "INVALID_WRITE";

/**
 * An error reading or writing a GeoTIFF. Extends the grid's `GridError`, so
 * `isGridError(e, "TRUNCATED")` works across loaders; the message starts with the file
 * (and band) it concerns.
 */
export class GeotiffError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: GeotiffErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - file and variable (band)
   */
  constructor(code: GeotiffErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "GeotiffError";
  }
}

/**
 * Re-throw anything a decoder threw as a `CORRUPT` {@link GeotiffError} naming the file;
 * typed errors pass through unchanged.
 */
export function asGeotiffError(error: unknown, context: ErrorContext, what: string): GridError {
  if (error instanceof GridError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new GeotiffError("CORRUPT", `${what}: ${detail}`, context);
}
