import { type Coordinate, DataArray } from "./data-array.js";
import type { Dataset, IndexRange } from "./dataset.js";
import { GridError } from "./errors.js";
import { type CFDatetime, encodeTime } from "./time.js";
import { type ArrayData, attrString, sizeOf } from "./types.js";

/** One index selection: a position (drops the dim), a range `[start, stop)`, or explicit positions. */
export type IndexSelector = number | IndexRange | readonly number[];

/**
 * A label selection: a coordinate value (nearest or exact), a date, an inclusive range of
 * labels `{ from, to }` (like xarray's `slice`), or explicit labels.
 */
export type LabelSelector =
  | number
  | CFDatetime
  | { from?: number | CFDatetime; to?: number | CFDatetime }
  | readonly number[];

/** Options of {@link sel}. */
export interface SelOptions {
  /** How single labels match: `"nearest"` (default) or `"exact"` (error unless equal within `tolerance`). */
  method?: "nearest" | "exact";
  /** Largest distance accepted by `"exact"` (default 1e-9), or by `"nearest"` if given. */
  tolerance?: number;
}

/**
 * Select by position along named dimensions (in memory). A number drops the dimension;
 * index arrays may repeat or reorder positions (used for longitude wrap-around).
 *
 * @throws GridError `UNKNOWN_DIMENSION`, `OUT_OF_RANGE`
 */
export function isel(a: DataArray, selection: Record<string, IndexSelector>): DataArray {
  const picks: number[][] = [];
  const keep: boolean[] = [];
  for (const d of Object.keys(selection)) a.axis(d);
  a.dims.forEach((d, axis) => {
    const n = a.shape[axis];
    const s = selection[d];
    const ctx = { variable: a.name };
    if (s === undefined) {
      picks.push(range(0, n));
      keep.push(true);
    } else if (typeof s === "number") {
      const k = s < 0 ? n + s : s;
      if (!Number.isInteger(k) || k < 0 || k >= n) {
        throw new GridError("OUT_OF_RANGE", `index ${s} outside '${d}' (length ${n})`, ctx);
      }
      picks.push([k]);
      keep.push(false);
    } else if (isIndexArray(s)) {
      for (const k of s) {
        if (!Number.isInteger(k) || k < 0 || k >= n) {
          throw new GridError("OUT_OF_RANGE", `index ${k} outside '${d}' (length ${n})`, ctx);
        }
      }
      picks.push([...s]);
      keep.push(true);
    } else {
      const r = s as IndexRange;
      const lo = clampIndex(r.start ?? 0, n);
      const hi = clampIndex(r.stop ?? n, n);
      picks.push(range(lo, Math.max(lo, hi)));
      keep.push(true);
    }
  });
  const data = gather(a.data, a.shape, picks);
  const coords: Record<string, Coordinate> = {};
  for (const [name, c] of Object.entries(a.coords)) {
    const cpicks = c.dims.map((d) => picks[a.dims.indexOf(d)]);
    const cshape = c.dims.map((d) => a.shape[a.dims.indexOf(d)]);
    const coord: Coordinate = {
      dims: c.dims.filter((d) => keep[a.dims.indexOf(d)]),
      values: gather(c.values, cshape, cpicks) as Float64Array | string[],
      attrs: c.attrs,
    };
    if (c.times !== undefined) coord.times = gather(c.times, cshape, cpicks);
    coords[name] = coord;
  }
  return new DataArray({
    name: a.name,
    dims: a.dims.filter((_, i) => keep[i]),
    shape: picks.map((p) => p.length).filter((_, i) => keep[i]),
    data,
    coords,
    attrs: { ...a.attrs },
    encoding: { ...a.encoding },
  });
}

/**
 * Select by coordinate label along named dimensions (in memory). Longitude ranges wrap:
 * `{ from: -30, to: 30 }` on a 0–360 grid picks 330…360 then 0…30 and relabels the
 * result −30…30 (and the reverse on a −180–180 grid).
 *
 * @throws GridError `UNKNOWN_DIMENSION`, `INVALID_SELECTION` (no 1-D coordinate, no match)
 */
export function sel(
  a: DataArray,
  selection: Record<string, LabelSelector>,
  options: SelOptions = {},
): DataArray {
  const indexSel: Record<string, IndexSelector> = {};
  const relabel: Record<string, Float64Array> = {};
  for (const [dim, s] of Object.entries(selection)) {
    a.axis(dim);
    const coord = a.coord(dim);
    if (coord === undefined || !(coord.values instanceof Float64Array)) {
      throw new GridError("INVALID_SELECTION", `no numeric 1-D coordinate for '${dim}'`, {
        variable: a.name,
      });
    }
    const r = labelIndices(coord, dim, s, options, a.name);
    indexSel[dim] = r.indices;
    if (r.relabel !== undefined) relabel[dim] = r.relabel;
  }
  let out = isel(a, indexSel);
  for (const [dim, values] of Object.entries(relabel)) {
    const coords = { ...out.coords };
    const name = Object.entries(coords).find(
      ([, c]) => c.dims.length === 1 && c.dims[0] === dim,
    )?.[0];
    if (name !== undefined) coords[name] = { ...coords[name], values };
    out = new DataArray({
      name: out.name,
      dims: [...out.dims],
      shape: [...out.shape],
      data: out.data,
      coords,
      attrs: { ...out.attrs },
      encoding: { ...out.encoding },
    });
  }
  return out;
}

/**
 * Read variable `name` of a lazy dataset by label: reads the coordinates, then only the
 * bounding hyperslab of the selection, then selects in memory.
 */
export async function readSel(
  ds: Dataset,
  name: string,
  selection: Record<string, LabelSelector>,
  options: SelOptions & { decode?: boolean } = {},
): Promise<DataArray> {
  const v = ds.variable(name);
  const bounds: Record<string, IndexRange> = {};
  const local: Record<string, IndexSelector> = {};
  const relabel: Record<string, Float64Array> = {};
  for (const [dim, s] of Object.entries(selection)) {
    if (!v.dims.includes(dim)) {
      throw new GridError(
        "UNKNOWN_DIMENSION",
        `no dimension '${dim}' (dims are ${v.dims.join(", ")})`,
        {
          file: ds.path,
          variable: name,
        },
      );
    }
    if (!ds.has(dim)) {
      throw new GridError("INVALID_SELECTION", `no coordinate variable '${dim}'`, {
        file: ds.path,
        variable: name,
      });
    }
    const coordArray = await ds.read(dim, { coords: true });
    const coord = coordArray.coords[dim] ?? {
      dims: [dim],
      values: coordArray.toFloat64(),
      attrs: coordArray.attrs as Record<string, never>,
    };
    const r = labelIndices(coord, dim, s, options, name);
    const idx = typeof r.indices === "number" ? [r.indices] : r.indices;
    const lo = Math.min(...idx);
    const hi = Math.max(...idx) + 1;
    bounds[dim] = { start: lo, stop: hi };
    local[dim] = typeof r.indices === "number" ? r.indices - lo : idx.map((i) => i - lo);
    if (r.relabel !== undefined) relabel[dim] = r.relabel;
  }
  const box = await ds.read(name, { isel: bounds, decode: options.decode ?? true });
  const out = isel(box, local);
  if (Object.keys(relabel).length === 0) return out;
  const coords = { ...out.coords };
  for (const [dim, values] of Object.entries(relabel)) {
    if (coords[dim] !== undefined) coords[dim] = { ...coords[dim], values };
  }
  return new DataArray({
    ...out,
    dims: [...out.dims],
    shape: [...out.shape],
    coords,
    attrs: { ...out.attrs },
    encoding: { ...out.encoding },
  });
}

/** True when a coordinate holds longitudes (by units, standard_name or name). */
export function isLongitude(name: string, coord: Coordinate): boolean {
  const units = attrString(coord.attrs, "units") ?? "";
  const std = attrString(coord.attrs, "standard_name") ?? "";
  return (
    /degrees?_?e(ast)?$/i.test(units) || std === "longitude" || /^(lon|longitude|x)$/i.test(name)
  );
}

function labelIndices(
  coord: Coordinate,
  dim: string,
  s: LabelSelector,
  options: SelOptions,
  variable: string,
): { indices: number | number[]; relabel?: Float64Array } {
  const values = coord.values as Float64Array;
  const ctx = { variable };
  const toNumber = (x: number | CFDatetime): number => {
    if (typeof x === "number") return x;
    const units = attrString(coord.attrs, "units");
    if (units === undefined) {
      throw new GridError("INVALID_SELECTION", `'${dim}' has no time units to select a date`, ctx);
    }
    return encodeTime(x, units, attrString(coord.attrs, "calendar"));
  };
  const lon = isLongitude(dim, coord);
  if (typeof s === "number" || isDatetime(s)) {
    let target = toNumber(s as number | CFDatetime);
    if (lon) target = wrapNear(target, values);
    return { indices: nearestIndex(values, target, options, dim, ctx) };
  }
  if (isIndexArray(s)) {
    return {
      indices: s.map((x) => nearestIndex(values, lon ? wrapNear(x, values) : x, options, dim, ctx)),
    };
  }
  const r = s as { from?: number | CFDatetime; to?: number | CFDatetime };
  const from = r.from === undefined ? Number.NEGATIVE_INFINITY : toNumber(r.from);
  const to = r.to === undefined ? Number.POSITIVE_INFINITY : toNumber(r.to);
  if (lon && Number.isFinite(from) && Number.isFinite(to) && from <= to && to - from <= 360) {
    // Walk the requested interval in the grid's own convention, then relabel in the caller's.
    const picked: Array<[number, number]> = [];
    values.forEach((v, i) => {
      const shifted = from + mod(v - from, 360);
      if (shifted <= to) picked.push([shifted, i]);
    });
    picked.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    // A cyclic grid stores the seam twice (0° and 360°); keep one copy once relabelled.
    for (let k = picked.length - 1; k > 0; k--) {
      if (Math.abs(picked[k][0] - picked[k - 1][0]) < 1e-9) picked.splice(k, 1);
    }
    if (picked.length === 0) {
      throw new GridError("INVALID_SELECTION", `no '${dim}' label in [${from}, ${to}]`, ctx);
    }
    return { indices: picked.map((p) => p[1]), relabel: Float64Array.from(picked, (p) => p[0]) };
  }
  const indices: number[] = [];
  values.forEach((v, i) => {
    if (v >= Math.min(from, to) && v <= Math.max(from, to)) indices.push(i);
  });
  if (indices.length === 0) {
    throw new GridError("INVALID_SELECTION", `no '${dim}' label in [${from}, ${to}]`, ctx);
  }
  // A descending coordinate with from > to (xarray style) keeps file order either way.
  return { indices };
}

function nearestIndex(
  values: Float64Array,
  target: number,
  options: SelOptions,
  dim: string,
  ctx: { variable: string },
): number {
  let best = -1;
  let bestDist = Number.POSITIVE_INFINITY;
  // Ties go to the later label (the larger one on an ascending axis), as pandas/xarray do.
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(values[i] - target);
    if (d <= bestDist) {
      bestDist = d;
      best = i;
    }
  }
  const method = options.method ?? "nearest";
  const tol = options.tolerance ?? (method === "exact" ? 1e-9 : Number.POSITIVE_INFINITY);
  if (best < 0 || bestDist > tol) {
    throw new GridError(
      "INVALID_SELECTION",
      `no '${dim}' label ${method === "exact" ? "equal to" : "near"} ${target}`,
      ctx,
    );
  }
  return best;
}

// Bring a longitude into the range the coordinate uses (e.g. −10 → 350 on a 0–360 grid).
function wrapNear(x: number, values: Float64Array): number {
  if (values.length === 0) return x;
  let lo = Number.POSITIVE_INFINITY;
  for (const v of values) lo = Math.min(lo, v);
  return lo + mod(x - lo, 360);
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

function isDatetime(x: unknown): x is CFDatetime {
  return typeof x === "object" && x !== null && "calendar" in x && "year" in x;
}

function isIndexArray(x: unknown): x is readonly number[] {
  return Array.isArray(x) || ArrayBuffer.isView(x);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function clampIndex(i: number, n: number): number {
  const k = i < 0 ? n + i : i;
  return Math.min(Math.max(k, 0), n);
}

/** Gather the outer product of per-axis index lists out of a row-major array. */
function gather<T extends ArrayData | unknown[]>(
  data: T,
  shape: readonly number[],
  picks: number[][],
): T {
  const n = sizeOf(picks.map((p) => p.length));
  const out = (
    ArrayBuffer.isView(data) ? new (data.constructor as new (n: number) => T)(n) : new Array(n)
  ) as T;
  const rank = shape.length;
  if (rank === 0) {
    (out as unknown as unknown[])[0] = (data as unknown as unknown[])[0];
    return out;
  }
  const strides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const src = data as unknown as unknown[];
  const dst = out as unknown as unknown[];
  const idx = new Array<number>(rank).fill(0);
  if (n === 0) return out;
  for (let o = 0; o < n; o++) {
    let flat = 0;
    for (let i = 0; i < rank; i++) flat += picks[i][idx[i]] * strides[i];
    dst[o] = src[flat];
    for (let i = rank - 1; i >= 0; i--) {
      idx[i]++;
      if (idx[i] < picks[i].length) break;
      idx[i] = 0;
    }
  }
  return out;
}
