/**
 * Typed errors for gridded data. Every error carries a machine-readable `code`
 * and, where known, the file and variable it concerns, so a message like
 * "sst.nc: variable 'sst': start[0]=12 is outside dimension 'time' (length 12)"
 * can be produced without string parsing by callers.
 */

/** Codes raised by `@geoml/grid` itself. Loaders extend this set with their own. */
export type GridErrorCode =
  | "SHAPE_MISMATCH"
  | "UNKNOWN_DIMENSION"
  | "UNKNOWN_VARIABLE"
  | "OUT_OF_RANGE"
  | "INVALID_SELECTION"
  | "INVALID_ATTRIBUTE"
  | "INVALID_TIME_UNITS"
  | "UNSUPPORTED_CALENDAR"
  | "UNSUPPORTED_DTYPE"
  | "TOO_LARGE"
  | "INVALID_ARGUMENT";

/** Where an error happened: the file and/or variable it concerns. */
export interface ErrorContext {
  /** Path or name of the file being read or written. */
  file?: string;
  /** Variable (or band) name. */
  variable?: string;
}

/**
 * Base class of every geoml data error (grid, NetCDF, GeoTIFF). Loaders subclass it
 * with their own code set; use {@link isGridError} to test for it.
 */
export class GridError extends Error {
  /** Machine-readable tag, e.g. `"OUT_OF_RANGE"`. */
  readonly code: string;
  /** File the error concerns, if any. */
  readonly file?: string;
  /** Variable the error concerns, if any. */
  readonly variable?: string;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - file and variable, prefixed to the message
   */
  constructor(code: string, message: string, context: ErrorContext = {}) {
    super(prefix(context) + message);
    this.name = "GridError";
    this.code = code;
    if (context.file !== undefined) this.file = context.file;
    if (context.variable !== undefined) this.variable = context.variable;
  }
}

function prefix(context: ErrorContext): string {
  const parts: string[] = [];
  if (context.file !== undefined) parts.push(context.file);
  if (context.variable !== undefined) parts.push(`variable '${context.variable}'`);
  return parts.length > 0 ? `${parts.join(": ")}: ` : "";
}

/**
 * True when `error` is a {@link GridError} (or subclass), optionally with a given code.
 *
 * @param error - anything caught
 * @param code - optional code to match
 */
export function isGridError(error: unknown, code?: string): error is GridError {
  return error instanceof GridError && (code === undefined || error.code === code);
}
