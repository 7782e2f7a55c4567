/**
 * Typed errors of the GAM. Each names the smooth term (mgcv's label such as
 * `s(x)`) or option at fault and carries a machine-readable `code`.
 */

import { ModelError } from "../contract/errors.js";

/** Codes raised by the GAM. */
export type GamErrorCode =
  | "BASIS_TOO_LARGE"
  | "UNKNOWN_BASIS"
  | "BAD_SMOOTH"
  | "BY_NOT_FACTOR"
  | "METHOD_FAMILY"
  | "BAD_OPTION"
  | "NOT_CONVERGED"
  | "BAD_MODEL_FILE";

/** Error thrown by the GAM (a {@link ModelError}); `term` names the smooth or option concerned. */
export class GamError extends ModelError {
  declare readonly code: GamErrorCode;
  /** The smooth term's label (e.g. `s(x)`) or option name, when one is at fault. */
  readonly term: string | undefined;
  /** @param code tag; @param message detail; @param term term or option at fault. */
  constructor(code: GamErrorCode, message: string, term?: string) {
    super(code, message);
    this.name = "GamError";
    this.term = term;
  }
}

/** True for errors thrown by the GAM. */
export function isGamError(e: unknown): e is GamError {
  return e instanceof GamError;
}
