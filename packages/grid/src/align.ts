/**
 * Label alignment — the one path every operation that combines arrays goes through
 * (binary operations, `where`, masks, weights, anomalies, tables, concat and merge).
 * Arrays are matched by the labels of their shared dimensions, never by position alone:
 * a mask stored north-to-south lines up with data stored south-to-north.
 */
import { checkChoice, checkOptions } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { formatLabel } from "./labels.js";
import { encodeTime, formatCFDatetime, isTimeUnits } from "./time.js";
import { type ArrayData, attrString } from "./types.js";

/**
 * How labels of a shared dimension are combined (xarray's `join`):
 * `"exact"` (default) — the same labels in any order, otherwise an error;
 * `"inner"` — labels in both; `"outer"` — labels in either (missing cells are NaN);
 * `"left"` — the first array's labels (cells the second lacks are NaN).
 */
export type Join = "exact" | "inner" | "outer" | "left";

/** Options of {@link align}. */
export interface AlignOptions {
  /** How labels combine (default `"exact"`). */
  join?: Join;
}

export const JOINS: readonly Join[] = ["exact", "inner", "outer", "left"];

/** Check an `{ join }` option bag (possibly with other allowed keys). */
export function checkJoin(fn: string, options: unknown, extra: readonly string[] = []): Join {
  const o = checkOptions(fn, "options", options, ["join", ...extra]);
  return o.join === undefined ? "exact" : checkChoice(fn, "options.join", o.join, JOINS);
}

/** The label keys of `dim` in `a` (numbers, or strings for dates and text), or undefined. */
function labelsOf(
  a: DataArray,
  dim: string,
): { keys: Array<number | string>; coord: Coordinate } | undefined {
  const c = a.coord(dim);
  if (c === undefined || c.dims.length !== 1) return undefined;
  if (c.times !== undefined) {
    // Dates compare as dates, so arrays with different time units still line up.
    return { keys: c.times.map((t) => `${formatCFDatetime(t)} ${t.calendar}`), coord: c };
  }
  return { keys: Array.from(c.values as ArrayLike<number | string>), coord: c };
}

function showKey(coord: Coordinate, key: number | string, i: number): string {
  if (coord.times !== undefined) return formatLabel(coord, (coord.values as Float64Array)[i]);
  return formatLabel(coord, key);
}

/** Map label → position; undefined when labels repeat (then only identical order aligns). */
function indexOf(keys: Array<number | string>): Map<number | string, number> | undefined {
  const m = new Map<number | string, number>();
  for (let i = 0; i < keys.length; i++) {
    if (m.has(keys[i])) return undefined;
    m.set(keys[i], i);
  }
  return m;
}

function sameSequence(x: ArrayLike<number | string>, y: ArrayLike<number | string>): boolean {
  if (x === y) return true;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Positions (−1 = missing) into each array giving the joined labels of one dimension. */
interface DimPlan {
  dim: string;
  a: Int32Array | undefined; // undefined = identity
  b: Int32Array | undefined;
  coord: Coordinate | undefined; // coordinate of the joined axis (from a, b or both)
  length: number;
}

function planDim(fn: string, a: DataArray, b: DataArray, dim: string, join: Join): DimPlan {
  // Fast path: the same numeric labels in the same units (the usual case) need no keys.
  const ca = a.coord(dim);
  const cb = b.coord(dim);
  if (
    ca !== undefined &&
    cb !== undefined &&
    ca.dims.length === 1 &&
    cb.dims.length === 1 &&
    ca.values instanceof Float64Array &&
    cb.values instanceof Float64Array &&
    ca.attrs.units === cb.attrs.units &&
    ca.attrs.calendar === cb.attrs.calendar &&
    sameSequence(ca.values, cb.values)
  ) {
    return { dim, a: undefined, b: undefined, coord: ca, length: ca.values.length };
  }
  const la = labelsOf(a, dim);
  const lb = labelsOf(b, dim);
  const na = a.shape[a.axis(dim)];
  const nb = b.shape[b.axis(dim)];
  if (la === undefined || lb === undefined) {
    // Without labels on one side only the lengths can be checked (as xarray does).
    if (na !== nb) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `${fn}: dimension '${dim}' has length ${na} in '${a.name}' but ${nb} in '${b.name}', and no labels to align them by`,
      );
    }
    return { dim, a: undefined, b: undefined, coord: (la ?? lb)?.coord, length: na };
  }
  if (sameSequence(la.keys, lb.keys))
    return { dim, a: undefined, b: undefined, coord: la.coord, length: na };
  const ma = indexOf(la.keys);
  const mb = indexOf(lb.keys);
  if (ma === undefined || mb === undefined) {
    throw new GridError(
      "SHAPE_MISMATCH",
      `${fn}: '${dim}' labels repeat in '${(ma === undefined ? a : b).name}' and differ between '${a.name}' and '${b.name}', so they cannot be aligned`,
    );
  }
  const firstMissing = (from: typeof la, other: Map<number | string, number>): number =>
    from.keys.findIndex((k) => !other.has(k));
  if (join === "exact") {
    const ia = firstMissing(la, mb);
    const ib = firstMissing(lb, ma);
    if (ia >= 0 || ib >= 0 || na !== nb) {
      const [who, other, coord, i] =
        ia >= 0 ? [a.name, b.name, la.coord, ia] : [b.name, a.name, lb.coord, ib];
      const label = showKey(coord, (ia >= 0 ? la : lb).keys[i], i);
      throw new GridError(
        "SHAPE_MISMATCH",
        `${fn}: labels of '${dim}' differ: '${who}' has ${label} which '${other}' lacks; pass { join: "inner" | "outer" | "left" } to combine them anyway`,
      );
    }
    // Same labels, another order: read b in a's order.
    return {
      dim,
      a: undefined,
      b: Int32Array.from(la.keys, (k) => mb.get(k)!),
      coord: la.coord,
      length: na,
    };
  }
  let keys: Array<number | string>;
  if (join === "left") keys = la.keys;
  else if (join === "inner") keys = la.keys.filter((k) => mb.has(k));
  else {
    keys = [...la.keys, ...lb.keys.filter((k) => !ma.has(k))];
    // An outer join sorts the union like pandas does when both sides are monotonic numbers.
    if (keys.every((k) => typeof k === "number")) (keys as number[]).sort((x, y) => x - y);
    else if (la.coord.times !== undefined) keys.sort();
  }
  const pa = Int32Array.from(keys, (k) => ma.get(k) ?? -1);
  const pb = Int32Array.from(keys, (k) => mb.get(k) ?? -1);
  const coord = joinedCoord(la.coord, lb.coord, pa, pb);
  return { dim, a: pa, b: pb, coord, length: keys.length };
}

function joinedCoord(ca: Coordinate, cb: Coordinate, pa: Int32Array, pb: Int32Array): Coordinate {
  const pick = <T>(xa: ArrayLike<T>, xb: ArrayLike<T>, i: number): T =>
    pa[i] >= 0 ? xa[pa[i]] : xb[pb[i]];
  const n = pa.length;
  let values: Float64Array | string[];
  if (Array.isArray(ca.values))
    values = Array.from({ length: n }, (_, i) =>
      pick(ca.values as string[], cb.values as string[], i),
    );
  else {
    // Positions from b are re-encoded in a's time units when they differ.
    const va = ca.values as Float64Array;
    const vb = cb.values as Float64Array;
    values = Float64Array.from({ length: n }, (_, i) => pick(va, vb, i));
    const units = ca.attrs.units;
    if (
      ca.times !== undefined &&
      cb.times !== undefined &&
      units !== cb.attrs.units &&
      isTimeUnits(units)
    ) {
      for (let i = 0; i < n; i++)
        if (pa[i] < 0)
          values[i] = encodeTime(cb.times[pb[i]], units, attrString(ca.attrs, "calendar"));
    }
  }
  const out: Coordinate = { dims: [...ca.dims], values, attrs: { ...ca.attrs } };
  if (ca.times !== undefined && cb.times !== undefined) {
    out.times = Array.from({ length: n }, (_, i) => pick(ca.times!, cb.times!, i));
  }
  return out;
}

/**
 * Reindex `a` along several dims by positions (−1 = a missing label, filled with NaN; an
 * integer array becomes float64 to hold it). Coordinates of those dims are replaced.
 */
export function reindexPositions(
  a: DataArray,
  plans: ReadonlyArray<{
    dim: string;
    positions: Int32Array | undefined;
    coord: Coordinate | undefined;
  }>,
): DataArray {
  const active = plans.filter((p) => p.positions !== undefined);
  if (active.length === 0) return a;
  const picks: Int32Array[] = a.dims.map((d, i) => {
    const p = active.find((x) => x.dim === d);
    return p?.positions ?? Int32Array.from({ length: a.shape[i] }, (_, k) => k);
  });
  const shape = picks.map((p) => p.length);
  const missing = picks.some((p) => p.some((k) => k < 0));
  const src = a.data;
  let out: ArrayData;
  if (Array.isArray(src)) {
    out = gatherFill(src, a.shape, picks, new Array<string>(sizeOfShape(shape)), "");
  } else if (missing && !(src instanceof Float32Array || src instanceof Float64Array)) {
    out = gatherFill(
      a.toFloat64(),
      a.shape,
      picks,
      new Float64Array(sizeOfShape(shape)),
      Number.NaN,
    );
  } else {
    const ctor = src.constructor as new (n: number) => typeof src;
    out = gatherFill(
      src as Float64Array,
      a.shape,
      picks,
      new ctor(sizeOfShape(shape)) as Float64Array,
      Number.NaN,
    );
  }
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) {
    const moved = active.find((p) => c.dims.includes(p.dim));
    if (moved === undefined) coords[k] = c;
    else if (c.dims.length === 1 && moved.coord !== undefined && c === a.coord(moved.dim))
      coords[k] = moved.coord;
    // Other coordinates over a reindexed dim (2-D lat/lon) cannot follow a partial reindex.
    else if (active.every((p) => !p.positions!.some((x) => x < 0)))
      coords[k] = gatherCoord(c, a, picks);
  }
  return new DataArray({
    name: a.name,
    dims: [...a.dims],
    shape,
    data: out,
    coords,
    attrs: { ...a.attrs },
    encoding: { ...a.encoding },
  });
}

function gatherCoord(c: Coordinate, a: DataArray, picks: Int32Array[]): Coordinate {
  const cshape = c.dims.map((d) => a.shape[a.axis(d)]);
  const cpicks = c.dims.map((d) => picks[a.axis(d)]);
  const n = sizeOfShape(cpicks.map((p) => p.length));
  const values = Array.isArray(c.values)
    ? gatherFill(c.values, cshape, cpicks, new Array<string>(n), "")
    : gatherFill(c.values, cshape, cpicks, new Float64Array(n), Number.NaN);
  const out: Coordinate = { dims: [...c.dims], values, attrs: c.attrs };
  if (c.times !== undefined)
    out.times = gatherFill(c.times, cshape, cpicks, new Array(n), c.times[0]);
  return out;
}

function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Outer-product gather with fill for position −1. */
export function gatherFill<T, O extends { [i: number]: T; length: number }>(
  src: ArrayLike<T>,
  shape: readonly number[],
  picks: ArrayLike<number>[],
  out: O,
  fill: T,
): O {
  const rank = shape.length;
  const n = out.length;
  if (n === 0) return out;
  if (rank === 0) {
    out[0] = src[0];
    return out;
  }
  const strides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const idx = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const lastPick = picks[last];
  const lastLen = lastPick.length;
  const lastStride = strides[last];
  for (let o = 0; o < n; o += lastLen) {
    let base = 0;
    let hole = false;
    for (let i = 0; i < last; i++) {
      const p = picks[i][idx[i]];
      if (p < 0) hole = true;
      base += p * strides[i];
    }
    for (let j = 0; j < lastLen; j++) {
      const p = lastPick[j];
      out[o + j] = hole || p < 0 ? fill : src[base + p * lastStride];
    }
    for (let i = last - 1; i >= 0; i--) {
      idx[i]++;
      if (idx[i] < picks[i].length) break;
      idx[i] = 0;
    }
  }
  return out;
}

/**
 * Align two arrays by the labels of the dimensions they share (xarray's `xr.align`):
 * returns both reindexed so their shared dims carry the same labels in the same order.
 * Dimensions only one array has are left alone (they broadcast later).
 *
 * @throws GridError `SHAPE_MISMATCH` naming the dimension and the first differing label
 *   when `join` is `"exact"` (default) and the labels differ
 */
export function align<A extends ArrayData, B extends ArrayData>(
  a: DataArray<A>,
  b: DataArray<B>,
  options: AlignOptions = {},
): [DataArray<A | Float64Array>, DataArray<B | Float64Array>] {
  const join = checkJoin("align", options);
  return alignPair("align", a, b, join) as [
    DataArray<A | Float64Array>,
    DataArray<B | Float64Array>,
  ];
}

/** {@link align} for internal callers that name themselves in errors. */
export function alignPair(
  fn: string,
  a: DataArray,
  b: DataArray,
  join: Join,
): [DataArray, DataArray] {
  checkArray(fn, "first array", a);
  checkArray(fn, "second array", b);
  const shared = a.dims.filter((d) => b.dims.includes(d));
  const plans = shared.map((d) => planDim(fn, a, b, d, join));
  const ra = reindexPositions(
    a,
    plans.map((p) => ({ dim: p.dim, positions: p.a, coord: p.coord })),
  );
  const rb = reindexPositions(
    b,
    plans.map((p) => ({ dim: p.dim, positions: p.b, coord: p.coord })),
  );
  return [ra, rb];
}

/**
 * Reindex `source` onto `target`'s labels on every dim they share (exact by default: the
 * same labels, any order). Used for masks, weights and conditions, whose dims must be a
 * subset of the target's.
 *
 * @throws GridError `SHAPE_MISMATCH` when `source` has a dim `target` lacks or labels differ
 */
export function alignTo(fn: string, target: DataArray, source: DataArray, role: string): DataArray {
  checkArray(fn, role, source);
  const extra = source.dims.filter((d) => !target.dims.includes(d));
  if (extra.length > 0) {
    throw new GridError(
      "SHAPE_MISMATCH",
      `${fn}: ${role} '${source.name}' has dimension${extra.length > 1 ? "s" : ""} ${extra.map((d) => `'${d}'`).join(", ")} that '${target.name}' (${target.dims.join(", ")}) lacks`,
    );
  }
  return alignPair(fn, target, source, "exact")[1];
}

/** Check that `x` is a DataArray (plain JS callers can pass anything). */
export function checkArray(fn: string, role: string, x: unknown): asserts x is DataArray {
  if (!(x instanceof DataArray)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: ${role} must be a DataArray; got ${x === null ? "null" : typeof x}`,
    );
  }
}
