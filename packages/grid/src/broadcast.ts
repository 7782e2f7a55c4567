import type { DataArray } from "./data-array.js";
import { GridError } from "./errors.js";

/**
 * Strides that map positions of `target` onto `source` by dimension name: a dimension the
 * source lacks gets stride 0 (the source repeats along it). Lengths must agree.
 *
 * @throws GridError `SHAPE_MISMATCH` when the source has a dimension the target lacks or a length differs
 */
export function alignedStrides(
  target: { dims: readonly string[]; shape: readonly number[]; name?: string },
  source: { dims: readonly string[]; shape: readonly number[]; name?: string },
): number[] {
  const srcStrides = new Array<number>(source.dims.length);
  let s = 1;
  for (let i = source.dims.length - 1; i >= 0; i--) {
    srcStrides[i] = s;
    s *= source.shape[i];
  }
  for (const [i, d] of source.dims.entries()) {
    const t = target.dims.indexOf(d);
    if (t < 0 || target.shape[t] !== source.shape[i]) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `'${source.name ?? "source"}' (${source.dims.join(", ")}) [${source.shape.join(", ")}] does not broadcast onto '${target.name ?? "target"}' (${target.dims.join(", ")}) [${target.shape.join(", ")}]`,
      );
    }
  }
  return target.dims.map((d) => {
    const i = source.dims.indexOf(d);
    return i < 0 ? 0 : srcStrides[i];
  });
}

/**
 * Visit every position of `shape` in row-major order with the matching offset in each
 * aligned source (odometer walk: no per-element division).
 */
export function walk(
  shape: readonly number[],
  strides: readonly number[][],
  visit: (i: number, offsets: Int32Array | Float64Array) => void,
): void {
  const rank = shape.length;
  let n = 1;
  for (const s of shape) n *= s;
  if (n === 0) return;
  const offsets = new Float64Array(strides.length);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    visit(i, offsets);
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      for (let k = 0; k < strides.length; k++) offsets[k] += strides[k][a];
      if (idx[a] < shape[a]) break;
      for (let k = 0; k < strides.length; k++) offsets[k] -= strides[k][a] * shape[a];
      idx[a] = 0;
    }
  }
}

/** Shape/dims view of a DataArray for {@link alignedStrides}. */
export function layoutOf(a: DataArray): {
  dims: readonly string[];
  shape: readonly number[];
  name: string;
} {
  return { dims: a.dims, shape: a.shape, name: a.name };
}
