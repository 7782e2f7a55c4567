/**
 * Dtypes and promotion. Two dtypes exist: `float32` and `float64`.
 * Promotion: float32 with float64 gives float64; a plain JS number takes the dtype of
 * the tensor it meets; two plain numbers give float64. Values are always computed in
 * float64 and rounded once when stored into a float32 result.
 */
import { ArgumentError, DTypeError } from "./errors.js";
import { poolOwn, poolTake } from "./pool.js";

/** Element type of a tensor. */
export type DType = "float32" | "float64";

/** Typed-array storage of a tensor. */
export type Storage = Float32Array | Float64Array;

/** Largest number of elements of one tensor (the typed-array length limit we rely on). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Allocates zeroed storage of `n` elements of `dtype`; refuses absurd sizes up front.
 * `overwrite`: the caller writes every element before anything reads the array, so an
 * array reused from a {@link BufferPool} need not be zeroed first (ops that accumulate
 * into their output must leave it false).
 */
export function alloc(dtype: DType, n: number, overwrite = false): Storage {
  if (!(n <= MAX_ELEMENTS))
    throw new ArgumentError(
      "alloc",
      `a tensor of ${n} elements exceeds the limit of ${MAX_ELEMENTS}`,
      "OUT_OF_RANGE",
    );
  // Inside BufferPool.run: an array of the same size from the free list (zeroed unless
  // the caller overwrites it whole).
  const reused = poolTake(dtype, n, !overwrite);
  if (reused !== null) {
    poolOwn(reused);
    return reused;
  }
  try {
    const fresh = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
    poolOwn(fresh);
    return fresh;
  } catch (e) {
    // The engine could not reserve the memory: report it as ours, with the size.
    const bytes = n * (dtype === "float32" ? 4 : 8);
    throw new ArgumentError(
      "alloc",
      `could not allocate ${n} ${dtype} elements (${bytes} bytes): ${String(e)}`,
      "OUT_OF_RANGE",
    );
  }
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
