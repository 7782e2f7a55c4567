import { checkChoice, checkNumber, checkOptions, describe, isPlainObject } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import type { Dataset, IndexRange } from "./dataset.js";
import { GridError } from "./errors.js";
import { formatLabel, isLabel, type Label, labelValue } from "./labels.js";
import { isTimeUnits, parseTimeUnits } from "./time.js";
import { type ArrayData, attrString, sizeOf } from "./types.js";

/** A position range `[start, stop)` with an optional step (negative steps walk backwards). */
export interface IndexSlice extends IndexRange {
  /** Take every `step`-th position (default 1; negative reverses). */
  step?: number;
}

/** One index selection: a position (drops the dim), a range `{ start, stop, step }`, or explicit positions. */
export type IndexSelector = number | IndexSlice | readonly number[];

/**
 * A label selection: one label (a coordinate value, an ISO 8601 date such as `"2001-03-15"`,
 * a `Date` or a CF date-time — drops the dim), a period (`"2001"` or `"2001-03"` — keeps
 * the dim, like pandas' partial-string indexing), an inclusive range `{ from, to, step }`
 * (like xarray's `slice`), or a list of labels.
 */
export type LabelSelector = Label | { from?: Label; to?: Label; step?: number } | readonly Label[];

/** How single labels match in {@link sel} (xarray's `method`). */
export type SelMethod = "exact" | "nearest" | "pad" | "backfill";

/** Options of {@link sel}. */
export interface SelOptions {
  /**
   * How single labels match: `"exact"` (default, an error unless the label exists),
   * `"nearest"`, `"pad"` (the last label at or before; pandas' `ffill`) or `"backfill"`
   * (the first label at or after).
   */
  method?: SelMethod;
  /**
   * Largest distance accepted by `nearest`, `pad` and `backfill`: a number in the
   * coordinate's units, or for time a duration such as `"15D"`, `"6h"`, `"30 min"`,
   * `"90s"` (pandas' spelling, as xarray takes).
   */
  tolerance?: number | string;
}

const SEL_OPTIONS = ["method", "tolerance"] as const;
const SEL_METHODS: readonly SelMethod[] = ["exact", "nearest", "pad", "backfill"];
const RANGE_KEYS = ["from", "to", "step"];
const RANGE_HINTS = {
  start: "label ranges are { from, to } (inclusive); { start, stop } are positions, for isel",
  stop: "label ranges are { from, to } (inclusive); { start, stop } are positions, for isel",
};
const SLICE_KEYS = ["start", "stop", "step"];
const SLICE_HINTS = {
  from: "{ from, to } are labels, for sel; isel takes positions { start, stop, step }",
  to: "{ from, to } are labels, for sel; isel takes positions { start, stop, step }",
};

/**
 * Check an index selection and turn it into the positions it picks per dimension
 * (`undefined` = the whole axis) and which dims it keeps.
 *
 * @throws GridError `INVALID_ARGUMENT`, `UNKNOWN_DIMENSION`, `OUT_OF_RANGE`
 */
export function resolveIsel(
  fn: string,
  dims: readonly string[],
  shape: readonly number[],
  selection: unknown,
  ctx: { file?: string; variable?: string },
): { picks: Array<number[] | undefined>; keep: boolean[] } {
  if (selection === undefined) selection = {};
  if (!isPlainObject(selection)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: selection must be an object { dim: index | { start, stop, step } | indices }; got ${describe(selection)}`,
      ctx,
    );
  }
  for (const d of Object.keys(selection)) {
    if (!dims.includes(d)) {
      throw new GridError(
        "UNKNOWN_DIMENSION",
        `${fn}: no dimension '${d}' (dims are ${dims.join(", ") || "none"})`,
        ctx,
      );
    }
  }
  const picks: Array<number[] | undefined> = [];
  const keep: boolean[] = [];
  dims.forEach((d, axis) => {
    const n = shape[axis];
    const s = (selection as Record<string, unknown>)[d];
    if (s === undefined) {
      picks.push(undefined);
      keep.push(true);
    } else if (typeof s === "number") {
      const k = s < 0 ? n + s : s;
      if (!Number.isInteger(k) || k < 0 || k >= n) {
        throw new GridError("OUT_OF_RANGE", `${fn}: index ${s} outside '${d}' (length ${n})`, ctx);
      }
      picks.push([k]);
      keep.push(false);
    } else if (isIndexArray(s)) {
      const out: number[] = [];
      for (const raw of Array.from(s as ArrayLike<unknown>)) {
        const k = typeof raw === "number" && raw < 0 ? n + raw : raw;
        if (typeof k !== "number" || !Number.isInteger(k) || k < 0 || k >= n) {
          throw new GridError(
            "OUT_OF_RANGE",
            `${fn}: index ${describe(raw)} outside '${d}' (length ${n})`,
            ctx,
          );
        }
        out.push(k);
      }
      picks.push(out);
      keep.push(true);
    } else if (isPlainObject(s)) {
      checkOptions(fn, `selection for '${d}'`, s, SLICE_KEYS, SLICE_HINTS);
      const step = s.step === undefined ? 1 : s.step;
      if (typeof step !== "number" || !Number.isInteger(step) || step === 0) {
        throw new GridError(
          "INVALID_ARGUMENT",
          `${fn}: step for '${d}' must be a nonzero integer; got ${describe(s.step)}`,
          ctx,
        );
      }
      for (const key of ["start", "stop"] as const) {
        const v = s[key];
        if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v))) {
          throw new GridError(
            "INVALID_ARGUMENT",
            `${fn}: ${key} for '${d}' must be an integer position; got ${describe(v)}`,
            ctx,
          );
        }
      }
      picks.push(
        slicePositions(n, s.start as number | undefined, s.stop as number | undefined, step),
      );
      keep.push(true);
    } else {
      throw new GridError(
        "INVALID_ARGUMENT",
        `${fn}: selection for '${d}' must be an integer, { start, stop, step } or an array of integers; got ${describe(s)}`,
        ctx,
      );
    }
  });
  return { picks, keep };
}

// Python slice semantics: clamp start/stop, walk by step.
function slicePositions(
  n: number,
  start: number | undefined,
  stop: number | undefined,
  step: number,
): number[] {
  const out: number[] = [];
  if (step > 0) {
    const lo = clampIndex(start ?? 0, n);
    const hi = clampIndex(stop ?? n, n);
    for (let i = lo; i < hi; i += step) out.push(i);
  } else {
    const lo = start === undefined ? n - 1 : Math.min(start < 0 ? n + start : start, n - 1);
    const hi = stop === undefined ? -1 : Math.max(stop < 0 ? n + stop : stop, -1);
    for (let i = lo; i > hi; i += step) out.push(i);
  }
  return out;
}

/**
 * Select by position along named dimensions (in memory). A number drops the dimension;
 * `{ start, stop, step }` keeps it (Python slice rules, negative positions count from the
 * end); index arrays may repeat or reorder positions.
 *
 * @throws GridError `INVALID_ARGUMENT`, `UNKNOWN_DIMENSION`, `OUT_OF_RANGE`
 */
export function isel<T extends ArrayData>(
  a: DataArray<T>,
  selection: Record<string, IndexSelector>,
): DataArray<T> {
  const { picks: maybe, keep } = resolveIsel("isel", a.dims, a.shape, selection, {
    variable: a.name,
  });
  const picks = maybe.map((p, axis) => p ?? range(0, a.shape[axis]));
  return gatherArray(a, picks, keep);
}

/** Take the outer product of per-axis positions of an array and its coordinates. */
export function gatherArray<T extends ArrayData>(
  a: DataArray<T>,
  picks: number[][],
  keep: boolean[],
): DataArray<T> {
  const identity = picks.every((p, i) => keep[i] && isRange(p, a.shape[i]));
  if (identity) return a;
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
  return new DataArray<T>({
    name: a.name,
    dims: a.dims.filter((_, i) => keep[i]),
    shape: picks.map((p) => p.length).filter((_, i) => keep[i]),
    data,
    coords,
    attrs: { ...a.attrs },
    encoding: { ...a.encoding },
  });
}

function isRange(p: number[], n: number): boolean {
  if (p.length !== n) return false;
  for (let i = 0; i < n; i++) if (p[i] !== i) return false;
  return true;
}

/**
 * Select by coordinate label along named dimensions (in memory), like xarray's `sel`:
 * single labels match exactly unless `method` says otherwise; `{ from, to }` is an
 * inclusive label range. Time labels may be ISO 8601 strings, `Date`s or CF date-times.
 * Longitude ranges wrap: `{ from: -30, to: 30 }` on a 0–360 grid picks 330…360 then 0…30
 * and relabels the result −30…30, and `{ from: 300, to: 20 }` is the box across the seam
 * (300…360, 0…20).
 *
 * @throws GridError `INVALID_ARGUMENT`, `UNKNOWN_DIMENSION`, `INVALID_SELECTION` (no 1-D
 *   coordinate, no such label — the message shows the labels as dates for time)
 */
export function sel<T extends ArrayData>(
  a: DataArray<T>,
  selection: Record<string, LabelSelector>,
  options: SelOptions = {},
): DataArray<T> {
  checkSelection("sel", selection, { variable: a.name });
  const opts = checkSelOptions("sel", options);
  const indexSel: Record<string, IndexSelector> = {};
  const relabel: Record<string, Float64Array> = {};
  for (const [dim, s] of Object.entries(selection)) {
    a.axis(dim);
    const coord = a.coord(dim);
    if (coord === undefined) {
      throw new GridError("INVALID_SELECTION", `sel: no 1-D coordinate for '${dim}'`, {
        variable: a.name,
      });
    }
    const r = labelIndices(coord, dim, s, opts, a.name);
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
    out = new DataArray<T>({
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

function checkSelection(
  fn: string,
  selection: unknown,
  ctx: { file?: string; variable?: string },
): void {
  if (!isPlainObject(selection)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: selection must be an object { dim: label | { from, to, step } | labels }; got ${describe(selection)}`,
      ctx,
    );
  }
}

function checkSelOptions(fn: string, options: unknown): SelOptions {
  const o = checkOptions(fn, "options", options, [...SEL_OPTIONS, "decode"]);
  if (o.decode !== undefined && fn === "sel") {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: unknown options key 'decode' (accepted: method, tolerance)`,
    );
  }
  const out: SelOptions = {};
  if (o.method !== undefined) out.method = checkChoice(fn, "options.method", o.method, SEL_METHODS);
  if (typeof o.tolerance === "string") {
    durationSeconds(fn, o.tolerance);
    out.tolerance = o.tolerance;
  } else if (o.tolerance !== undefined) {
    out.tolerance = checkNumber(fn, "options.tolerance", o.tolerance, 0);
  }
  return out;
}

/**
 * Read variable `name` of a lazy dataset by label: reads the coordinates, then only the
 * bounding hyperslab of the selection, then selects in memory. Same selectors and
 * options as {@link sel}, plus `decode`.
 *
 * @throws GridError as {@link sel}, plus `UNKNOWN_VARIABLE`
 */
export async function readSel(
  ds: Dataset,
  name: string,
  selection: Record<string, LabelSelector>,
  options: SelOptions & { decode?: boolean } = {},
): Promise<DataArray> {
  const v = ds.variable(name);
  const ctx = { file: ds.path, variable: name };
  checkSelection("readSel", selection, ctx);
  const opts = checkSelOptions("readSel", options);
  const bounds: Record<string, IndexRange> = {};
  const local: Record<string, IndexSelector> = {};
  const relabel: Record<string, Float64Array> = {};
  for (const [dim, s] of Object.entries(selection)) {
    if (!v.dims.includes(dim)) {
      throw new GridError(
        "UNKNOWN_DIMENSION",
        `readSel: no dimension '${dim}' (dims are ${v.dims.join(", ")})`,
        ctx,
      );
    }
    if (!ds.has(dim)) {
      throw new GridError("INVALID_SELECTION", `readSel: no coordinate variable '${dim}'`, ctx);
    }
    const coordArray = await ds.read(dim, { coords: true });
    const coord = coordArray.coords[dim] ?? {
      dims: [dim],
      values: coordArray.toFloat64(),
      attrs: coordArray.attrs as Record<string, never>,
    };
    const r = labelIndices(coord, dim, s, opts, name);
    const idx = typeof r.indices === "number" ? [r.indices] : r.indices;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const i of idx) {
      if (i < lo) lo = i;
      if (i > hi) hi = i;
    }
    bounds[dim] = { start: lo, stop: hi + 1 };
    local[dim] = typeof r.indices === "number" ? r.indices - lo : idx.map((i) => i - lo);
    if (r.relabel !== undefined) relabel[dim] = r.relabel;
  }
  const decode = options.decode ?? true;
  if (typeof decode !== "boolean") {
    throw new GridError(
      "INVALID_ARGUMENT",
      `readSel: options.decode must be true or false; got ${describe(decode)}`,
    );
  }
  const box = await ds.read(name, { isel: bounds, decode });
  const out = isel(box, local);
  if (Object.keys(relabel).length === 0) return out;
  const coords = { ...out.coords };
  for (const [dim, values] of Object.entries(relabel)) {
    if (coords[dim] !== undefined) coords[dim] = { ...coords[dim], values };
  }
  return new DataArray({
    name: out.name,
    data: out.data,
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
  s: unknown,
  options: SelOptions,
  variable: string,
): { indices: number | number[]; relabel?: Float64Array } {
  const ctx = { variable };
  const where = "sel";
  if (Array.isArray(coord.values)) return stringIndices(coord.values, dim, s, ctx);
  const values = coord.values;
  const lon = isLongitude(dim, coord);
  if (isLabel(s)) {
    const { value, end } = labelValue(coord, dim, s, where);
    if (end !== undefined) {
      // A partial date ("2001", "2001-03") is the whole period, and keeps the dimension.
      const indices: number[] = [];
      for (let i = 0; i < values.length; i++)
        if (values[i] >= value && values[i] < end) indices.push(i);
      if (indices.length === 0) {
        throw new GridError(
          "INVALID_SELECTION",
          `sel: no '${dim}' label in ${String(s)} (${describeLabels(coord)})`,
          ctx,
        );
      }
      return { indices };
    }
    const target = lon ? wrapNear(value, values) : value;
    return { indices: matchIndex(coord, target, options, dim, ctx, s) };
  }
  if (isIndexArray(s)) {
    return {
      indices: Array.from(s as ArrayLike<unknown>, (x) => {
        const { value } = labelValue(coord, dim, x, where);
        return matchIndex(coord, lon ? wrapNear(value, values) : value, options, dim, ctx, x);
      }),
    };
  }
  if (!isPlainObject(s)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `sel: selection for '${dim}' must be a label, { from, to, step } or a list of labels; got ${describe(s)}`,
      ctx,
    );
  }
  checkOptions("sel", `selection for '${dim}'`, s, RANGE_KEYS, RANGE_HINTS);
  const step = s.step === undefined ? 1 : s.step;
  if (typeof step !== "number" || !Number.isInteger(step) || step === 0) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `sel: step for '${dim}' must be a nonzero integer; got ${describe(s.step)}`,
      ctx,
    );
  }
  const lo = s.from === undefined ? undefined : labelValue(coord, dim, s.from, where);
  const hi = s.to === undefined ? undefined : labelValue(coord, dim, s.to, where);
  const from = lo === undefined ? Number.NEGATIVE_INFINITY : lo.value;
  // An inclusive range ends at the end of a partial date ("to: 2003" includes all of 2003).
  const toEnd = hi?.end !== undefined;
  const to = hi === undefined ? Number.POSITIVE_INFINITY : (hi.end ?? hi.value);
  const inRange = (v: number, a: number, b: number) => v >= a && (toEnd ? v < b : v <= b);
  if (lon && Number.isFinite(from) && Number.isFinite(to)) {
    // from > to on a longitude is the box across the seam: 300 → 20 is 300…360, 0…20.
    const end = to < from ? to + 360 : to;
    if (end - from <= 360) {
      // Walk the requested interval in the grid's own convention, then relabel in the caller's.
      const picked: Array<[number, number]> = [];
      values.forEach((v, i) => {
        const shifted = from + mod(v - from, 360);
        if (shifted <= end) picked.push([shifted, i]);
      });
      picked.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      // A cyclic grid stores the seam twice (0° and 360°); keep one copy once relabelled.
      for (let k = picked.length - 1; k > 0; k--) {
        if (Math.abs(picked[k][0] - picked[k - 1][0]) < 1e-9) picked.splice(k, 1);
      }
      if (picked.length === 0) {
        throw new GridError(
          "INVALID_SELECTION",
          `sel: no '${dim}' label in [${from}, ${to}] (${describeLabels(coord)})`,
          ctx,
        );
      }
      const stepped = applyStep(picked, step);
      // Across the seam, relabel into the caller's convention: 300…380 reads 300…359, 0…20
      // on a 0–360 caller, 170…190 reads 170…179, −180…−170 on a −180–180 caller.
      const seam = from < 0 || to < 0 ? 180 : 360;
      const relabel = Float64Array.from(stepped, (p) =>
        to < from && p[0] >= seam ? p[0] - 360 : p[0],
      );
      return { indices: stepped.map((p) => p[1]), relabel };
    }
  }
  const indices: number[] = [];
  const a = Math.min(from, to);
  const b = Math.max(from, to);
  values.forEach((v, i) => {
    if (inRange(v, a, b)) indices.push(i);
  });
  if (indices.length === 0) {
    throw new GridError(
      "INVALID_SELECTION",
      `sel: no '${dim}' label in [${formatLabel(coord, from)}, ${formatLabel(coord, to)}] (${describeLabels(coord)})`,
      ctx,
    );
  }
  // A descending coordinate with from > to (xarray style) keeps file order either way.
  return { indices: applyStep(indices, step) };
}

function applyStep<T>(items: T[], step: number): T[] {
  const src = step < 0 ? [...items].reverse() : items;
  const k = Math.abs(step);
  return k === 1 ? src : src.filter((_, i) => i % k === 0);
}

function stringIndices(
  values: string[],
  dim: string,
  s: unknown,
  ctx: { variable: string },
): { indices: number | number[] } {
  const find = (x: unknown): number => {
    const i = typeof x === "string" ? values.indexOf(x) : -1;
    if (i < 0) {
      throw new GridError(
        "INVALID_SELECTION",
        `sel: no '${dim}' label ${describe(x)} (labels: ${values
          .slice(0, 8)
          .map((v) => JSON.stringify(v))
          .join(", ")}${values.length > 8 ? ", …" : ""})`,
        ctx,
      );
    }
    return i;
  };
  if (typeof s === "string") return { indices: find(s) };
  if (isIndexArray(s)) return { indices: Array.from(s as ArrayLike<unknown>, find) };
  throw new GridError(
    "INVALID_SELECTION",
    `sel: '${dim}' has string labels; select with a string or a list of strings, got ${describe(s)}`,
    ctx,
  );
}

/** "labels run from A to B" for messages, dates decoded. */
function describeLabels(coord: Coordinate): string {
  const v = coord.values as Float64Array;
  if (v.length === 0) return "no labels";
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return `${v.length} labels from ${formatLabel(coord, lo)} to ${formatLabel(coord, hi)}`;
}

function matchIndex(
  coord: Coordinate,
  target: number,
  options: SelOptions,
  dim: string,
  ctx: { variable: string },
  label: unknown,
): number {
  const values = coord.values as Float64Array;
  const method = options.method ?? "exact";
  let best = -1;
  let bestDist = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (method === "pad" && v > target) continue;
    if (method === "backfill" && v < target) continue;
    const d = Math.abs(v - target);
    // Ties go to the later label (the larger one on an ascending axis), as pandas/xarray do.
    if (d <= bestDist) {
      bestDist = d;
      best = i;
    }
  }
  // "exact" forgives only the rounding of decoded floats (a relative 1e-12).
  const tol =
    typeof options.tolerance === "string"
      ? durationInUnits(options.tolerance, coord, dim)
      : (options.tolerance ??
        (method === "exact" ? 1e-12 * Math.max(1, Math.abs(target)) : Number.POSITIVE_INFINITY));
  if (best < 0 || bestDist > tol) {
    const shown = labelText(label, coord, target);
    const how =
      method === "exact"
        ? `equal to ${shown}; pass { method: "nearest" } (optionally with a tolerance) to take the closest`
        : best < 0
          ? `${method === "pad" ? "at or before" : "at or after"} ${shown}`
          : `within ${options.tolerance} of ${shown} (closest is ${formatLabel(coord, values[best])})`;
    throw new GridError(
      "INVALID_SELECTION",
      `sel: no '${dim}' label ${how} (${describeLabels(coord)})`,
      ctx,
    );
  }
  return best;
}

function labelText(label: unknown, coord: Coordinate, target: number): string {
  if (typeof label === "string") return label;
  if (typeof label === "number") {
    const decoded = formatLabel(coord, label);
    return decoded === String(label) ? decoded : `${label} (${decoded})`;
  }
  if (label instanceof Date) return label.toISOString();
  return formatLabel(coord, target);
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

function isIndexArray(x: unknown): x is readonly unknown[] {
  return Array.isArray(x) || ArrayBuffer.isView(x);
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function clampIndex(i: number, n: number): number {
  const k = i < 0 ? n + i : i;
  return Math.min(Math.max(k, 0), n);
}

/**
 * Gather the outer product of per-axis index lists out of a row-major array. Rows of the
 * last axis that are a contiguous run are block-copied.
 */
function gather<T extends ArrayData | unknown[]>(
  data: T,
  shape: readonly number[],
  picks: number[][],
): T {
  const n = sizeOf(picks.map((p) => p.length));
  const typed = ArrayBuffer.isView(data);
  const out = (typed ? new (data.constructor as new (n: number) => T)(n) : new Array(n)) as T;
  const rank = shape.length;
  if (rank === 0) {
    (out as unknown as unknown[])[0] = (data as unknown as unknown[])[0];
    return out;
  }
  if (n === 0) return out;
  const strides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const last = picks[rank - 1];
  const m = last.length;
  let contiguous = true;
  for (let j = 1; j < m; j++) if (last[j] !== last[0] + j) contiguous = false;
  const src = data as unknown as {
    [i: number]: unknown;
    subarray?: (a: number, b: number) => unknown;
  };
  const dst = out as unknown as { [i: number]: unknown; set?: (x: unknown, o: number) => void };
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < n; o += m) {
    let base = 0;
    for (let i = 0; i < rank - 1; i++) base += picks[i][idx[i]] * strides[i];
    if (typed && contiguous) {
      const start = base + last[0];
      dst.set!(src.subarray!(start, start + m), o);
    } else if (data instanceof Float32Array) {
      copyRow32(out as unknown as Float32Array, data, o, base, last);
    } else if (data instanceof Float64Array) {
      copyRow64(out as unknown as Float64Array, data, o, base, last);
    } else {
      for (let j = 0; j < m; j++) dst[o + j] = src[base + last[j]];
    }
    for (let i = rank - 2; i >= 0; i--) {
      idx[i]++;
      if (idx[i] < picks[i].length) break;
      idx[i] = 0;
    }
  }
  return out;
}

// One copy loop per element type keeps each loop monomorphic (a shared loop over every
// typed array kind runs several times slower).
function copyRow32(
  dst: Float32Array,
  src: Float32Array,
  o: number,
  base: number,
  last: number[],
): void {
  for (let j = 0; j < last.length; j++) dst[o + j] = src[base + last[j]];
}

function copyRow64(
  dst: Float64Array,
  src: Float64Array,
  o: number,
  base: number,
  last: number[],
): void {
  for (let j = 0; j < last.length; j++) dst[o + j] = src[base + last[j]];
}

const DURATION_SECONDS: Record<string, number> = {
  d: 86400,
  day: 86400,
  days: 86400,
  h: 3600,
  hour: 3600,
  hours: 3600,
  min: 60,
  minute: 60,
  minutes: 60,
  t: 60,
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
};

/** Seconds of a duration like "15D", "6h", "30 min", "90s". */
function durationSeconds(fn: string, text: string): number {
  const m = /^\s*(\d+(?:\.\d*)?)\s*([A-Za-z]+)\s*$/.exec(text);
  const unit = m === null ? undefined : DURATION_SECONDS[m[2].toLowerCase()];
  if (m === null || unit === undefined) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: options.tolerance ${JSON.stringify(text)} is not a duration like "15D", "6h", "30min" or "90s"`,
    );
  }
  return Number(m[1]) * unit;
}

const UNIT_SECONDS: Record<string, number> = {
  microseconds: 1e-6,
  milliseconds: 1e-3,
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
};

/** A duration in the units of a time coordinate. */
function durationInUnits(text: string, coord: Coordinate, dim: string): number {
  const units = attrString(coord.attrs, "units");
  const unit = units === undefined || !isTimeUnits(units) ? undefined : parseTimeUnits(units).unit;
  const per = unit === undefined ? undefined : UNIT_SECONDS[unit];
  if (per === undefined) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `sel: a duration tolerance needs a time coordinate in seconds…days; '${dim}' has units ${JSON.stringify(units ?? "none")}`,
    );
  }
  return durationSeconds("sel", text) / per;
}
