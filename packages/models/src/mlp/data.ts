import type { Tensor } from "@geoml/autodiff";
import { MlpDataError, MlpShapeError } from "./errors.js";

/** A design matrix: a 2-D tensor [rows, columns] or nested arrays (one inner array per row). */
export type MatrixInput = Tensor | readonly (readonly number[])[];

/** A vector: a 1-D tensor (or [rows, 1]) or any array-like of numbers. */
export type VectorInput = Tensor | ArrayLike<number>;

/** Row-major numbers with their extent; typed arrays are used without copying. */
export interface Matrix {
  data: Float32Array | Float64Array;
  rows: number;
  cols: number;
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && "shape" in x && "dtype" in x && "data" in x;
}

/** Views `x` as a row-major matrix; `name` appears in the error message. */
export function toMatrix(x: MatrixInput, name: string): Matrix {
  if (isTensor(x)) {
    if (x.ndim !== 2) {
      throw new MlpShapeError(
        `${name}: expected a 2-D tensor [rows, columns], got shape [${x.shape.join(", ")}]`,
      );
    }
    return { data: x.data, rows: x.shape[0], cols: x.shape[1] };
  }
  if (!Array.isArray(x)) {
    throw new MlpShapeError(`${name}: expected a 2-D tensor or an array of rows`);
  }
  const rows = x.length;
  const cols = rows === 0 ? 0 : x[0].length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = x[i];
    if (!Array.isArray(row) || row.length !== cols) {
      throw new MlpShapeError(
        `${name}: row ${i} has ${Array.isArray(row) ? row.length : "no"} values, expected ${cols}`,
      );
    }
    for (let j = 0; j < cols; j++) data[i * cols + j] = row[j];
  }
  return { data, rows, cols };
}

/** Copies `v` into a Float64Array of length `rows`; `name` appears in the error message. */
export function toVector(v: VectorInput, rows: number, name: string): Float64Array {
  let values: ArrayLike<number>;
  if (isTensor(v)) {
    const ok = v.ndim === 1 || (v.ndim === 2 && v.shape[1] === 1);
    if (!ok) {
      throw new MlpShapeError(
        `${name}: expected shape [${rows}] or [${rows}, 1], got [${v.shape.join(", ")}]`,
      );
    }
    values = v.data;
  } else {
    values = v;
  }
  if (values.length !== rows) {
    throw new MlpShapeError(
      `${name}: has ${values.length} values, expected ${rows} (one per row of x)`,
    );
  }
  return Float64Array.from(values);
}

/** Throws {@link MlpDataError} at the first non-finite value of `data`. */
export function assertFinite(data: ArrayLike<number>, name: string, cols = 1): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const where = cols > 1 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      throw new MlpDataError(
        `${name}: non-finite value ${data[i]} at ${where}; remove or fill missing values first`,
      );
    }
  }
}

/** Per-column centring and scaling learned from the training rows and stored with the model. */
export interface Standardizer {
  mean: Float64Array;
  scale: Float64Array;
}

/** Column means and (population) standard deviations; constant columns get scale 1. */
export function fitStandardizer(x: Matrix, rowIndex?: Int32Array): Standardizer {
  const { data, cols } = x;
  const n = rowIndex ? rowIndex.length : x.rows;
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let k = 0; k < n; k++) {
    const r = (rowIndex ? rowIndex[k] : k) * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[r + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= Math.max(n, 1);
  for (let k = 0; k < n; k++) {
    const r = (rowIndex ? rowIndex[k] : k) * cols;
    for (let j = 0; j < cols; j++) {
      const d = data[r + j] - mean[j];
      scale[j] += d * d;
    }
  }
  for (let j = 0; j < cols; j++) {
    const sd = Math.sqrt(scale[j] / Math.max(n, 1));
    scale[j] = sd > 0 && Number.isFinite(sd) ? sd : 1;
  }
  return { mean, scale };
}

/** The identity standardizer (used when standardisation is turned off). */
export function identityStandardizer(cols: number): Standardizer {
  return { mean: new Float64Array(cols), scale: new Float64Array(cols).fill(1) };
}

/** Every row of `x` standardised by `s`, in a new array of `out`'s kind (done once per fit). */
export function standardizeAll(
  x: Matrix,
  s: Standardizer,
  like: Float32Array | Float64Array,
): Matrix {
  const out =
    like instanceof Float32Array
      ? new Float32Array(x.rows * x.cols)
      : new Float64Array(x.rows * x.cols);
  gatherMatrixRows(x, out, null, 0, x.rows, s);
  return { data: out, rows: x.rows, cols: x.cols };
}

/**
 * Copies the rows `rowIndex[start + k]` (or `start + k` without an index) of `x`, for
 * k < count, into `out` (row-major), standardised by `s` when given.
 */
export function gatherMatrixRows(
  x: Matrix,
  out: Float32Array | Float64Array,
  rowIndex: Int32Array | null,
  start: number,
  count: number,
  s?: Standardizer,
): void {
  const { data, cols } = x;
  // The training loop's call (plain copies, same dtype, shuffled rows) runs in loops
  // that only ever see one array type each: a loop shared by every dtype pair is
  // polymorphic and several times slower.
  if (!s && rowIndex !== null) {
    if (data instanceof Float32Array && out instanceof Float32Array) {
      gather32(data, cols, out, rowIndex, start, count);
      return;
    }
    if (data instanceof Float64Array && out instanceof Float64Array) {
      gather64(data, cols, out, rowIndex, start, count);
      return;
    }
  }
  for (let k = 0; k < count; k++) {
    const src = (rowIndex ? rowIndex[start + k] : start + k) * cols;
    const dst = k * cols;
    if (s) for (let j = 0; j < cols; j++) out[dst + j] = (data[src + j] - s.mean[j]) / s.scale[j];
    else for (let j = 0; j < cols; j++) out[dst + j] = data[src + j];
  }
}

/** {@link gatherMatrixRows} for float32 rows into float32, through an index, unscaled. */
function gather32(
  data: Float32Array,
  cols: number,
  out: Float32Array,
  rowIndex: Int32Array,
  start: number,
  count: number,
): void {
  for (let k = 0; k < count; k++) {
    const src = rowIndex[start + k] * cols;
    const dst = k * cols;
    for (let j = 0; j < cols; j++) out[dst + j] = data[src + j];
  }
}

/** {@link gatherMatrixRows} for float64 rows into float64, through an index, unscaled. */
function gather64(
  data: Float64Array,
  cols: number,
  out: Float64Array,
  rowIndex: Int32Array,
  start: number,
  count: number,
): void {
  for (let k = 0; k < count; k++) {
    const src = rowIndex[start + k] * cols;
    const dst = k * cols;
    for (let j = 0; j < cols; j++) out[dst + j] = data[src + j];
  }
}

/** Copies `v[rowIndex[start + k]]` for k < count into `out`. */
export function gatherRows(
  v: Float64Array,
  out: Float32Array | Float64Array,
  rowIndex: Int32Array | null,
  start: number,
  count: number,
): void {
  // one array type per loop, as in gatherMatrixRows
  if (rowIndex !== null) {
    if (out instanceof Float32Array) gatherValues32(v, out, rowIndex, start, count);
    else gatherValues64(v, out, rowIndex, start, count);
    return;
  }
  for (let k = 0; k < count; k++) out[k] = v[start + k];
}

/** {@link gatherRows} into float32 through an index. */
function gatherValues32(
  v: Float64Array,
  out: Float32Array,
  rowIndex: Int32Array,
  start: number,
  count: number,
): void {
  for (let k = 0; k < count; k++) out[k] = v[rowIndex[start + k]];
}

/** {@link gatherRows} into float64 through an index. */
function gatherValues64(
  v: Float64Array,
  out: Float64Array,
  rowIndex: Int32Array,
  start: number,
  count: number,
): void {
  for (let k = 0; k < count; k++) out[k] = v[rowIndex[start + k]];
}
