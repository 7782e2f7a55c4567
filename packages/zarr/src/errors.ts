import { type ErrorContext, GridError } from "@geoml/grid";

/** Codes raised by `@geoml/zarr`, in addition to the grid codes (`OUT_OF_RANGE`, …). */
export type ZarrErrorCode =
  | "NOT_ZARR"
  | "CORRUPT_METADATA"
  | "CORRUPT_CHUNK"
  | "UNSUPPORTED"
  | "IO_ERROR"
  | "TOO_LARGE"
  | "CLOSED"
  | "INVALID_WRITE"
  | "INVALID_ARGUMENT";

/**
 * An error reading or writing a Zarr store. Extends the grid's `GridError`, so
 * `isGridError(e, "CORRUPT_CHUNK")` works across loaders; the message starts with the store
 * (and array) it concerns.
 */
export class ZarrError extends GridError {
  /** Machine-readable tag. */
  declare readonly code: ZarrErrorCode;

  /**
   * @param code - machine-readable tag
   * @param message - what was expected and what was found
   * @param context - store (as `file`) and array (as `variable`)
   */
  constructor(code: ZarrErrorCode, message: string, context: ErrorContext = {}) {
    super(code, message, context);
    this.name = "ZarrError";
  }
}
