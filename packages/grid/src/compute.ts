import { alignTo, checkArray } from "./align.js";
import { describe } from "./args.js";
import { alignedStrides, walk } from "./broadcast.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { reduce } from "./reductions.js";
import { type ArrayData, attrString, type FloatOf } from "./types.js";

/**
 * Keep values where `condition` holds, NaN (or `other`) elsewhere — xarray's `where`.
 * `condition` is a DataArray aligned by label (the same labels in any order: a mask stored
 * north-to-south fits data stored south-to-north) and broadcast by dimension name
 * (nonzero and not NaN = keep), e.g. an ocean mask over (lat, lon) applied to sst over
 * (time, lat, lon). `other` may be a number or a DataArray aligned the same way.
 * float32 stays float32; attributes and encoding are kept.
 *
 * @throws GridError `SHAPE_MISMATCH` when the condition has other dims or other labels
 */
export function where<T extends ArrayData>(
  a: DataArray<T>,
  condition: DataArray,
  other: number | DataArray = Number.NaN,
): DataArray<T extends Float32Array ? Float32Array : Float64Array> {
  checkArray("where", "data", a);
  checkArray("where", "condition", condition);
  if (typeof other !== "number" && !(other instanceof DataArray)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `where: other must be a number or a DataArray; got ${describe(other)}`,
    );
  }
  const cond = alignTo("where", a, condition, "condition");
  const strides = alignedStrides(a, cond);
  // float32 stays float32: masking a large field should not double its memory.
  const src: Float32Array | Float64Array =
    a.data instanceof Float32Array ? (a.data as Float32Array) : a.toFloat64();
  const c = cond.data as ArrayLike<number>;
  const suffix =
    cond.ndim <= a.ndim && cond.dims.every((d, i) => d === a.dims[a.ndim - cond.ndim + i]);
  const fast = typeof other === "number" && suffix && cond.size > 0;
  // slice() copies without zero-filling first: the fast path starts from a copy.
  const out = fast
    ? src.slice()
    : src instanceof Float32Array
      ? new Float32Array(a.size)
      : new Float64Array(a.size);
  if (fast) {
    // The common case — a (lat, lon) mask over (time, lat, lon): precompute the truth
    // table once and walk the data in blocks of the mask's size.
    const m = cond.size;
    const keep = new Uint8Array(m);
    for (let k = 0; k < m; k++) {
      const v = c[k];
      keep[k] = v !== 0 && !Number.isNaN(v) ? 1 : 0;
    }
    if (out instanceof Float32Array) maskBlocks(out, keep, other as number);
    else maskBlocks(out, keep, other as number);
  } else if (typeof other === "number") {
    rowLoop(a.shape, strides, (start, n, cb, cs) => {
      for (let j = 0; j < n; j++) {
        const v = c[cb + j * cs];
        out[start + j] = v !== 0 && !Number.isNaN(v) ? src[start + j] : other;
      }
    });
  } else {
    const o = alignTo("where", a, other, "other");
    const os = alignedStrides(a, o);
    const od = o.toFloat64();
    walk(a.shape, [strides, os], (i, off) => {
      const v = Number(c[off[0]]);
      out[i] = v !== 0 && !Number.isNaN(v) ? src[i] : od[off[1]];
    });
  }
  return a.withData(out) as DataArray<T extends Float32Array ? Float32Array : Float64Array>;
}

function maskBlocks<A extends Float32Array | Float64Array>(
  out: A,
  keep: Uint8Array,
  other: number,
): void {
  // `out` is a copy of the data: overwrite the dropped cells only (a copy plus a short list
  // beats a per-element select).
  const m = keep.length;
  let nd = 0;
  for (let k = 0; k < m; k++) if (keep[k] === 0) nd++;
  const drop = new Int32Array(nd);
  for (let k = 0, j = 0; k < m; k++) if (keep[k] === 0) drop[j++] = k;
  for (let o = 0; o < out.length; o += m) {
    for (let j = 0; j < nd; j++) out[o + drop[j]] = other;
  }
}

// Visit rows of the last axis with the matching base offset and stride in one aligned source.
function rowLoop(
  shape: readonly number[],
  strides: readonly number[],
  visit: (start: number, n: number, base: number, stride: number) => void,
): void {
  const rank = shape.length;
  let size = 1;
  for (const s of shape) size *= s;
  if (size === 0) return;
  if (rank === 0) {
    visit(0, 1, 0, 0);
    return;
  }
  const n = shape[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  for (let start = 0; start < size; start += n) {
    let base = 0;
    for (let a = 0; a < rank - 1; a++) base += idx[a] * strides[a];
    visit(start, n, base, strides[rank - 1]);
    for (let a = rank - 2; a >= 0; a--) {
      idx[a]++;
      if (idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
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

export { type ReduceOptions, type Reduction, reduce } from "./reductions.js";

/** Mean over dims, optionally weighted — `reduce(a, dims, "mean", { weights })`. */
export function mean<T extends ArrayData>(
  a: DataArray<T>,
  dims: readonly string[],
  weights?: DataArray,
): DataArray<FloatOf<T>> {
  return reduce(a, dims, "mean", weights ? { weights } : {});
}
