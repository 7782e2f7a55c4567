import { alignTo, checkArray } from "./align.js";
import { checkChoice, checkOptions } from "./args.js";
import { alignedStrides, walk } from "./broadcast.js";
import { type Coordinate, DataArray } from "./data-array.js";
import type { Dataset, IndexRange } from "./dataset.js";
import { GridError } from "./errors.js";
import { isLongitude } from "./select.js";
import { dayOfYear, daysInYear } from "./time.js";
import type { Attrs } from "./types.js";

/**
 * Features derived from coordinates: the seasonal cycle as sin/cos of the day of year,
 * longitude as sin/cos (so 359° and 1° are neighbours), month, year and decimal year.
 */
export type DerivedFeature =
  | "doy_sin"
  | "doy_cos"
  | "lon_sin"
  | "lon_cos"
  | "month"
  | "year"
  | "decimal_year";

const FEATURES: readonly DerivedFeature[] = [
  "doy_sin",
  "doy_cos",
  "lon_sin",
  "lon_cos",
  "month",
  "year",
  "decimal_year",
];

/** Options of {@link toTable}. */
export interface ToTableOptions {
  /** Variables to use as columns, in order (default: all given). */
  variables?: string[];
  /** Coordinates to add as columns (e.g. `["lat", "lon"]`; 2-D coordinates work too). */
  coords?: string[];
  /** Derived features to add as columns. */
  features?: DerivedFeature[];
  /** Drop rows where any column is NaN (default true). */
  dropMissing?: boolean;
  /** Keep only cells where this mask (broadcast by dim name) is nonzero, e.g. ocean cells. */
  mask?: DataArray;
}

/** Where each table row sits on the grid, for putting results back with {@link fromTable}. */
export interface TableIndex {
  /** Dims of the grid the rows came from. */
  dims: string[];
  /** Shape of that grid. */
  shape: number[];
  /** Its coordinates, carried over to arrays built by {@link fromTable}. */
  coords: Record<string, Coordinate>;
  /** Row-major grid position of each row. */
  rows: Float64Array;
}

/** A design table: named float64 columns of equal length plus the grid index. */
export interface Table {
  /** Columns by name, in the order requested. */
  columns: Record<string, Float64Array>;
  /** Number of rows. */
  nrows: number;
  /** Grid position of every row. */
  index: TableIndex;
}

interface ColumnSource {
  name: string;
  values: Float64Array;
  dims: readonly string[];
  shape: readonly number[];
}

/**
 * Flatten gridded variables into a table for a model: each kept grid cell is a row; the
 * chosen variables, coordinates and derived features are the columns. Variables with fewer
 * dims (a static land–sea mask next to a monthly field) are broadcast by dimension name
 * onto the variable with the most dims. Masked and NaN cells are dropped unless
 * `dropMissing: false`.
 *
 * @throws GridError `SHAPE_MISMATCH`, `UNKNOWN_VARIABLE`, `INVALID_SELECTION`
 */
export function toTable(
  data: DataArray | readonly DataArray[] | Record<string, DataArray>,
  options: ToTableOptions = {},
): Table {
  checkOptions("toTable", "options", options, [
    "variables",
    "coords",
    "features",
    "dropMissing",
    "mask",
  ]);
  for (const f of options.features ?? []) checkChoice("toTable", "options.features", f, FEATURES);
  if (options.mask !== undefined) checkArray("toTable", "options.mask", options.mask);
  const all: DataArray[] =
    data instanceof DataArray ? [data] : Array.isArray(data) ? [...data] : Object.values(data);
  const byName = new Map(all.map((a) => [a.name, a]));
  const chosen = (options.variables ?? all.map((a) => a.name)).map((n) => {
    const a = byName.get(n);
    if (a === undefined) {
      throw new GridError(
        "UNKNOWN_VARIABLE",
        `no variable '${n}' (have ${[...byName.keys()].join(", ")})`,
      );
    }
    return a;
  });
  if (chosen.length === 0)
    throw new GridError("INVALID_ARGUMENT", "toTable needs at least one variable");
  const template = chosen.reduce((best, a) => (a.ndim > best.ndim ? a : best), chosen[0]);
  // Every other variable and the mask are matched to the template by label, not position.
  const aligned = chosen.map((a) =>
    a === template ? a : alignTo("toTable", template, a, "variable"),
  );
  const mask =
    options.mask === undefined ? undefined : alignTo("toTable", template, options.mask, "mask");
  const coordsAll: Record<string, Coordinate> = {};
  for (const a of [...aligned].reverse()) Object.assign(coordsAll, a.coords);

  const sources: ColumnSource[] = aligned.map((a) => ({
    name: a.name,
    values: a.toFloat64(),
    dims: a.dims,
    shape: a.shape,
  }));
  const coordShape = (c: Coordinate) => c.dims.map((d) => template.shape[template.axis(d)]);
  for (const cname of options.coords ?? []) {
    const c = coordsAll[cname];
    if (c === undefined || !(c.values instanceof Float64Array)) {
      throw new GridError("INVALID_SELECTION", `no numeric coordinate '${cname}'`, {
        variable: template.name,
      });
    }
    sources.push({ name: cname, values: c.values, dims: c.dims, shape: coordShape(c) });
  }
  for (const f of options.features ?? []) sources.push(derived(f, coordsAll, template, coordShape));

  const strides = sources.map((s) => alignedStrides(template, s));
  const maskStrides = mask ? alignedStrides(template, mask) : undefined;
  const maskData = mask?.data;
  const dropMissing = options.dropMissing ?? true;
  const keep = new Uint8Array(template.size);
  let nrows = 0;
  walk(template.shape, maskStrides ? [...strides, maskStrides] : strides, (i, off) => {
    if (maskData !== undefined) {
      const m = Number(maskData[off[sources.length]]);
      if (m === 0 || Number.isNaN(m)) return;
    }
    if (dropMissing) {
      for (let k = 0; k < sources.length; k++) if (Number.isNaN(sources[k].values[off[k]])) return;
    }
    keep[i] = 1;
    nrows++;
  });
  const columns: Record<string, Float64Array> = {};
  const cols = sources.map((s) => {
    const col = new Float64Array(nrows);
    columns[s.name] = col;
    return col;
  });
  const rows = new Float64Array(nrows);
  let r = 0;
  walk(template.shape, strides, (i, off) => {
    if (keep[i] === 0) return;
    for (let k = 0; k < sources.length; k++) cols[k][r] = sources[k].values[off[k]];
    rows[r++] = i;
  });
  return {
    columns,
    nrows,
    index: {
      dims: [...template.dims],
      shape: [...template.shape],
      coords: { ...template.coords },
      rows,
    },
  };
}

function derived(
  f: DerivedFeature,
  coords: Record<string, Coordinate>,
  template: DataArray,
  coordShape: (c: Coordinate) => number[],
): ColumnSource {
  if (f === "lon_sin" || f === "lon_cos") {
    const entry = Object.entries(coords).find(
      ([k, c]) => isLongitude(k, c) && c.values instanceof Float64Array,
    );
    if (entry === undefined) {
      throw new GridError("INVALID_SELECTION", `feature '${f}' needs a longitude coordinate`, {
        variable: template.name,
      });
    }
    const c = entry[1];
    const fn = f === "lon_sin" ? Math.sin : Math.cos;
    const values = Float64Array.from(c.values as Float64Array, (x) => fn((x * Math.PI) / 180));
    return { name: f, values, dims: c.dims, shape: coordShape(c) };
  }
  const c = Object.values(coords).find((x) => x.times !== undefined && x.dims.length === 1);
  if (c === undefined || c.times === undefined) {
    throw new GridError("INVALID_SELECTION", `feature '${f}' needs a decoded time coordinate`, {
      variable: template.name,
    });
  }
  const values = Float64Array.from(c.times, (t) => {
    const doy = dayOfYear(t);
    const len = daysInYear(t.year, t.calendar);
    const frac = (doy - 1 + (t.hour + t.minute / 60 + t.second / 3600) / 24) / len;
    switch (f) {
      case "doy_sin":
        return Math.sin(2 * Math.PI * frac);
      case "doy_cos":
        return Math.cos(2 * Math.PI * frac);
      case "month":
        return t.month;
      case "year":
        return t.year;
      default:
        return t.year + frac;
    }
  });
  return { name: f, values, dims: c.dims, shape: coordShape(c) };
}

/**
 * Put per-row values (e.g. model predictions) back on the grid a table came from: a
 * {@link DataArray} with the grid's dims and coordinates, NaN where no row exists
 * (masked or missing cells).
 *
 * @throws GridError `SHAPE_MISMATCH` when `values` and the index disagree in length
 */
export function fromTable(
  values: ArrayLike<number>,
  index: TableIndex,
  options: { name?: string; attrs?: Attrs } = {},
): DataArray {
  if (values.length !== index.rows.length) {
    throw new GridError(
      "SHAPE_MISMATCH",
      `${values.length} values for a table of ${index.rows.length} rows`,
      { variable: options.name ?? "prediction" },
    );
  }
  const size = index.shape.reduce((x, y) => x * y, 1);
  const out = new Float64Array(size).fill(Number.NaN);
  for (let r = 0; r < values.length; r++) out[index.rows[r]] = values[r];
  return new DataArray({
    name: options.name ?? "prediction",
    dims: [...index.dims],
    shape: [...index.shape],
    data: out,
    coords: { ...index.coords },
    attrs: options.attrs ?? {},
  });
}

/**
 * Read variables from a lazy dataset (optionally an index selection, e.g. one time step)
 * and flatten them with {@link toTable}.
 */
export async function readTable(
  ds: Dataset,
  options: ToTableOptions & { variables: string[]; isel?: Record<string, number | IndexRange> },
): Promise<Table> {
  checkOptions("readTable", "options", options, [
    "variables",
    "coords",
    "features",
    "dropMissing",
    "mask",
    "isel",
  ]);
  const arrays: DataArray[] = [];
  for (const name of options.variables) {
    const v = ds.variable(name);
    const isel = Object.fromEntries(
      Object.entries(options.isel ?? {}).filter(([d]) => v.dims.includes(d)),
    );
    arrays.push(await ds.read(name, { isel }));
  }
  const { isel: _isel, ...tableOptions } = options;
  return toTable(arrays, tableOptions);
}
