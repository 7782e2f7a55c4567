import { alignedStrides, walk } from "./broadcast.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { attrString } from "./types.js";

/**
 * Keep values where `condition` holds, NaN (or `other`) elsewhere — xarray's `where`.
 * `condition` is a DataArray broadcast by dimension name (nonzero and not NaN = keep),
 * e.g. an ocean mask over (lat, lon) applied to sst over (time, lat, lon).
 *
 * @throws GridError `SHAPE_MISMATCH` when the condition does not broadcast
 */
export function where(a: DataArray, condition: DataArray, other = Number.NaN): DataArray {
  const strides = alignedStrides(a, condition);
  // float32 stays float32: masking a large field should not double its memory.
  const src = a.data instanceof Float32Array ? a.data : a.toFloat64();
  const out = src instanceof Float32Array ? new Float32Array(a.size) : new Float64Array(a.size);
  const c = condition.data;
  walk(a.shape, [strides], (i, off) => {
    const v = Number(c[off[0]]);
    out[i] = v !== 0 && !Number.isNaN(v) ? src[i] : other;
  });
  return a.withData(out);
}

/**
 * A 0/1 mask from a field and a predicate, e.g. ocean cells of a land–sea mask:
 * `maskFrom(lsmask, (v) => v === 0)`.
 */
export function maskFrom(
  a: DataArray,
  predicate: (value: number) => boolean,
  name = `${a.name}_mask`,
): DataArray {
  const out = new Uint8Array(a.size);
  const d = a.data;
  for (let i = 0; i < out.length; i++) out[i] = predicate(Number(d[i])) ? 1 : 0;
  return a.withData(out, { name, attrs: {} });
}

/**
 * Nearest-neighbour regridding of `a` onto the 1-D coordinates of `like` for the given
 * dimensions (longitudes compared modulo 360) — e.g. a 1° land–sea mask onto a 2° SST grid.
 *
 * @throws GridError `INVALID_SELECTION` when a dimension lacks a numeric 1-D coordinate
 */
export function regridNearest(a: DataArray, like: DataArray, dims: readonly string[]): DataArray {
  const picks: Record<string, number[]> = {};
  const newCoords: Record<string, Coordinate> = { ...a.coords };
  for (const d of dims) {
    const from = a.coord(d);
    const to = like.coord(d);
    if (!(from?.values instanceof Float64Array) || !(to?.values instanceof Float64Array)) {
      throw new GridError(
        "INVALID_SELECTION",
        `regridding needs numeric 1-D coordinates for '${d}'`,
        {
          variable: a.name,
        },
      );
    }
    const lon = /east/i.test(attrString(from.attrs, "units") ?? "") || /^lon/i.test(d);
    const fv = from.values;
    picks[d] = Array.from(to.values, (t) => {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let i = 0; i < fv.length; i++) {
        let dist = Math.abs(fv[i] - t);
        if (lon) dist = Math.min(dist % 360, 360 - (dist % 360));
        // Ties go to the later label, as xarray's nearest selection does.
        if (dist <= bestD) {
          bestD = dist;
          best = i;
        }
      }
      return best;
    });
    for (const [name, c] of Object.entries(a.coords))
      if (c.dims.includes(d)) delete newCoords[name];
    const key = Object.keys(like.coords).find((k) => like.coords[k] === to) ?? d;
    newCoords[key] = { ...to, dims: [d] };
  }
  const shape = a.dims.map((d, i) => picks[d]?.length ?? a.shape[i]);
  const out = new Float64Array(shape.reduce((x, y) => x * y, 1));
  const src = a.toFloat64();
  const strides = a.strides;
  walkIndex(shape, (o, idx) => {
    let flat = 0;
    for (let i = 0; i < idx.length; i++)
      flat += (picks[a.dims[i]]?.[idx[i]] ?? idx[i]) * strides[i];
    out[o] = src[flat];
  });
  const kept: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(newCoords))
    if (c.dims.every((d) => !dims.includes(d) || c.dims.length === 1)) kept[k] = c;
  return new DataArray({
    name: a.name,
    dims: [...a.dims],
    shape,
    data: out,
    coords: kept,
    attrs: { ...a.attrs },
  });
}

function walkIndex(shape: number[], visit: (i: number, idx: number[]) => void): void {
  const n = shape.reduce((x, y) => x * y, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    visit(i, idx);
    for (let a = shape.length - 1; a >= 0; a--) {
      idx[a]++;
      if (idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

/**
 * Area weights cos(latitude) for a regular grid (1-D latitude coordinate) or a curvilinear
 * one (2-D latitude coordinate), named `weights`, over the latitude coordinate's dims.
 * Use with {@link reduce} for area-weighted means.
 *
 * @param latName - the latitude coordinate; found by units `degrees_north` or name when omitted
 * @throws GridError `INVALID_SELECTION` when no latitude coordinate exists
 */
export function areaWeights(a: DataArray, latName?: string): DataArray {
  const name =
    latName ??
    Object.keys(a.coords).find((k) => {
      const c = a.coords[k];
      return (
        /degrees?_?n(orth)?$/i.test(attrString(c.attrs, "units") ?? "") ||
        attrString(c.attrs, "standard_name") === "latitude" ||
        /^(lat|latitude|nav_lat|lat2d)$/i.test(k)
      );
    });
  const c = name === undefined ? undefined : a.coords[name];
  if (c === undefined || !(c.values instanceof Float64Array)) {
    throw new GridError("INVALID_SELECTION", "no numeric latitude coordinate for area weights", {
      variable: a.name,
    });
  }
  const w = Float64Array.from(c.values, (lat) => Math.cos((lat * Math.PI) / 180));
  const shape = c.dims.map((d) => a.shape[a.axis(d)]);
  return new DataArray({
    name: "weights",
    dims: [...c.dims],
    shape,
    data: w,
    attrs: { long_name: "cos(latitude) area weights" },
  });
}

/** Reduction kinds of {@link reduce}. */
export type Reduction = "mean" | "sum" | "min" | "max" | "count" | "std";

/** Options of {@link reduce}. */
export interface ReduceOptions {
  /** Weights broadcast by dimension name (e.g. {@link areaWeights}); used by `mean`, `sum` and `std`. */
  weights?: DataArray;
}

/**
 * Reduce over dimensions, skipping NaN (like xarray's `skipna=True`). Weighted means divide
 * by the weights of valid cells only, so masked land does not dilute an ocean mean.
 * A cell with no valid input is NaN (count: 0).
 *
 * @throws GridError `UNKNOWN_DIMENSION`, `SHAPE_MISMATCH`
 */
export function reduce(
  a: DataArray,
  dims: readonly string[],
  op: Reduction,
  options: ReduceOptions = {},
): DataArray {
  for (const d of dims) a.axis(d);
  const keepDims = a.dims.filter((d) => !dims.includes(d));
  const keepShape = keepDims.map((d) => a.shape[a.axis(d)]);
  const outLayout = { dims: keepDims, shape: keepShape, name: "result" };
  // Map every input position to its output cell: output strides placed on the input dims.
  const outStrides = alignedStrides(a, outLayout);
  const wStrides = options.weights ? alignedStrides(a, options.weights) : undefined;
  const n = keepShape.reduce((x, y) => x * y, 1);
  const sw = new Float64Array(n);
  const swx = new Float64Array(n);
  const swxx = new Float64Array(n);
  const cnt = new Float64Array(n);
  const mn = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const mx = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const x = a.toFloat64();
  const w = options.weights?.toFloat64();
  walk(a.shape, wStrides ? [outStrides, wStrides] : [outStrides], (i, off) => {
    const v = x[i];
    if (Number.isNaN(v)) return;
    const o = off[0];
    const wi = w ? w[off[1]] : 1;
    if (Number.isNaN(wi)) return;
    cnt[o]++;
    sw[o] += wi;
    swx[o] += wi * v;
    swxx[o] += wi * v * v;
    if (v < mn[o]) mn[o] = v;
    if (v > mx[o]) mx[o] = v;
  });
  const out = new Float64Array(n);
  for (let o = 0; o < n; o++) {
    if (op === "count") out[o] = cnt[o];
    else if (cnt[o] === 0) out[o] = Number.NaN;
    else if (op === "sum") out[o] = swx[o];
    else if (op === "mean") out[o] = swx[o] / sw[o];
    else if (op === "min") out[o] = mn[o];
    else if (op === "max") out[o] = mx[o];
    else {
      const m = swx[o] / sw[o];
      out[o] = Math.sqrt(Math.max(0, swxx[o] / sw[o] - m * m));
    }
  }
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords))
    if (c.dims.every((d) => keepDims.includes(d))) coords[k] = c;
  return new DataArray({
    name: a.name,
    dims: keepDims,
    shape: keepShape,
    data: out,
    coords,
    attrs: { ...a.attrs },
  });
}

/** Mean over dims, optionally weighted — `reduce(a, dims, "mean", { weights })`. */
export function mean(a: DataArray, dims: readonly string[], weights?: DataArray): DataArray {
  return reduce(a, dims, "mean", weights ? { weights } : {});
}
