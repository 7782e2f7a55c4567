import { type Coordinate, DataArray, Dataset, sizeOf, stridesOf } from "@geoml/grid";
import { BatchError } from "./errors.js";
import { chunkRanges } from "./fit-along.js";
import { arraySource, datasetSource, type GridSource, type RowRange } from "./grid-source.js";
import { type GridPredictor, gridPredictor } from "./predictor.js";
import { TIME_FEATURES, type TimeFeatures, timeFeatures } from "./time-features.js";

/** Options of {@link predictAlong}. */
export interface PredictAlongOptions {
  /** Dimension of the steps; default `"time"`. */
  along?: string;
  /** Variable whose grid to predict on (a dataset source); default the model's response. */
  variable?: string;
  /** `response` (default) or `link`. */
  type?: "response" | "link";
  /** About how many cells per chunk (whole rows); default 65536. */
  chunkCells?: number;
  /** Called after each chunk. */
  onProgress?: (done: number, total: number) => void;
}

/** A grid opened for prediction: where, with what columns. */
export interface PredictRun {
  grid: GridSource;
  predictor: GridPredictor;
  features: TimeFeatures;
  /** Grid variables the model reads (besides time features and coordinates). */
  variables: string[];
}

/** Open `source` for predicting with `model`. */
export async function openPredict(
  model: string | object | GridPredictor,
  source: DataArray | Dataset,
  options: PredictAlongOptions,
): Promise<PredictRun> {
  const along = options.along ?? "time";
  const predictor =
    typeof (model as GridPredictor).predict === "function"
      ? (model as GridPredictor)
      : gridPredictor(model as string | object, options.type);
  let grid: GridSource;
  if (source instanceof DataArray) {
    grid = arraySource(source, along);
  } else if (source instanceof Dataset) {
    const name = options.variable ?? predictor.response;
    if (name === null || name === undefined) {
      throw new BatchError("INVALID_ARGUMENT", "name the variable whose grid to predict on", {
        file: source.path,
      });
    }
    grid = await datasetSource(source, name, along);
  } else {
    throw new BatchError("INVALID_ARGUMENT", "source must be a DataArray or a Dataset");
  }
  const features = timeFeatures(grid.alongCoord, along);
  const known = new Set<string>([...TIME_FEATURES, ...Object.keys(grid.cellCoords)]);
  // A model that does not say what it reads is offered every variable on the same grid.
  const offered =
    predictor.columns ??
    (source instanceof Dataset
      ? source.dataVariableNames.filter((n) => {
          const v = source.variable(n);
          return v.dims.join() === grid.dims.join() && v.shape.join() === grid.shape.join();
        })
      : [grid.name]);
  const variables = offered.filter((c) => !known.has(c));
  if (source instanceof DataArray) {
    const missing = variables.filter((v) => v !== grid.name);
    if (missing.length > 0) {
      throw new BatchError("UNKNOWN_VARIABLE", `the model reads '${missing[0]}', not on this grid`);
    }
  }
  return { grid, predictor, features, variables };
}

/**
 * The value of every cell coordinate for each cell of rows `range` (a coordinate over
 * `lon` repeats along `lat`; a curvilinear `lat(y, x)` is read per cell).
 */
function cellColumns(grid: GridSource, range: RowRange): Record<string, Float64Array> {
  const C = (range.stop - range.start) * grid.rowCells;
  const shape = [...grid.cellShape];
  const out: Record<string, Float64Array> = {};
  for (const [name, c] of Object.entries(grid.cellCoords) as [string, Coordinate][]) {
    if (Array.isArray(c.values)) continue;
    const axes = c.dims.map((d) => grid.cellDims.indexOf(d));
    const cshape = axes.map((a) => shape[a]);
    const cstrides = stridesOf(cshape);
    const col = new Float64Array(C);
    const idx = new Array<number>(shape.length).fill(0);
    if (shape.length > 0) idx[0] = range.start;
    for (let k = 0; k < C; k++) {
      let flat = 0;
      for (let m = 0; m < axes.length; m++) flat += idx[axes[m]] * cstrides[m];
      col[k] = c.values[flat];
      for (let m = shape.length - 1; m >= 0; m--) {
        if (++idx[m] < shape[m]) break;
        idx[m] = 0;
      }
    }
    out[name] = col;
  }
  return out;
}

/** Predictions of rows `range`, step-major (`v[t * C + c]`). */
export async function predictRange(run: PredictRun, range: RowRange): Promise<Float64Array> {
  const { grid, features, predictor } = run;
  const block = await grid.read(
    range,
    run.variables.filter((v) => v !== grid.name),
  );
  const T = features.t.length;
  const C = block.C;
  const n = T * C;
  const frame: Record<string, Float64Array> = {};
  for (const name of TIME_FEATURES) {
    const col = new Float64Array(n);
    for (let t = 0; t < T; t++) col.fill(features[name][t], t * C, (t + 1) * C);
    frame[name] = col;
  }
  for (const [name, values] of Object.entries(cellColumns(grid, range))) {
    const col = new Float64Array(n);
    for (let t = 0; t < T; t++) col.set(values, t * C);
    frame[name] = col;
  }
  frame[grid.name] = Float64Array.from(block.y);
  for (const [name, v] of Object.entries(block.covariates)) frame[name] = Float64Array.from(v);
  return predictor.predict(frame, n);
}

/** The predictions of all chunks on the grid, dims as the variable's. */
export function assemblePrediction(
  grid: GridSource,
  parts: readonly { range: RowRange; values: Float64Array }[],
  attrs: Record<string, string> = {},
): DataArray {
  const T = grid.shape[grid.dims.indexOf(grid.along)];
  const C = grid.rows * grid.rowCells;
  // Step-major (along, …cells), then into the variable's dim order.
  const stepMajor = new Float32Array(T * C).fill(Number.NaN);
  for (const { range, values } of parts) {
    const Cp = (range.stop - range.start) * grid.rowCells;
    if (values.length !== T * Cp) {
      throw new BatchError("BAD_PART", `chunk ${range.start}–${range.stop} has the wrong size`);
    }
    const off = range.start * grid.rowCells;
    for (let t = 0; t < T; t++) {
      const row = values.subarray(t * Cp, (t + 1) * Cp);
      for (let c = 0; c < Cp; c++) stepMajor[t * C + off + c] = row[c];
    }
  }
  const a = grid.dims.indexOf(grid.along);
  let data = stepMajor;
  if (a !== 0) {
    data = new Float32Array(T * C);
    const strides = stridesOf(grid.shape);
    const cellAxes = grid.dims.map((_, i) => i).filter((i) => i !== a);
    const idx = new Array<number>(cellAxes.length).fill(0);
    for (let c = 0; c < C; c++) {
      let o = 0;
      for (let m = 0; m < cellAxes.length; m++) o += idx[m] * strides[cellAxes[m]];
      for (let t = 0; t < T; t++) data[o + t * strides[a]] = stepMajor[t * C + c];
      for (let m = cellAxes.length - 1; m >= 0; m--) {
        if (++idx[m] < grid.shape[cellAxes[m]]) break;
        idx[m] = 0;
      }
    }
  }
  if (sizeOf(grid.shape) !== data.length) throw new BatchError("BAD_PART", "wrong total size");
  const coords: Record<string, Coordinate> = { ...grid.cellCoords };
  if (grid.alongCoord !== undefined)
    coords[grid.along] = { ...grid.alongCoord, dims: [grid.along] };
  return new DataArray({
    name: "prediction",
    dims: [...grid.dims],
    shape: [...grid.shape],
    data,
    coords,
    attrs: { long_name: `prediction on the grid of ${grid.name}`, ...attrs },
  });
}

/**
 * Apply a saved model to every cell and step of a grid, the features built from the same
 * names `fitAlong` and `geoml fit --grid` use: `t`, `year`, `month`, `doy`, `pi`, the grid's
 * coordinates (`lat`, `lon`, …) and its variables. Reads chunks of cells × all steps.
 *
 * @param model - a model saved by `geoml fit --save` / `toJSON()`: any kind `loadModel`
 *   knows that gives one value per row
 * @param source - a DataArray, a lazily opened Dataset, or many files from `openMfDataset`
 * @returns `prediction`, on the variable's grid (float32; NaN where an input is missing)
 */
export async function predictAlong(
  model: string | object,
  source: DataArray | Dataset,
  options: PredictAlongOptions = {},
): Promise<DataArray> {
  const run = await openPredict(model, source, options);
  const ranges = chunkRanges(run.grid.rows, run.grid.rowCells, options.chunkCells);
  const parts: { range: RowRange; values: Float64Array }[] = [];
  for (const range of ranges) {
    parts.push({ range, values: await predictRange(run, range) });
    options.onProgress?.(parts.length, ranges.length);
  }
  return assemblePrediction(run.grid, parts);
}
