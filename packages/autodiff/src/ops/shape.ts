/** Shape ops: reshape, transpose, slice, pad, concat, stack, gather (broadcasting is in sum.ts). */
import { alloc } from "../dtype.js";
import { ArgumentError, DTypeError, fmtShape, ShapeError } from "../errors.js";
import { boxCopy, gatherKernel, transposeKernel } from "../kernels/layout.js";
import { checkShape, normAxis, sameShape, shapeSize } from "../shape.js";
import { record, shouldRecord, shouldRecordAll } from "../tape.js";
import { Tensor } from "../tensor.js";

/** Same data with a new shape; one entry may be −1 (inferred). Shares storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const s = [...shape];
  const free = s.indexOf(-1);
  if (free >= 0) {
    let known = 1;
    s.forEach((d, i) => {
      if (i !== free) known *= d;
    });
    if (known === 0 || x.size % known !== 0)
      throw new ShapeError(
        "reshape",
        `cannot reshape ${fmtShape(x.shape)} into ${fmtShape(shape)}`,
      );
    s[free] = x.size / known;
  }
  checkShape(s, "reshape");
  if (shapeSize(s) !== x.size)
    throw new ShapeError(
      "reshape",
      `cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`,
    );
  if (sameShape(s, x.shape)) return x;
  const y = new Tensor(x.data, s, x.dtype);
  if (shouldRecord(x)) record(y, [x], (g) => [reshape(g, x.shape)]);
  return y;
}

/** Permutes axes (default: reverses them). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const nd = x.ndim;
  const p = perm
    ? perm.map((a) => normAxis(a, nd, "transpose"))
    : Array.from({ length: nd }, (_, i) => nd - 1 - i);
  if (p.length !== nd || new Set(p).size !== nd)
    throw new ArgumentError(
      "transpose",
      `perm ${fmtShape(perm ?? [])} is not a permutation of ${nd} axes`,
      "INVALID_AXIS",
    );
  if (p.every((a, i) => a === i)) return x;
  const shape = p.map((a) => x.shape[a]);
  const out = alloc(x.dtype, x.size);
  transposeKernel(x.data, x.shape, p, out);
  const y = new Tensor(out, shape, x.dtype);
  if (shouldRecord(x)) {
    const inv = new Array<number>(nd);
    p.forEach((a, i) => {
      inv[a] = i;
    });
    record(y, [x], (g) => [transpose(g, inv)]);
  }
  return y;
}

/**
 * Box `begin .. begin+size` of `x`. `size` entries of −1 (or a missing `size`) run to
 * the end of that axis; negative `begin` counts from the end.
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  const nd = x.ndim;
  if (begin.length > nd)
    throw new ShapeError(
      "slice",
      `begin ${fmtShape(begin)} has more entries than ${fmtShape(x.shape)} has axes`,
    );
  const b: number[] = [];
  const s: number[] = [];
  for (let d = 0; d < nd; d++) {
    let bd = d < begin.length ? begin[d] : 0;
    if (bd < 0) bd += x.shape[d];
    let sd = size && d < size.length ? size[d] : -1;
    if (sd === -1) sd = x.shape[d] - bd;
    if (!Number.isInteger(bd) || !Number.isInteger(sd) || bd < 0 || sd < 0 || bd + sd > x.shape[d])
      throw new ArgumentError(
        "slice",
        `begin ${fmtShape(begin)} / size ${fmtShape(size ?? [])} fall outside shape ${fmtShape(x.shape)} on axis ${d}`,
        "OUT_OF_RANGE",
      );
    b.push(bd);
    s.push(sd);
  }
  if (sameShape(s, x.shape)) return x;
  const out = alloc(x.dtype, shapeSize(s));
  boxCopy(x.data, x.shape, b, s, out, false);
  const y = new Tensor(out, s, x.dtype);
  if (shouldRecord(x))
    record(y, [x], (g) => [
      pad(
        g,
        b.map((bd, d) => [bd, x.shape[d] - bd - s[d]] as [number, number]),
      ),
    ]);
  return y;
}

/** Pads each axis with `widths[d] = [before, after]` entries of `value` (default 0). */
export function pad(x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor {
  const nd = x.ndim;
  if (widths.length !== nd)
    throw new ShapeError(
      "pad",
      `widths has ${widths.length} entries for a tensor of shape ${fmtShape(x.shape)}`,
    );
  for (const [lo, hi] of widths)
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < 0)
      throw new ArgumentError(
        "pad",
        `pad widths must be non-negative integers, got [${lo}, ${hi}]`,
      );
  const shape = x.shape.map((d, i) => d + widths[i][0] + widths[i][1]);
  const out = alloc(x.dtype, shapeSize(shape));
  if (value !== 0) out.fill(value);
  boxCopy(
    x.data,
    shape,
    widths.map((w) => w[0]),
    x.shape,
    out,
    true,
  );
  const y = new Tensor(out, shape, x.dtype);
  if (shouldRecord(x))
    record(y, [x], (g) => [
      slice(
        g,
        widths.map((w) => w[0]),
        x.shape,
      ),
    ]);
  return y;
}

/** Joins tensors along an existing axis; all other axes must match. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new ArgumentError("concat", "needs at least one tensor");
  const first = xs[0];
  const a = normAxis(axis, first.ndim, "concat");
  for (const x of xs) {
    if (x.dtype !== first.dtype)
      throw new DTypeError(
        "concat",
        `mixed dtypes ${first.dtype} and ${x.dtype}; cast with astype() first`,
      );
    if (x.ndim !== first.ndim || x.shape.some((d, i) => i !== a && d !== first.shape[i]))
      throw new ShapeError(
        "concat",
        `shapes ${fmtShape(first.shape)} and ${fmtShape(x.shape)} differ off axis ${a}`,
      );
  }
  const shape = [...first.shape];
  shape[a] = xs.reduce((t, x) => t + x.shape[a], 0);
  const out = alloc(first.dtype, shapeSize(shape));
  const offsets: number[] = [];
  let off = 0;
  for (const x of xs) {
    offsets.push(off);
    const begin = shape.map((_, d) => (d === a ? off : 0));
    boxCopy(x.data, shape, begin, x.shape, out, true);
    off += x.shape[a];
  }
  const y = new Tensor(out, shape, first.dtype);
  if (shouldRecordAll(xs))
    record(y, xs, (g, need) =>
      xs.map((x, i) =>
        need[i]
          ? slice(
              g,
              shape.map((_, d) => (d === a ? offsets[i] : 0)),
              x.shape,
            )
          : null,
      ),
    );
  return y;
}

/** Stacks same-shape tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ArgumentError("stack", "needs at least one tensor");
  const nd = xs[0].ndim;
  const a = normAxis(axis, nd + 1, "stack");
  for (const x of xs)
    if (!sameShape(x.shape, xs[0].shape))
      throw new ShapeError(
        "stack",
        `shapes ${fmtShape(xs[0].shape)} and ${fmtShape(x.shape)} differ`,
      );
  const expanded = xs.map((x) => reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]));
  return concat(expanded, a);
}

/** Inserts a length-1 axis at `axis`. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.ndim + 1, "expandDims");
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes length-1 axes (all of them, or the ones listed). */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  const list =
    axis === undefined
      ? null
      : (typeof axis === "number" ? [axis] : axis).map((a) => normAxis(a, x.ndim, "squeeze"));
  const shape = x.shape.filter((d, i) =>
    list === null ? d !== 1 : !(list.includes(i) && d === 1),
  );
  if (list)
    for (const a of list)
      if (x.shape[a] !== 1)
        throw new ShapeError("squeeze", `axis ${a} of ${fmtShape(x.shape)} is not 1`);
  return reshape(x, shape);
}

function checkIndices(
  indices: Int32Array | readonly number[],
  len: number,
  op: string,
): Int32Array {
  // Always a private copy: negative indices are normalised in place.
  const idx = new Int32Array(indices.length);
  for (let i = 0; i < idx.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < -len || v >= len)
      throw new ArgumentError(
        op,
        `index ${v} is out of range for an axis of length ${len}`,
        "OUT_OF_RANGE",
      );
    idx[i] = v < 0 ? v + len : v;
  }
  return idx;
}

function splitAt(shape: readonly number[], a: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let d = 0; d < a; d++) outer *= shape[d];
  for (let d = a + 1; d < shape.length; d++) inner *= shape[d];
  return [outer, shape[a], inner];
}

/** Takes entries `indices` along `axis` (NumPy `take`); negative indices count from the end. */
export function gather(x: Tensor, indices: Int32Array | readonly number[], axis = 0): Tensor {
  const a = normAxis(axis, x.ndim, "gather");
  const idx = checkIndices(indices, x.shape[a], "gather");
  const [outer, len, inner] = splitAt(x.shape, a);
  const shape = [...x.shape];
  shape[a] = idx.length;
  const out = alloc(x.dtype, shapeSize(shape));
  gatherKernel(x.data, outer, len, inner, idx, out, false);
  const y = new Tensor(out, shape, x.dtype);
  if (shouldRecord(x)) record(y, [x], (g) => [scatterAdd(g, idx, a, x.shape)]);
  return y;
}

/**
 * Adds slices of `x` into a zero tensor of `shape` at `indices` along `axis`
 * (the backward of {@link gather}; repeated indices accumulate).
 */
export function scatterAdd(
  x: Tensor,
  indices: Int32Array | readonly number[],
  axis: number,
  shape: readonly number[],
): Tensor {
  const a = normAxis(axis, shape.length, "scatterAdd");
  const idx = checkIndices(indices, shape[a], "scatterAdd");
  const expect = [...shape];
  expect[a] = idx.length;
  if (!sameShape(expect, x.shape))
    throw new ShapeError(
      "scatterAdd",
      `values of shape ${fmtShape(x.shape)} do not match ${fmtShape(expect)}`,
    );
  const [outer, len, inner] = splitAt(shape, a);
  const out = alloc(x.dtype, shapeSize(shape));
  gatherKernel(x.data, outer, len, inner, idx, out, true);
  const y = new Tensor(out, [...shape], x.dtype);
  if (shouldRecord(x)) record(y, [x], (g) => [gather(g, idx, a)]);
  return y;
}
