/**
 * Element-wise selection: {@link takeAlongAxis} (NumPy's `take_along_axis`,
 * PyTorch's `take_along_dim`) and {@link maskSelect} (PyTorch's `masked_select`),
 * each beside the scatter that is its backward (and whose backward is the op).
 */
import { alloc } from "../dtype.js";
import { ArgumentError, fmtShape, ShapeError } from "../errors.js";
import { record, shouldRecord } from "../tape.js";
import { Tensor } from "../tensor.js";

/** Indices for {@link takeAlongAxis}: a tensor of whole numbers or an Int32Array with a shape. */
export type IndexInput = Tensor | { data: ArrayLike<number>; shape: readonly number[] };

function normAxis(axis: number, ndim: number, op: string): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= ndim)
    throw new ArgumentError(
      op,
      `axis ${axis} is out of range for ${ndim} dimensions`,
      "INVALID_AXIS",
    );
  return a;
}

/** Checked Int32 indices of the given shape, each in [0, len) (negative counts from the end). */
function indexArray(
  indices: IndexInput,
  len: number,
  op: string,
): { idx: Int32Array; shape: number[] } {
  const shape = [...indices.shape];
  const data = indices.data;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size)
    throw new ShapeError(op, `indices hold ${data.length} values for shape ${fmtShape(shape)}`);
  const idx = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    let v = Number(data[i]);
    if (!Number.isInteger(v) || v < -len || v >= len)
      throw new ArgumentError(
        op,
        `index ${data[i]} at position ${i} is out of range for an axis of length ${len}`,
        "OUT_OF_RANGE",
      );
    if (v < 0) v += len;
    idx[i] = v;
  }
  return { idx, shape };
}

/** outer × len × inner split of `shape` at axis `a`. */
function split(shape: readonly number[], a: number): [number, number, number] {
  let outer = 1;
  for (let i = 0; i < a; i++) outer *= shape[i];
  let inner = 1;
  for (let i = a + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[a], inner];
}

/**
 * out[…, j, …] = x[…, indices[…, j, …], …] along `axis`: `indices` has x's number
 * of dimensions and x's shape except along `axis`, where its length is free.
 * Gradients flow back to the selected entries (repeated indices accumulate).
 */
export function takeAlongAxis(x: Tensor, indices: IndexInput, axis: number): Tensor {
  const a = normAxis(axis, x.ndim, "takeAlongAxis");
  const { idx, shape } = indexArray(indices, x.shape[a], "takeAlongAxis");
  if (shape.length !== x.ndim || shape.some((d, i) => i !== a && d !== x.shape[i]))
    throw new ShapeError(
      "takeAlongAxis",
      `indices of shape ${fmtShape(shape)} must match x's shape ${fmtShape(x.shape)} except along axis ${a}`,
    );
  const [outer, len, inner] = split(x.shape, a);
  const m = shape[a];
  const out = alloc(x.dtype, idx.length);
  const xd = x.data;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < m; j++)
      for (let k = 0; k < inner; k++) {
        const p = (o * m + j) * inner + k;
        out[p] = xd[(o * len + idx[p]) * inner + k];
      }
  const y = new Tensor(out, shape, x.dtype);
  if (shouldRecord(x)) record(y, [x], (g) => [addAlongAxis(g, { data: idx, shape }, a, x.shape)]);
  return y;
}

/**
 * A zero tensor of `shape` with `values` added at `indices` along `axis` (the
 * backward of {@link takeAlongAxis}; repeated indices accumulate).
 */
export function addAlongAxis(
  values: Tensor,
  indices: IndexInput,
  axis: number,
  shape: readonly number[],
): Tensor {
  const a = normAxis(axis, shape.length, "addAlongAxis");
  const { idx, shape: ishape } = indexArray(indices, shape[a], "addAlongAxis");
  if (ishape.join(",") !== values.shape.join(","))
    throw new ShapeError(
      "addAlongAxis",
      `values of shape ${fmtShape(values.shape)} do not match indices ${fmtShape(ishape)}`,
    );
  const [outer, len, inner] = split(shape, a);
  const m = ishape[a];
  const out = alloc(values.dtype, outer * len * inner);
  const vd = values.data;
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < m; j++)
      for (let k = 0; k < inner; k++) {
        const p = (o * m + j) * inner + k;
        out[(o * len + idx[p]) * inner + k] += vd[p];
      }
  const y = new Tensor(out, [...shape], values.dtype);
  if (shouldRecord(values))
    record(y, [values], (g) => [takeAlongAxis(g, { data: idx, shape: ishape }, a)]);
  return y;
}

/** A boolean mask: a tensor (non-zero is true), or booleans / 0-1 numbers in row-major order. */
export type MaskInput = Tensor | ArrayLike<boolean | number>;

function maskPositions(
  x: { shape: readonly number[]; size: number },
  mask: MaskInput,
  op: string,
): Int32Array {
  if (mask instanceof Tensor && mask.shape.join(",") !== x.shape.join(","))
    throw new ShapeError(
      op,
      `mask of shape ${fmtShape(mask.shape)} must have x's shape ${fmtShape(x.shape)}`,
    );
  const m = mask instanceof Tensor ? mask.data : mask;
  if (m.length !== x.size) throw new ShapeError(op, `mask has ${m.length} values, x has ${x.size}`);
  let count = 0;
  for (let i = 0; i < m.length; i++) if (m[i]) count++;
  const pos = new Int32Array(count);
  for (let i = 0, k = 0; i < m.length; i++) if (m[i]) pos[k++] = i;
  return pos;
}

/**
 * The entries of `x` where `mask` is true, as a 1-d tensor in row-major order
 * (PyTorch's `masked_select`). Gradients flow back to those entries.
 */
export function maskSelect(x: Tensor, mask: MaskInput): Tensor {
  return selectAt(x, maskPositions(x, mask, "maskSelect"));
}

/** The entries of `x` at flat positions `pos`; its backward scatters back. */
function selectAt(x: Tensor, pos: Int32Array): Tensor {
  const out = alloc(x.dtype, pos.length);
  const xd = x.data;
  for (let k = 0; k < pos.length; k++) out[k] = xd[pos[k]];
  const y = new Tensor(out, [pos.length], x.dtype);
  if (shouldRecord(x)) record(y, [x], (g) => [scatterAt(g, pos, x.shape)]);
  return y;
}

/** A zero tensor of `shape` holding `values` at flat positions `pos`; its backward selects. */
function scatterAt(values: Tensor, pos: Int32Array, shape: readonly number[]): Tensor {
  const out = alloc(
    values.dtype,
    shape.reduce((a, b) => a * b, 1),
  );
  const vd = values.data;
  for (let k = 0; k < pos.length; k++) out[pos[k]] = vd[k];
  const y = new Tensor(out, [...shape], values.dtype);
  if (shouldRecord(values)) record(y, [values], (g) => [selectAt(g, pos)]);
  return y;
}
