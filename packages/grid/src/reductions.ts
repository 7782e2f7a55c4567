/**
 * Reductions over dimensions (mean, sum, min, max, count, std, var, median, quantile,
 * prod, argmin, argmax), weighted reductions, and the along-axis operations cumsum,
 * diff and shift. Metadata follow CF: `cell_methods` gains `"time: mean"`, `units`
 * are dropped for counts and positions and squared for variances.
 */
import { alignTo } from "./align.js";
import {
  checkChoice,
  checkDims,
  checkInteger,
  checkNumber,
  checkOptions,
  describe,
  isPlainObject,
} from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import {
  numeric,
  REDUCTIONS,
  type Reduction,
  type Routing,
  runReduction,
} from "./reduce-engine.js";
import type { ArrayData, Attrs, FloatOf } from "./types.js";

export type { Reduction } from "./reduce-engine.js";

/** Reductions whose result has the input's float type (all but count, argmin, argmax). */
export type ValueReduction = Exclude<Reduction, "count" | "argmin" | "argmax">;

/** Options of {@link reduce}. */
export interface ReduceOptions {
  /** Weights aligned by label (e.g. {@link areaWeights}); used by mean, sum, std and var. */
  weights?: DataArray;
  /** Delta degrees of freedom of std and var (default 0, as xarray). */
  ddof?: number;
  /** Quantile(s) in [0, 1] for op `quantile`. */
  q?: number | number[];
}

const CF_METHOD: Partial<Record<Reduction, string>> = {
  mean: "mean",
  sum: "sum",
  min: "minimum",
  max: "maximum",
  std: "standard_deviation",
  var: "variance",
  median: "median",
  prod: "product",
};

/**
 * Attributes after reducing `dims` with `op`: CF `cell_methods` appended, units dropped for
 * counts and positions, squared for variances.
 */
export function reducedAttrs(
  attrs: Readonly<Attrs>,
  dims: readonly string[],
  op: Reduction,
  extra = "",
): Attrs {
  const out: Attrs = { ...attrs };
  if (op === "count" || op === "argmin" || op === "argmax") {
    delete out.units;
    delete out.standard_name;
    delete out.valid_min;
    delete out.valid_max;
    delete out.valid_range;
  }
  if (op === "var" && typeof out.units === "string") {
    out.units = /^[A-Za-z]+$/.test(out.units) ? `${out.units}2` : `(${out.units})2`;
  }
  const method = CF_METHOD[op] ?? (op === "quantile" ? "percentile" : undefined);
  if (method !== undefined && dims.length > 0) {
    const entry = `${dims.map((d) => `${d}:`).join(" ")} ${method}${extra}`;
    const prev = typeof out.cell_methods === "string" ? out.cell_methods : "";
    out.cell_methods = prev ? `${prev} ${entry}` : entry;
  }
  return out;
}

/** Check `op` and the option bag of a reduction. */
export function checkReduce(
  fn: string,
  op: unknown,
  options: unknown,
): { op: Reduction; ddof: number; q: number[]; qScalar: boolean } {
  const r = checkChoice(fn, "op", op, REDUCTIONS);
  const o = checkOptions(fn, "options", options, ["weights", "ddof", "q"]);
  const ddof = o.ddof === undefined ? 0 : checkInteger(fn, "options.ddof", o.ddof, 0);
  let q: number[] = [];
  let qScalar = true;
  if (r === "quantile") {
    if (o.q === undefined)
      throw new GridError("INVALID_ARGUMENT", `${fn}: op "quantile" needs options.q in [0, 1]`);
    qScalar = typeof o.q === "number";
    const qs = qScalar ? [o.q] : o.q;
    if (!Array.isArray(qs) || qs.length === 0) {
      throw new GridError(
        "INVALID_ARGUMENT",
        `${fn}: options.q must be a number or a list of numbers in [0, 1]; got ${describe(o.q)}`,
      );
    }
    q = qs.map((v, i) => checkNumber(fn, `options.q[${i}]`, v, 0, 1));
  } else if (o.q !== undefined) {
    throw new GridError("INVALID_ARGUMENT", `${fn}: options.q applies only to op "quantile"`);
  }
  if (o.weights !== undefined && !["mean", "sum", "std", "var"].includes(r)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: weights apply to mean, sum, std and var, not "${r}"`,
    );
  }
  return { op: r, ddof, q, qScalar };
}

/**
 * Reduce over dimensions, skipping NaN (like xarray's `skipna=True`): `mean`, `sum`, `min`,
 * `max`, `count`, `std`/`var` (`ddof`), `median`, `quantile` (`q`, NumPy's linear
 * method), `prod`, `argmin`/`argmax` (one dim; the position along it). Weighted means divide
 * by the weights of valid cells only, so masked land does not dilute an ocean mean
 * (xarray's `weighted`). A cell with no valid input is NaN (count 0, sum 0, as xarray).
 * float32 data give float32 results (accumulated in float64); count and positions are float64.
 *
 * @param dims - dims to reduce (a name, a list, or omitted for all)
 * @throws GridError `INVALID_ARGUMENT` (unknown op or option), `UNKNOWN_DIMENSION`,
 *   `SHAPE_MISMATCH` (weights on other labels)
 */
export function reduce<T extends ArrayData>(
  a: DataArray<T>,
  dims: readonly string[] | string | undefined,
  op: "count" | "argmin" | "argmax",
  options?: ReduceOptions,
): DataArray<Float64Array>;
export function reduce<T extends ArrayData>(
  a: DataArray<T>,
  dims: readonly string[] | string | undefined,
  op: ValueReduction,
  options?: ReduceOptions,
): DataArray<FloatOf<T>>;
export function reduce(
  a: DataArray,
  dims: readonly string[] | string | undefined,
  op: Reduction,
  options?: ReduceOptions,
): DataArray<Float32Array | Float64Array>;
export function reduce(
  a: DataArray,
  dims: readonly string[] | string | undefined,
  op: Reduction,
  options: ReduceOptions = {},
): DataArray<Float32Array | Float64Array> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `reduce: expected a DataArray; got ${describe(a)}`);
  const p = checkReduce("reduce", op, options);
  const rdims = dims === undefined ? [...a.dims] : checkDims("reduce", "dims", dims);
  for (const d of rdims) a.axis(d);
  if (new Set(rdims).size !== rdims.length) {
    throw new GridError("INVALID_ARGUMENT", `reduce: dims repeat (${rdims.join(", ")})`);
  }
  if ((p.op === "argmin" || p.op === "argmax") && rdims.length !== 1) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `reduce: ${p.op} needs exactly one dim; got ${rdims.length}`,
    );
  }
  const keepDims = a.dims.filter((d) => !rdims.includes(d));
  const keepShape = keepDims.map((d) => a.shape[a.axis(d)]);
  const outStrides = new Array<number>(keepDims.length);
  let s = 1;
  for (let i = keepDims.length - 1; i >= 0; i--) {
    outStrides[i] = s;
    s *= keepShape[i];
  }
  const routing: Routing = {
    nOut: s,
    offsets: a.dims.map((d, axis) => {
      const k = keepDims.indexOf(d);
      return Int32Array.from({ length: a.shape[axis] }, (_, i) => (k < 0 ? 0 : i * outStrides[k]));
    }),
    argAxis: p.op === "argmin" || p.op === "argmax" ? a.axis(rdims[0]) : undefined,
  };
  let weights: { data: ArrayLike<number>; strides: number[] } | undefined;
  if (options.weights !== undefined) {
    const w = alignTo("reduce", a, options.weights, "weights");
    const ws = w.strides;
    weights = {
      data: numeric(w.data, "reduce"),
      strides: a.dims.map((d) => (w.dims.includes(d) ? ws[w.axis(d)] : 0)),
    };
  }
  const values = runReduction(numeric(a.data, "reduce"), a.shape, routing, {
    op: p.op,
    ddof: p.ddof,
    q: p.q,
    weights,
  });
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords))
    if (c.dims.every((d) => keepDims.includes(d))) coords[k] = c;
  const f32 = a.data instanceof Float32Array && !["count", "argmin", "argmax"].includes(p.op);
  const attrs = reducedAttrs(a.attrs, rdims, p.op);
  if (p.op === "quantile") {
    const qDims = p.qScalar ? keepDims : ["quantile", ...keepDims];
    const qShape = p.qScalar ? keepShape : [p.q.length, ...keepShape];
    if (!p.qScalar)
      coords.quantile = { dims: ["quantile"], values: Float64Array.from(p.q), attrs: {} };
    return new DataArray({
      name: a.name,
      dims: qDims,
      shape: qShape,
      data: f32 ? Float32Array.from(values) : values,
      coords,
      attrs,
    });
  }
  return new DataArray({
    name: a.name,
    dims: keepDims,
    shape: keepShape,
    data: f32 ? Float32Array.from(values) : values,
    coords,
    attrs,
  });
}

/** Quantile(s) over dims (xarray's `quantile`, linear interpolation, NaN skipped). */
export function quantile<T extends ArrayData>(
  a: DataArray<T>,
  q: number | number[],
  dims?: readonly string[] | string,
): DataArray<FloatOf<T>> {
  return reduce(a, dims, "quantile", { q });
}

/** Position of the smallest value along `dim` (NaN skipped; NaN where all are NaN). */
export function argmin(a: DataArray, dim: string): DataArray<Float64Array> {
  return reduce(a, [dim], "argmin") as DataArray<Float64Array>;
}

/** Position of the largest value along `dim` (NaN skipped; NaN where all are NaN). */
export function argmax(a: DataArray, dim: string): DataArray<Float64Array> {
  return reduce(a, [dim], "argmax") as DataArray<Float64Array>;
}

/** Reductions with weights, like xarray's `a.weighted(w)`. */
export interface Weighted<T extends ArrayData = ArrayData> {
  /** Weighted mean, NaN cells and their weights skipped. */
  mean(dims?: readonly string[] | string): DataArray<FloatOf<T>>;
  /** Weighted sum. */
  sum(dims?: readonly string[] | string): DataArray<FloatOf<T>>;
  /** Weighted standard deviation (about the weighted mean, divided by the weight sum). */
  std(dims?: readonly string[] | string): DataArray<FloatOf<T>>;
  /** Weighted variance. */
  var(dims?: readonly string[] | string): DataArray<FloatOf<T>>;
  /** Sum of the weights of valid cells (xarray's `sum_of_weights`). */
  sumOfWeights(dims?: readonly string[] | string): DataArray;
}

/**
 * Weighted reductions (xarray's `weighted`): weights are aligned by label; cells where the
 * data are NaN do not count, and the weights are renormalised over the rest.
 *
 * @throws GridError `INVALID_ARGUMENT` when weights are not a DataArray
 */
export function weighted<T extends ArrayData>(a: DataArray<T>, weights: DataArray): Weighted<T> {
  if (!(weights instanceof DataArray))
    throw new GridError(
      "INVALID_ARGUMENT",
      `weighted: weights must be a DataArray; got ${describe(weights)}`,
    );
  alignTo("weighted", a, weights, "weights");
  return {
    mean: (dims) => reduce(a, dims, "mean", { weights }),
    sum: (dims) => reduce(a, dims, "sum", { weights }),
    std: (dims) => reduce(a, dims, "std", { weights }),
    var: (dims) => reduce(a, dims, "var", { weights }),
    sumOfWeights: (dims) => {
      const valid = a.withData(
        Float64Array.from(numeric(a.data, "weighted"), (v) => (Number.isNaN(v) ? Number.NaN : 1)),
        { attrs: {} },
      );
      const r = reduce(valid, dims, "sum", { weights });
      return r.withData(r.data, { name: "sum_of_weights", attrs: {} });
    },
  };
}

/** Outer × length × inner layout of one axis. */
export function lanes(
  a: DataArray,
  dim: string,
): { axis: number; outer: number; n: number; inner: number } {
  const axis = a.axis(dim);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= a.shape[i];
  for (let i = axis + 1; i < a.ndim; i++) inner *= a.shape[i];
  return { axis, outer, n: a.shape[axis], inner };
}

function checkDim(fn: string, a: unknown, dim: unknown): asserts a is DataArray {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `${fn}: expected a DataArray; got ${describe(a)}`);
  if (typeof dim !== "string")
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: dim must be a dimension name; got ${describe(dim)}`,
    );
  a.axis(dim);
}

function floatOut(a: DataArray): Float32Array | Float64Array {
  return a.data instanceof Float32Array ? new Float32Array(a.size) : new Float64Array(a.size);
}

/**
 * Cumulative sum along `dim`, NaN counted as 0 (xarray's `cumsum` with skipna: NaN cells
 * hold the running sum). float32 stays float32.
 */
export function cumsum<T extends ArrayData>(a: DataArray<T>, dim: string): DataArray<FloatOf<T>> {
  checkDim("cumsum", a, dim);
  const { outer, n, inner } = lanes(a, dim);
  const x = numeric(a.data, "cumsum");
  const out = floatOut(a);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = 0;
      for (let t = 0; t < n; t++) {
        const k = (o * n + t) * inner + i;
        const v = x[k];
        if (!Number.isNaN(v)) acc += v;
        out[k] = acc;
      }
    }
  }
  return a.withData(out, { attrs: { ...a.attrs }, encoding: {} }) as DataArray<FloatOf<T>>;
}

/**
 * n-th discrete difference along `dim` (xarray's `diff`, label `"upper"`): the result is
 * `n` shorter and carries the upper labels.
 */
export function diff<T extends ArrayData>(
  a: DataArray<T>,
  dim: string,
  n = 1,
): DataArray<FloatOf<T>> {
  checkDim("diff", a, dim);
  checkInteger("diff", "n", n, 0);
  let cur: DataArray = a;
  for (let k = 0; k < n; k++) {
    const { axis, outer, n: len, inner } = lanes(cur, dim);
    if (len === 0) break;
    const x = numeric(cur.data, "diff");
    const m = len - 1;
    const out =
      cur.data instanceof Float32Array
        ? new Float32Array(outer * m * inner)
        : new Float64Array(outer * m * inner);
    for (let o = 0; o < outer; o++)
      for (let t = 0; t < m; t++)
        for (let i = 0; i < inner; i++)
          out[(o * m + t) * inner + i] =
            x[(o * len + t + 1) * inner + i] - x[(o * len + t) * inner + i];
    const picks = cur.dims.map((_, i) =>
      Array.from({ length: i === axis ? m : cur.shape[i] }, (_, j) => (i === axis ? j + 1 : j)),
    );
    const coords = sliceCoords(cur, picks);
    cur = new DataArray({
      name: cur.name,
      dims: [...cur.dims],
      shape: cur.shape.map((s, i) => (i === axis ? m : s)),
      data: out,
      coords,
      attrs: { ...cur.attrs },
    });
  }
  return cur as DataArray<FloatOf<T>>;
}

/** Coordinates of `a` picked by per-axis positions (all coordinates kept). */
export function sliceCoords(a: DataArray, picks: number[][]): Record<string, Coordinate> {
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) {
    if (c.dims.length !== 1) {
      if (c.dims.every((d) => picks[a.axis(d)].length === a.shape[a.axis(d)])) coords[k] = c;
      continue;
    }
    const p = picks[a.axis(c.dims[0])];
    const values = Array.isArray(c.values)
      ? p.map((i) => (c.values as string[])[i])
      : Float64Array.from(p, (i) => (c.values as Float64Array)[i]);
    const coord: Coordinate = { dims: [...c.dims], values, attrs: c.attrs };
    if (c.times !== undefined) coord.times = p.map((i) => c.times![i]);
    coords[k] = coord;
  }
  return coords;
}

/**
 * Shift values by `{ dim: k }` positions along each dim, filling with NaN (xarray's `shift`;
 * labels stay put). Integer data become float64 to hold the NaN.
 */
export function shift<T extends ArrayData>(
  a: DataArray<T>,
  shifts: Record<string, number>,
): DataArray<FloatOf<T>> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `shift: expected a DataArray; got ${describe(a)}`);
  if (!isPlainObject(shifts))
    throw new GridError(
      "INVALID_ARGUMENT",
      `shift: shifts must be { dim: integer }; got ${describe(shifts)}`,
    );
  let cur: DataArray = a;
  for (const [dim, k] of Object.entries(shifts)) {
    checkDim("shift", cur, dim);
    checkInteger("shift", `shifts.${dim}`, k);
    const { outer, n, inner } = lanes(cur, dim);
    const x = numeric(cur.data, "shift");
    const out = floatOut(cur).fill(Number.NaN);
    for (let o = 0; o < outer; o++)
      for (let t = 0; t < n; t++) {
        const src = t - k;
        if (src < 0 || src >= n) continue;
        for (let i = 0; i < inner; i++) out[(o * n + t) * inner + i] = x[(o * n + src) * inner + i];
      }
    cur = cur.withData(out);
  }
  return cur as DataArray<FloatOf<T>>;
}

/** Check a reduction name (for grouped operations). */
export function checkOp(fn: string, op: unknown): Reduction {
  return checkChoice(fn, "op", op, REDUCTIONS);
}
