/** Tensor creation. Plain numbers and nested arrays default to float64. */
import { alloc, checkDType, type DType, type Storage } from "../dtype.js";
import { ArgumentError, fmtShape, ShapeError } from "../errors.js";
import { checkShape, shapeSize } from "../shape.js";
import { type NestedArray, Tensor } from "../tensor.js";

/** Options of {@link tensor}. */
export interface TensorOptions {
  /** Shape; required to give a flat typed array more than one axis. */
  shape?: readonly number[];
  /** Element type; defaults to float64 (or the typed array's own type). */
  dtype?: DType;
}

function inferShape(data: NestedArray | number): number[] {
  const shape: number[] = [];
  let cur: unknown = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function flatten(data: NestedArray, shape: readonly number[], out: Storage): void {
  let o = 0;
  const walk = (v: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof v !== "number")
        throw new ShapeError(
          "tensor",
          `ragged or non-numeric nested array (expected shape ${fmtShape(shape)})`,
          "INVALID_SHAPE",
        );
      out[o++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d])
      throw new ShapeError(
        "tensor",
        `ragged nested array: expected ${shape[d]} entries at depth ${d} (shape ${fmtShape(shape)})`,
        "INVALID_SHAPE",
      );
    for (const e of v) walk(e, d + 1);
  };
  walk(data, 0);
}

/**
 * Creates a tensor from a number, nested arrays or a typed array. A typed array whose
 * type matches `dtype` is wrapped without copying (do not mutate it afterwards).
 */
export function tensor(
  data: number | NestedArray | Float32Array | Float64Array,
  opts: TensorOptions = {},
): Tensor {
  if (data instanceof Float32Array || data instanceof Float64Array) {
    const own: DType = data instanceof Float32Array ? "float32" : "float64";
    const dtype = opts.dtype === undefined ? own : checkDType(opts.dtype, "tensor");
    const shape = opts.shape ? checkShape(opts.shape, "tensor") : [data.length];
    if (shapeSize(shape) !== data.length)
      throw new ShapeError(
        "tensor",
        `shape ${fmtShape(shape)} needs ${shapeSize(shape)} values, got ${data.length}`,
      );
    if (dtype === own) return new Tensor(data, shape, dtype);
    const copy = alloc(dtype, data.length);
    copy.set(data);
    return new Tensor(copy, shape, dtype);
  }
  const dtype = opts.dtype === undefined ? "float64" : checkDType(opts.dtype, "tensor");
  if (typeof data === "number") {
    const out = alloc(dtype, 1);
    out[0] = data;
    const shape = opts.shape ? checkShape(opts.shape, "tensor") : [];
    if (shapeSize(shape) !== 1) return full(shape, data, dtype);
    return new Tensor(out, shape, dtype);
  }
  if (!Array.isArray(data))
    throw new ArgumentError(
      "tensor",
      `expected a number, nested array or Float32Array/Float64Array, got ${typeof data}`,
    );
  const shape = inferShape(data);
  const out = alloc(dtype, shapeSize(shape));
  flatten(data, shape, out);
  if (opts.shape) {
    const s = checkShape(opts.shape, "tensor");
    if (shapeSize(s) !== out.length)
      throw new ShapeError(
        "tensor",
        `shape ${fmtShape(s)} needs ${shapeSize(s)} values, got ${out.length}`,
      );
    return new Tensor(out, s, dtype);
  }
  return new Tensor(out, shape, dtype);
}

/** A 0-d tensor holding `v`. */
export function scalar(v: number, dtype: DType = "float64"): Tensor {
  const out = alloc(checkDType(dtype, "scalar"), 1);
  out[0] = v;
  return new Tensor(out, [], dtype);
}

/** Tensor of zeros. */
export function zeros(shape: readonly number[], dtype: DType = "float64"): Tensor {
  const s = checkShape(shape, "zeros");
  return new Tensor(alloc(checkDType(dtype, "zeros"), shapeSize(s)), s, dtype);
}

/** Tensor of ones. */
export function ones(shape: readonly number[], dtype: DType = "float64"): Tensor {
  return full(shape, 1, dtype);
}

/** Tensor filled with `v`. */
export function full(shape: readonly number[], v: number, dtype: DType = "float64"): Tensor {
  const s = checkShape(shape, "full");
  const out = alloc(checkDType(dtype, "full"), shapeSize(s));
  out.fill(v);
  return new Tensor(out, s, dtype);
}

/** Values start, start+step, … below stop (`arange(n)` is 0 … n−1), like NumPy. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = "float64"): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step) || step === 0)
    throw new ArgumentError(
      "arange",
      `start, stop and step must be finite and step non-zero (got ${start}, ${stop}, ${step})`,
    );
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > 2 ** 31) throw new ArgumentError("arange", `${n} elements is too many`, "OUT_OF_RANGE");
  const out = alloc(checkDType(dtype, "arange"), n);
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  return new Tensor(out, [n], dtype);
}

/** `n` evenly spaced values from start to stop inclusive. */
export function linspace(start: number, stop: number, n: number, dtype: DType = "float64"): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError("linspace", `n must be a non-negative integer, got ${n}`);
  const out = alloc(checkDType(dtype, "linspace"), n);
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  for (let i = 0; i < n; i++) out[i] = start + i * step;
  if (n > 1) out[n - 1] = stop;
  return new Tensor(out, [n], dtype);
}

/** n×n identity matrix. */
export function eye(n: number, dtype: DType = "float64"): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError("eye", `n must be a non-negative integer, got ${n}`);
  const out = alloc(checkDType(dtype, "eye"), n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return new Tensor(out, [n, n], dtype);
}

/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: Tensor): Tensor {
  return zeros(x.shape, x.dtype);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: Tensor): Tensor {
  return ones(x.shape, x.dtype);
}
