/**
 * Dtypes and promotion. Two dtypes exist: `float32` and `float64`.
 * Promotion: float32 with float64 gives float64; a plain JS number takes the dtype of
 * the tensor it meets; two plain numbers give float64. Values are always computed in
 * float64 and rounded once when stored into a float32 result.
 */
import { DTypeError } from "./errors.js";

/** Element type of a tensor. */
export type DType = "float32" | "float64";

/** Typed-array storage of a tensor. */
export type Storage = Float32Array | Float64Array;

/** Allocates zeroed storage of `n` elements of `dtype`. */
export function alloc(dtype: DType, n: number): Storage {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

/** Result dtype of combining two dtypes. */
export function promote(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}

/** Validates a dtype name given by a user. */
export function checkDType(d: unknown, op: string): DType {
  if (d === "float32" || d === "float64") return d;
  throw new DTypeError(
    op,
    `unsupported dtype ${JSON.stringify(d)}; use "float32" or "float64" (integers and booleans are stored as floats)`,
  );
}
