/**
 * Arithmetic, comparison and logical operations between DataArrays and with numbers.
 * Arrays are aligned by label first ({@link align}, exact by default), then broadcast by
 * dimension name: the result has the first array's dims followed by the second's extra
 * dims.
 *
 * Dtype policy (as NumPy for floats): float32 with float32 or with a plain number stays
 * float32; anything else computes in float64. Comparisons and logical operations return
 * `Uint8Array` 0/1 (NaN compares false, like NumPy). Attributes and encoding are dropped
 * (the values no longer mean what `units`/`standard_name` said), as xarray does.
 */
import { alignPair, checkJoin, type Join } from "./align.js";
import { describe } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import type { ArrayData } from "./types.js";

/** Binary operation names accepted by {@link binary}. */
export type BinaryOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "pow"
  | "mod"
  | "min"
  | "max"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "and"
  | "or";

const OPS: readonly BinaryOp[] = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "mod",
  "min",
  "max",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "and",
  "or",
];
const BOOLEAN = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge", "and", "or"]);

/** An operand: a DataArray or a number. */
export type Operand = DataArray | number;

/** Float data a binary operation returns. */
export type FloatArray = Float32Array | Float64Array;

/** Options of binary operations. */
export interface BinaryOptions {
  /** How labels of shared dims combine (default `"exact"`). */
  join?: Join;
}

type F32Like = number | DataArray<Float32Array>;
type MaybeF32<X> = X extends DataArray<infer T> ? (Float32Array extends T ? true : false) : false;
/** Result data type of an arithmetic operation under the dtype policy. */
type Out<A, B> = [A, B] extends [F32Like, F32Like]
  ? Float32Array
  : true extends MaybeF32<A> | MaybeF32<B>
    ? Float32Array | Float64Array
    : Float64Array;

/** `a + b`, aligned by label. */
export function add<A extends Operand, B extends Operand>(
  a: A,
  b: B,
  options?: BinaryOptions,
): DataArray<Out<A, B>> {
  return binary("add", a, b, options) as DataArray<Out<A, B>>;
}
/** `a - b`, aligned by label. */
export function sub<A extends Operand, B extends Operand>(
  a: A,
  b: B,
  options?: BinaryOptions,
): DataArray<Out<A, B>> {
  return binary("sub", a, b, options) as DataArray<Out<A, B>>;
}
/** `a * b`, aligned by label. */
export function mul<A extends Operand, B extends Operand>(
  a: A,
  b: B,
  options?: BinaryOptions,
): DataArray<Out<A, B>> {
  return binary("mul", a, b, options) as DataArray<Out<A, B>>;
}
/** `a / b`, aligned by label. */
export function div<A extends Operand, B extends Operand>(
  a: A,
  b: B,
  options?: BinaryOptions,
): DataArray<Out<A, B>> {
  return binary("div", a, b, options) as DataArray<Out<A, B>>;
}
/** `a ** b`, aligned by label. */
export function pow<A extends Operand, B extends Operand>(
  a: A,
  b: B,
  options?: BinaryOptions,
): DataArray<Out<A, B>> {
  return binary("pow", a, b, options) as DataArray<Out<A, B>>;
}
/** `a == b` as 0/1. */
export function eq(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("eq", a, b, options) as DataArray<Uint8Array>;
}
/** `a != b` as 0/1 (NaN != anything is 1, as NumPy). */
export function ne(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("ne", a, b, options) as DataArray<Uint8Array>;
}
/** `a < b` as 0/1. */
export function lt(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("lt", a, b, options) as DataArray<Uint8Array>;
}
/** `a <= b` as 0/1. */
export function le(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("le", a, b, options) as DataArray<Uint8Array>;
}
/** `a > b` as 0/1. */
export function gt(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("gt", a, b, options) as DataArray<Uint8Array>;
}
/** `a >= b` as 0/1. */
export function ge(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("ge", a, b, options) as DataArray<Uint8Array>;
}
/** Logical and of two masks (nonzero, non-NaN = true) as 0/1. */
export function and(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("and", a, b, options) as DataArray<Uint8Array>;
}
/** Logical or of two masks as 0/1. */
export function or(a: Operand, b: Operand, options?: BinaryOptions): DataArray<Uint8Array> {
  return binary("or", a, b, options) as DataArray<Uint8Array>;
}

/** Logical not of a mask (0 and NaN → 1, anything else → 0). */
export function not(a: DataArray): DataArray<Uint8Array> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", "not: expected a DataArray");
  const out = new Uint8Array(a.size);
  const d = a.data;
  for (let i = 0; i < out.length; i++) {
    const v = Number(d[i]);
    out[i] = v === 0 || Number.isNaN(v) ? 1 : 0;
  }
  return new DataArray({
    name: a.name,
    dims: [...a.dims],
    shape: [...a.shape],
    data: out,
    coords: { ...a.coords },
  });
}

/**
 * Apply a function to every element (xarray's `apply_ufunc` for elementwise functions);
 * float32 stays float32. Attributes are kept only with `keepAttrs: true`.
 */
export function apply<T extends ArrayData>(
  a: DataArray<T>,
  fn: (x: number) => number,
  options: { keepAttrs?: boolean; name?: string } = {},
): DataArray<T extends Float32Array ? Float32Array : Float64Array> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", "apply: expected a DataArray");
  if (typeof fn !== "function")
    throw new GridError("INVALID_ARGUMENT", `apply: fn must be a function; got ${describe(fn)}`);
  const src = a.data;
  const out = src instanceof Float32Array ? new Float32Array(a.size) : new Float64Array(a.size);
  if (src instanceof Float32Array || src instanceof Float64Array)
    for (let i = 0; i < out.length; i++) out[i] = fn(src[i]);
  else for (let i = 0; i < out.length; i++) out[i] = fn(Number(src[i]));
  return a.withData(out, {
    name: options.name ?? a.name,
    attrs: options.keepAttrs ? { ...a.attrs } : {},
    encoding: {},
  }) as DataArray<T extends Float32Array ? Float32Array : Float64Array>;
}

function floatView(d: ArrayData, fn: string): ArrayLike<number> {
  if (Array.isArray(d))
    throw new GridError("UNSUPPORTED_DTYPE", `${fn}: string data have no arithmetic`);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array)
    return Float64Array.from(d, Number);
  return d as ArrayLike<number>;
}

/**
 * A binary operation by name between DataArrays and/or numbers (see {@link add} etc.).
 *
 * @throws GridError `INVALID_ARGUMENT` (unknown op, bad operand or option), `SHAPE_MISMATCH`
 *   (labels differ under `join: "exact"`)
 */
export function binary(
  op: BinaryOp,
  a: Operand,
  b: Operand,
  options: BinaryOptions = {},
): DataArray {
  if (!OPS.includes(op)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `binary: op must be one of ${OPS.join(", ")}; got ${describe(op)}`,
    );
  }
  const join = checkJoin(op, options);
  const isArr = (x: unknown) => x instanceof DataArray;
  for (const [x, role] of [
    [a, "first operand"],
    [b, "second operand"],
  ] as const) {
    if (!isArr(x) && typeof x !== "number") {
      throw new GridError(
        "INVALID_ARGUMENT",
        `${op}: ${role} must be a DataArray or a number; got ${describe(x)}`,
      );
    }
  }
  if (!isArr(a) && !isArr(b))
    throw new GridError("INVALID_ARGUMENT", `${op}: at least one operand must be a DataArray`);
  let A = a as DataArray | number;
  let B = b as DataArray | number;
  if (A instanceof DataArray && B instanceof DataArray) [A, B] = alignPair(op, A, B, join);
  const template = (A instanceof DataArray ? A : B) as DataArray;
  const other = A instanceof DataArray && B instanceof DataArray ? B : undefined;
  const dims = [...template.dims];
  const shape = [...template.shape];
  const coords: Record<string, Coordinate> = { ...template.coords };
  if (other !== undefined) {
    other.dims.forEach((d, i) => {
      if (!dims.includes(d)) {
        dims.push(d);
        shape.push(other.shape[i]);
      }
    });
    for (const [k, c] of Object.entries(other.coords)) if (coords[k] === undefined) coords[k] = c;
  }
  const size = shape.reduce((x, y) => x * y, 1);
  const f32 = (x: Operand) => typeof x === "number" || x.data instanceof Float32Array;
  const boolOut = BOOLEAN.has(op);
  const out = boolOut
    ? new Uint8Array(size)
    : f32(A) && f32(B)
      ? new Float32Array(size)
      : new Float64Array(size);
  const sa = A instanceof DataArray ? stridesOnto(A, dims) : undefined;
  const sb = B instanceof DataArray ? stridesOnto(B, dims) : undefined;
  const da = A instanceof DataArray ? floatView(A.data, op) : undefined;
  const db = B instanceof DataArray ? floatView(B.data, op) : undefined;
  const sameLayout = (x: DataArray) =>
    x.ndim === dims.length && x.dims.every((d, i) => d === dims[i] && x.shape[i] === shape[i]);
  const flat =
    FLAT.has(op) &&
    (A instanceof DataArray ? sameLayout(A) : true) &&
    (B instanceof DataArray ? sameLayout(B) : true) &&
    flatKernel(op, out, A instanceof DataArray ? A.data : A, B instanceof DataArray ? B.data : B);
  if (!flat) {
    kernel(
      op,
      shape,
      out,
      da,
      sa,
      typeof A === "number" ? A : 0,
      db,
      sb,
      typeof B === "number" ? B : 0,
    );
  }
  const nameA = A instanceof DataArray ? A.name : undefined;
  const nameB = B instanceof DataArray ? B.name : undefined;
  const name =
    nameA !== undefined && nameB !== undefined && nameA !== nameB ? op : (nameA ?? nameB ?? op);
  return new DataArray({ name, dims, shape, data: out, coords });
}

const FLAT = new Set<BinaryOp>(["add", "sub", "mul", "div"]);

// Element-wise loops over operands laid out like the output (no broadcasting), one per
// element type so each stays monomorphic. Returns false when no loop fits.
function flatKernel(
  op: BinaryOp,
  out: Float32Array | Float64Array | Uint8Array,
  a: ArrayData | number,
  b: ArrayData | number,
): boolean {
  if (out instanceof Float32Array) {
    if (a instanceof Float32Array && typeof b === "number") return scalar32(op, out, a, b, false);
    if (b instanceof Float32Array && typeof a === "number") return scalar32(op, out, b, a, true);
    if (a instanceof Float32Array && b instanceof Float32Array) return pair32(op, out, a, b);
    return false;
  }
  if (out instanceof Float64Array) {
    if (a instanceof Float64Array && typeof b === "number") return scalar64(op, out, a, b, false);
    if (b instanceof Float64Array && typeof a === "number") return scalar64(op, out, b, a, true);
    if (a instanceof Float64Array && b instanceof Float64Array) return pair64(op, out, a, b);
  }
  return false;
}

function scalar32(
  op: BinaryOp,
  out: Float32Array,
  x: Float32Array,
  k: number,
  swap: boolean,
): boolean {
  const n = out.length;
  if (op === "add") for (let i = 0; i < n; i++) out[i] = x[i] + k;
  else if (op === "mul") for (let i = 0; i < n; i++) out[i] = x[i] * k;
  else if (op === "sub" && !swap) for (let i = 0; i < n; i++) out[i] = x[i] - k;
  else if (op === "sub") for (let i = 0; i < n; i++) out[i] = k - x[i];
  else if (!swap) for (let i = 0; i < n; i++) out[i] = x[i] / k;
  else for (let i = 0; i < n; i++) out[i] = k / x[i];
  return true;
}

function scalar64(
  op: BinaryOp,
  out: Float64Array,
  x: Float64Array,
  k: number,
  swap: boolean,
): boolean {
  const n = out.length;
  if (op === "add") for (let i = 0; i < n; i++) out[i] = x[i] + k;
  else if (op === "mul") for (let i = 0; i < n; i++) out[i] = x[i] * k;
  else if (op === "sub" && !swap) for (let i = 0; i < n; i++) out[i] = x[i] - k;
  else if (op === "sub") for (let i = 0; i < n; i++) out[i] = k - x[i];
  else if (!swap) for (let i = 0; i < n; i++) out[i] = x[i] / k;
  else for (let i = 0; i < n; i++) out[i] = k / x[i];
  return true;
}

function pair32(op: BinaryOp, out: Float32Array, x: Float32Array, y: Float32Array): boolean {
  const n = out.length;
  if (op === "add") for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
  else if (op === "sub") for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
  else if (op === "mul") for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
  else for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
  return true;
}

function pair64(op: BinaryOp, out: Float64Array, x: Float64Array, y: Float64Array): boolean {
  const n = out.length;
  if (op === "add") for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
  else if (op === "sub") for (let i = 0; i < n; i++) out[i] = x[i] - y[i];
  else if (op === "mul") for (let i = 0; i < n; i++) out[i] = x[i] * y[i];
  else for (let i = 0; i < n; i++) out[i] = x[i] / y[i];
  return true;
}

function stridesOnto(a: DataArray, dims: readonly string[]): number[] {
  const st = a.strides;
  return dims.map((d) => {
    const i = a.dims.indexOf(d);
    return i < 0 ? 0 : st[i];
  });
}

// Row-wise loop over the last axis; the op switch sits outside the inner loop so each
// inner loop is a tight monomorphic loop.
function kernel(
  op: BinaryOp,
  shape: number[],
  out: Float32Array | Float64Array | Uint8Array,
  da: ArrayLike<number> | undefined,
  sa: number[] | undefined,
  ka: number,
  db: ArrayLike<number> | undefined,
  sb: number[] | undefined,
  kb: number,
): void {
  const rank = shape.length;
  const size = out.length;
  if (size === 0) return;
  const n = rank === 0 ? 1 : shape[rank - 1];
  const ia = sa === undefined || rank === 0 ? 0 : sa[rank - 1];
  const ib = sb === undefined || rank === 0 ? 0 : sb[rank - 1];
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  const xa = da ?? new Float64Array([ka]);
  const xb = db ?? new Float64Array([kb]);
  for (let o = 0; o < size; o += n) {
    let oa = 0;
    let ob = 0;
    for (let i = 0; i < rank - 1; i++) {
      if (sa) oa += idx[i] * sa[i];
      if (sb) ob += idx[i] * sb[i];
    }
    row(op, out, o, n, xa, oa, ia, xb, ob, ib);
    for (let i = rank - 2; i >= 0; i--) {
      idx[i]++;
      if (idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
}

function truthy(v: number): boolean {
  return v !== 0 && !Number.isNaN(v);
}

function row(
  op: BinaryOp,
  out: Float32Array | Float64Array | Uint8Array,
  o: number,
  n: number,
  xa: ArrayLike<number>,
  oa: number,
  ia: number,
  xb: ArrayLike<number>,
  ob: number,
  ib: number,
): void {
  switch (op) {
    case "add":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] + xb[ob + j * ib];
      return;
    case "sub":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] - xb[ob + j * ib];
      return;
    case "mul":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] * xb[ob + j * ib];
      return;
    case "div":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] / xb[ob + j * ib];
      return;
    case "pow":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] ** xb[ob + j * ib];
      return;
    case "mod":
      // Python/NumPy modulo: the sign follows the divisor.
      for (let j = 0; j < n; j++) {
        const x = xa[oa + j * ia];
        const y = xb[ob + j * ib];
        const r = x % y;
        out[o + j] = r !== 0 && r < 0 !== y < 0 ? r + y : r;
      }
      return;
    case "min":
      // NaN propagates, as numpy.minimum.
      for (let j = 0; j < n; j++) {
        const x = xa[oa + j * ia];
        const y = xb[ob + j * ib];
        out[o + j] = Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.min(x, y);
      }
      return;
    case "max":
      for (let j = 0; j < n; j++) {
        const x = xa[oa + j * ia];
        const y = xb[ob + j * ib];
        out[o + j] = Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.max(x, y);
      }
      return;
    case "eq":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] === xb[ob + j * ib] ? 1 : 0;
      return;
    case "ne":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] !== xb[ob + j * ib] ? 1 : 0;
      return;
    case "lt":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] < xb[ob + j * ib] ? 1 : 0;
      return;
    case "le":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] <= xb[ob + j * ib] ? 1 : 0;
      return;
    case "gt":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] > xb[ob + j * ib] ? 1 : 0;
      return;
    case "ge":
      for (let j = 0; j < n; j++) out[o + j] = xa[oa + j * ia] >= xb[ob + j * ib] ? 1 : 0;
      return;
    case "and":
      for (let j = 0; j < n; j++)
        out[o + j] = truthy(xa[oa + j * ia]) && truthy(xb[ob + j * ib]) ? 1 : 0;
      return;
    case "or":
      for (let j = 0; j < n; j++)
        out[o + j] = truthy(xa[oa + j * ia]) || truthy(xb[ob + j * ib]) ? 1 : 0;
      return;
  }
}
