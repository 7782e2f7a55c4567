/**
 * What a per-cell run reads: a gridded variable seen as cells × steps. The cells are every
 * combination of the dims other than `along`; a chunk is a range of the first of those
 * dims (whole rows), so it is one hyperslab of each file.
 */
import {
  type Coordinate,
  type DataArray,
  Dataset,
  sizeOf,
  sliceData,
  stridesOf,
  type TypedArray,
} from "@geoml/grid";
import { BatchError } from "./errors.js";

/** A range of rows of the first cell dimension: `[start, stop)`. */
export interface RowRange {
  start: number;
  stop: number;
}

/** One chunk as read: response and covariates step-major (`v[t * C + c]`). */
export interface Block {
  C: number;
  y: ArrayLike<number>;
  covariates: Record<string, ArrayLike<number>>;
}

/** A variable opened for per-cell work. */
export interface GridSource {
  readonly name: string;
  /** The variable's dims, in storage order. */
  readonly dims: readonly string[];
  readonly shape: readonly number[];
  readonly along: string;
  /** The cell dims, in storage order (all dims but `along`). */
  readonly cellDims: readonly string[];
  readonly cellShape: readonly number[];
  /** Rows: length of the first cell dim (1 when there is none). */
  readonly rows: number;
  /** Cells per row. */
  readonly rowCells: number;
  /** Coordinates spanning only cell dims, to carry over to the results. */
  readonly cellCoords: Record<string, Coordinate>;
  /** The `along` coordinate (decoded times included). */
  readonly alongCoord: Coordinate | undefined;
  /** Read the rows `range` of the response and `covariates`. */
  read(range: RowRange, covariates: readonly string[]): Promise<Block>;
}

function checkAlong(name: string, dims: readonly string[], along: string, file?: string) {
  if (!dims.includes(along)) {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `no dimension '${along}' to fit along (dims are ${dims.join(", ")})`,
      { file, variable: name },
    );
  }
}

function layout(name: string, dims: readonly string[], shape: readonly number[], along: string) {
  const cellDims = dims.filter((d) => d !== along);
  const cellShape = cellDims.map((d) => shape[dims.indexOf(d)]);
  return {
    name,
    dims,
    shape,
    along,
    cellDims,
    cellShape,
    rows: cellShape.length === 0 ? 1 : cellShape[0],
    rowCells: sizeOf(cellShape.slice(1)),
  };
}

function cellCoordsOf(coords: Readonly<Record<string, Coordinate>>, along: string) {
  const out: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(coords)) if (!c.dims.includes(along)) out[k] = c;
  return out;
}

/**
 * Reorder a hyperslab of `dims` with shape `shape` to step-major cells × steps. When `along`
 * is the first dim the data already are in that order and come back as they are.
 */
export function toStepMajor(
  data: ArrayLike<number>,
  dims: readonly string[],
  shape: readonly number[],
  along: string,
): ArrayLike<number> {
  const a = dims.indexOf(along);
  if (a === 0) return data;
  const T = shape[a];
  const strides = stridesOf(shape);
  const cellAxes = dims.map((_, i) => i).filter((i) => i !== a);
  const C = sizeOf(cellAxes.map((i) => shape[i]));
  const offsets = new Float64Array(C);
  const idx = new Array<number>(cellAxes.length).fill(0);
  for (let c = 0; c < C; c++) {
    let o = 0;
    for (let m = 0; m < cellAxes.length; m++) o += idx[m] * strides[cellAxes[m]];
    offsets[c] = o;
    for (let m = cellAxes.length - 1; m >= 0; m--) {
      if (++idx[m] < shape[cellAxes[m]]) break;
      idx[m] = 0;
    }
  }
  const out = new Float64Array(T * C);
  const st = strides[a];
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++) out[t * C + c] = data[offsets[c] + t * st];
  return out;
}

function numeric(data: DataArray["data"], name: string): ArrayLike<number> {
  if (Array.isArray(data) || data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new BatchError("INVALID_ARGUMENT", "expected numeric data", { variable: name });
  }
  return data as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
}

/** A {@link GridSource} over an in-memory array (and optional covariate arrays on its grid). */
export function arraySource(
  array: DataArray,
  along: string,
  covariates: readonly DataArray[] = [],
): GridSource {
  checkAlong(array.name, array.dims, along);
  const base = layout(array.name, array.dims, array.shape, along);
  const all = new Map([array, ...covariates].map((a) => [a.name, a]));
  for (const c of covariates) {
    if (c.dims.join() !== array.dims.join() || c.shape.join() !== array.shape.join()) {
      throw new BatchError(
        "SHAPE_MISMATCH",
        `is (${c.dims.join(", ")}) [${c.shape.join(", ")}], expected the grid of '${array.name}'`,
        { variable: c.name },
      );
    }
  }
  return {
    ...base,
    cellCoords: cellCoordsOf(array.coords, along),
    alongCoord: array.coord(along),
    async read(range, names) {
      const slab = (a: DataArray) => {
        const r = base.cellDims.length === 0 ? null : a.dims.indexOf(base.cellDims[0]);
        const start = a.dims.map(() => 0);
        const count = [...a.shape];
        if (r !== null) {
          start[r] = range.start;
          count[r] = range.stop - range.start;
        }
        const data = numeric(a.data, a.name);
        const piece =
          r === null || (range.start === 0 && range.stop === base.rows)
            ? data
            : sliceData(
                data as Exclude<TypedArray, BigInt64Array | BigUint64Array>,
                a.shape,
                start,
                count,
              );
        return toStepMajor(piece, a.dims, count, along);
      };
      const covs: Record<string, ArrayLike<number>> = {};
      for (const n of names) {
        const c = all.get(n);
        if (c === undefined || n === array.name) {
          throw new BatchError("UNKNOWN_VARIABLE", `formula uses '${n}', which was not given`, {
            variable: n,
          });
        }
        covs[n] = slab(c);
      }
      return { C: (range.stop - range.start) * base.rowCells, y: slab(array), covariates: covs };
    },
  };
}

/**
 * A {@link GridSource} over a variable of a lazily opened dataset (one file, or many joined
 * by `openMfDataset`): each chunk is one hyperslab read, file by file.
 *
 * @throws BatchError `UNKNOWN_VARIABLE` naming the file when the variable is missing
 */
export async function datasetSource(ds: Dataset, name: string, along: string): Promise<GridSource> {
  if (!(ds instanceof Dataset)) throw new BatchError("INVALID_ARGUMENT", "expected a Dataset");
  if (!ds.has(name)) {
    throw new BatchError(
      "UNKNOWN_VARIABLE",
      `no variable '${name}' (has ${ds.dataVariableNames.join(", ") || "none"})`,
      { file: ds.path },
    );
  }
  const v = ds.variable(name);
  checkAlong(name, v.dims, along, ds.path);
  const base = layout(name, v.dims, v.shape, along);
  // Coordinates only: read a one-row slab of everything but `along`.
  const isel: Record<string, { start: number; stop: number }> = {};
  for (const d of base.cellDims) isel[d] = { start: 0, stop: 1 };
  const probe = await ds.read(name, { isel });
  const cellCoords: Record<string, Coordinate> = {};
  for (const cname of ds.coordinatesOf(name)) {
    const cv = ds.variable(cname);
    if (cv.dims.includes(along)) continue;
    const full = await ds.read(cname, { coords: false });
    cellCoords[cname] = {
      dims: [...cv.dims],
      values: full.toFloat64(),
      attrs: { ...(probe.coords[cname]?.attrs ?? cv.attrs) },
    };
  }
  return {
    ...base,
    cellCoords,
    alongCoord: probe.coord(along),
    async read(range, names) {
      const slab = async (n: string) => {
        if (!ds.has(n)) {
          throw new BatchError("UNKNOWN_VARIABLE", `no variable '${n}' used by the formula`, {
            file: ds.path,
          });
        }
        const cv = ds.variable(n);
        if (cv.dims.join() !== v.dims.join() || cv.shape.join() !== v.shape.join()) {
          throw new BatchError(
            "SHAPE_MISMATCH",
            `is (${cv.dims.join(", ")}) [${cv.shape.join(", ")}], expected the grid of '${name}'`,
            { file: ds.path, variable: n },
          );
        }
        const sel =
          base.cellDims.length === 0
            ? {}
            : { [base.cellDims[0]]: { start: range.start, stop: range.stop } };
        const a = await ds.read(n, { isel: sel, coords: false });
        return toStepMajor(numeric(a.data, n), a.dims, a.shape, along);
      };
      const covs: Record<string, ArrayLike<number>> = {};
      for (const n of names) covs[n] = await slab(n);
      return {
        C: (range.stop - range.start) * base.rowCells,
        y: await slab(name),
        covariates: covs,
      };
    },
  };
}
