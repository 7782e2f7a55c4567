import { type DataArray, toTable } from "@geoml/grid";
import { BatchError } from "./errors.js";
import { TIME_FEATURES, timeFeatures } from "./time-features.js";

/** Rows of a grid for a table model: columns by name, and where each row sits on the grid. */
export interface GridRows {
  /** The variable, its 1-D coordinates (but the time one), and `t`, `year`, `month`, `doy`, `pi` when it has CF times. */
  columns: Record<string, Float64Array>;
  /** Row-major grid position of each row. */
  positions: Float64Array;
}

/**
 * One row per grid cell and step of `array` where its value is not missing: the value
 * (under the array's name), the coordinates as columns, and — when the array has a CF time
 * dimension `along` — the same time columns `fitAlong` formulas use (`t`, `year`, `month`,
 * `doy`, `pi`), so a formula fitted here reads the same names.
 *
 * @throws BatchError `INVALID_ARGUMENT` when no cell has a value
 */
export function gridRows(array: DataArray, along = "time"): GridRows {
  const coordNames = Object.entries(array.coords)
    .filter(([n, c]) => c.dims.length === 1 && n !== along && !Array.isArray(c.values))
    .map(([n]) => n);
  const table = toTable(array, { coords: coordNames });
  if (table.nrows === 0) {
    throw new BatchError("INVALID_ARGUMENT", "no cell has a value", { variable: array.name });
  }
  const columns: Record<string, Float64Array> = { ...table.columns };
  const a = array.dims.indexOf(along);
  if (a >= 0 && array.coord(along)?.times !== undefined) {
    const features = timeFeatures(array.coord(along), along);
    const stride = array.strides[a];
    const T = array.shape[a];
    for (const name of TIME_FEATURES) {
      const per = features[name];
      const col = new Float64Array(table.nrows);
      for (let i = 0; i < table.nrows; i++)
        col[i] = per[Math.floor(table.index.rows[i] / stride) % T];
      columns[name] = col;
    }
  }
  return { columns, positions: table.index.rows };
}
