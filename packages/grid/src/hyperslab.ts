import { type ErrorContext, GridError } from "./errors.js";
import { type ArrayData, sizeOf } from "./types.js";

/** Largest hyperslab (in elements) any single read may request: 2^31 − 1, the typed-array cap. */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Validate and complete a hyperslab request against a shape. Missing `start` means all
 * zeros, missing `count` means "to the end".
 *
 * @returns the full `[start, count]`
 * @throws GridError `OUT_OF_RANGE` for a hyperslab outside the shape, `TOO_LARGE` when it
 *   exceeds {@link MAX_ELEMENTS}
 */
export function resolveHyperslab(
  shape: readonly number[],
  start: readonly number[] | undefined,
  count: readonly number[] | undefined,
  context: ErrorContext = {},
): [number[], number[]] {
  const rank = shape.length;
  const s = start === undefined ? new Array<number>(rank).fill(0) : [...start];
  if (s.length !== rank || (count !== undefined && count.length !== rank)) {
    throw new GridError(
      "OUT_OF_RANGE",
      `hyperslab rank ${s.length}/${count?.length ?? rank} does not match variable rank ${rank}`,
      context,
    );
  }
  const c = count === undefined ? shape.map((n, i) => n - s[i]) : [...count];
  for (let i = 0; i < rank; i++) {
    if (
      !Number.isInteger(s[i]) ||
      !Number.isInteger(c[i]) ||
      s[i] < 0 ||
      c[i] < 0 ||
      s[i] + c[i] > shape[i]
    ) {
      throw new GridError(
        "OUT_OF_RANGE",
        `hyperslab start ${s[i]} count ${c[i]} on axis ${i} is outside length ${shape[i]}`,
        context,
      );
    }
  }
  if (sizeOf(c) > MAX_ELEMENTS) {
    throw new GridError(
      "TOO_LARGE",
      `hyperslab of ${sizeOf(c)} elements exceeds the ${MAX_ELEMENTS} limit; read it in parts`,
      context,
    );
  }
  return [s, c];
}

/**
 * Copy the hyperslab `[start, start+count)` out of row-major `data` of `shape`.
 * Inputs must already be validated (see {@link resolveHyperslab}).
 */
export function sliceData<T extends ArrayData>(
  data: T,
  shape: readonly number[],
  start: readonly number[],
  count: readonly number[],
): T {
  const n = sizeOf(count);
  const out = (
    Array.isArray(data)
      ? new Array<string>(n)
      : new (data.constructor as new (n: number) => ArrayData)(n)
  ) as T;
  if (n === 0) return out;
  const rank = shape.length;
  if (rank === 0) {
    (out as unknown as unknown[])[0] = data[0];
    return out;
  }
  const strides = new Array<number>(rank);
  let st = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = st;
    st *= shape[i];
  }
  const inner = count[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  const src = data as unknown as { [i: number]: unknown; slice?: unknown };
  const dst = out as unknown as { [i: number]: unknown };
  let o = 0;
  for (;;) {
    let base = start[rank - 1];
    for (let i = 0; i < rank - 1; i++) base += (start[i] + idx[i]) * strides[i];
    if (!Array.isArray(data)) {
      (out as Exclude<ArrayData, string[]>).set(
        (data as Exclude<ArrayData, string[]>).subarray(base, base + inner) as never,
        o,
      );
    } else {
      for (let k = 0; k < inner; k++) dst[o + k] = src[base + k];
    }
    o += inner;
    let axis = rank - 2;
    while (axis >= 0) {
      idx[axis]++;
      if (idx[axis] < count[axis]) break;
      idx[axis] = 0;
      axis--;
    }
    if (axis < 0) break;
  }
  return out;
}
