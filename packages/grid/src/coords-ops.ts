/**
 * Coordinate and layout operations, as in xarray: `rename`, `assignCoords`,
 * `assignAttrs`, `swapDims`, `sortby`, `roll`, `transpose`, `squeeze`, `expandDims`.
 * None of them changes values, so attributes and encoding are kept.
 */
import { checkDims, checkInteger, checkOptions, describe, isPlainObject } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { gatherArray } from "./select.js";
import type { ArrayData, Attrs } from "./types.js";

function check(fn: string, a: unknown): void {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `${fn}: expected a DataArray; got ${describe(a)}`);
}

function rebuild<T extends ArrayData>(
  a: DataArray<T>,
  changes: Partial<{
    name: string;
    dims: string[];
    shape: number[];
    data: T;
    coords: Record<string, Coordinate>;
    attrs: Attrs;
  }>,
): DataArray<T> {
  return new DataArray<T>({
    name: changes.name ?? a.name,
    dims: changes.dims ?? [...a.dims],
    shape: changes.shape ?? [...a.shape],
    data: changes.data ?? a.data,
    coords: changes.coords ?? { ...a.coords },
    attrs: changes.attrs ?? { ...a.attrs },
    encoding: { ...a.encoding },
  });
}

/**
 * Rename dims, coordinates and/or the array itself: `rename(a, { lat: "latitude" })`
 * renames a dim and its coordinate; `rename(a, "sst_anom")` renames the array.
 */
export function rename<T extends ArrayData>(
  a: DataArray<T>,
  names: string | Record<string, string>,
): DataArray<T> {
  check("rename", a);
  if (typeof names === "string") return rebuild(a, { name: names });
  if (!isPlainObject(names))
    throw new GridError(
      "INVALID_ARGUMENT",
      `rename: names must be a string or { old: new }; got ${describe(names)}`,
    );
  for (const [k, v] of Object.entries(names)) {
    if (typeof v !== "string")
      throw new GridError(
        "INVALID_ARGUMENT",
        `rename: new name for '${k}' must be a string; got ${describe(v)}`,
      );
    if (!a.dims.includes(k) && a.coords[k] === undefined) {
      throw new GridError(
        "INVALID_ARGUMENT",
        `rename: '${k}' is neither a dim nor a coordinate of '${a.name}' (dims ${a.dims.join(", ")}; coordinates ${Object.keys(a.coords).join(", ") || "none"})`,
      );
    }
  }
  const map = (d: string) => (names as Record<string, string>)[d] ?? d;
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) coords[map(k)] = { ...c, dims: c.dims.map(map) };
  return rebuild(a, { dims: a.dims.map(map), coords });
}

/**
 * Add or replace coordinates: `{ name: values }` for a 1-D coordinate over the dim of the
 * same name, or `{ name: { dims, values, attrs } }`.
 */
export function assignCoords<T extends ArrayData>(
  a: DataArray<T>,
  coords: Record<string, Coordinate | ArrayLike<number> | string[]>,
): DataArray<T> {
  check("assignCoords", a);
  if (!isPlainObject(coords))
    throw new GridError(
      "INVALID_ARGUMENT",
      `assignCoords: coords must be { name: values | coordinate }; got ${describe(coords)}`,
    );
  const out: Record<string, Coordinate> = { ...a.coords };
  for (const [k, c] of Object.entries(coords)) {
    if (Array.isArray(c) || ArrayBuffer.isView(c)) {
      if (!a.dims.includes(k))
        throw new GridError(
          "INVALID_ARGUMENT",
          `assignCoords: '${k}' is not a dim; give { dims, values, attrs }`,
        );
      const values =
        Array.isArray(c) && typeof c[0] === "string"
          ? (c as string[])
          : Float64Array.from(c as ArrayLike<number>, Number);
      // A replaced time coordinate keeps its units only if given anew.
      out[k] = { dims: [k], values, attrs: {} };
    } else if (isPlainObject(c) && Array.isArray((c as Coordinate).dims)) {
      const { times: _drop, ...rest } = c as Coordinate;
      out[k] = { ...rest, attrs: (c as Coordinate).attrs ?? {} };
      if ((c as Coordinate).times !== undefined) out[k].times = (c as Coordinate).times;
    } else {
      throw new GridError(
        "INVALID_ARGUMENT",
        `assignCoords: coordinate '${k}' must be values or { dims, values, attrs }; got ${describe(c)}`,
      );
    }
  }
  return rebuild(a, { coords: out });
}

/** Add or replace attributes (xarray's `assign_attrs`). */
export function assignAttrs<T extends ArrayData>(a: DataArray<T>, attrs: Attrs): DataArray<T> {
  check("assignAttrs", a);
  if (!isPlainObject(attrs))
    throw new GridError(
      "INVALID_ARGUMENT",
      `assignAttrs: attrs must be an object; got ${describe(attrs)}`,
    );
  return rebuild(a, { attrs: { ...a.attrs, ...attrs } });
}

/**
 * Replace a dim by another 1-D coordinate over it (xarray's `swap_dims`):
 * `swapDims(a, { station: "station_id" })`.
 */
export function swapDims<T extends ArrayData>(
  a: DataArray<T>,
  swaps: Record<string, string>,
): DataArray<T> {
  check("swapDims", a);
  if (!isPlainObject(swaps))
    throw new GridError(
      "INVALID_ARGUMENT",
      `swapDims: expected { dim: coordinate }; got ${describe(swaps)}`,
    );
  let dims = [...a.dims];
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) coords[k] = c;
  for (const [dim, name] of Object.entries(swaps)) {
    a.axis(dim);
    const c = a.coords[name];
    if (c === undefined || c.dims.length !== 1 || c.dims[0] !== dim) {
      throw new GridError(
        "INVALID_ARGUMENT",
        `swapDims: '${name}' is not a 1-D coordinate over '${dim}'`,
      );
    }
    dims = dims.map((d) => (d === dim ? name : d));
    for (const [k, cc] of Object.entries(coords))
      coords[k] = { ...cc, dims: cc.dims.map((d) => (d === dim ? name : d)) };
  }
  return rebuild(a, { dims, coords });
}

/** Sort along `dim` by its coordinate values (xarray's `sortby`); `ascending: false` reverses. */
export function sortby<T extends ArrayData>(
  a: DataArray<T>,
  dim: string,
  options: { ascending?: boolean } = {},
): DataArray {
  check("sortby", a);
  const o = checkOptions("sortby", "options", options, ["ascending"]);
  const axis = a.axis(dim);
  const c = a.coord(dim);
  if (c === undefined)
    throw new GridError("INVALID_ARGUMENT", `sortby: '${dim}' has no coordinate to sort by`);
  const v = c.values as ArrayLike<number | string>;
  const order = Array.from({ length: v.length }, (_, i) => i).sort((i, j) =>
    v[i] < v[j] ? -1 : v[i] > v[j] ? 1 : i - j,
  );
  if (o.ascending === false) order.reverse();
  const picks = a.shape.map((n, i) =>
    i === axis ? order : Array.from({ length: n }, (_, k) => k),
  );
  return gatherArray(
    a,
    picks,
    a.dims.map(() => true),
  );
}

/**
 * Roll values by `{ dim: k }` positions, wrapping around (xarray's `roll`). Labels stay put
 * unless `rollCoords: true` (then values and labels move together).
 */
export function roll<T extends ArrayData>(
  a: DataArray<T>,
  shifts: Record<string, number>,
  options: { rollCoords?: boolean } = {},
): DataArray {
  check("roll", a);
  const o = checkOptions("roll", "options", options, ["rollCoords"]);
  if (!isPlainObject(shifts))
    throw new GridError(
      "INVALID_ARGUMENT",
      `roll: shifts must be { dim: integer }; got ${describe(shifts)}`,
    );
  const picks = a.shape.map((n) => Array.from({ length: n }, (_, k) => k));
  for (const [dim, k] of Object.entries(shifts)) {
    const axis = a.axis(dim);
    checkInteger("roll", `shifts.${dim}`, k);
    const n = a.shape[axis];
    picks[axis] = Array.from({ length: n }, (_, i) => (((i - k) % n) + n) % n);
  }
  const rolled = gatherArray(
    a,
    picks,
    a.dims.map(() => true),
  );
  if (o.rollCoords === true) return rolled;
  return rebuild(rolled, { coords: { ...a.coords } });
}

/** Reorder dims (xarray's `transpose`); omitted dims keep their order after the given ones. */
export function transpose<T extends ArrayData>(a: DataArray<T>, ...dims: string[]): DataArray<T> {
  check("transpose", a);
  const given = checkDims("transpose", "dims", dims);
  for (const d of given) a.axis(d);
  const order = [...given, ...a.dims.filter((d) => !given.includes(d))];
  if (order.every((d, i) => d === a.dims[i])) return a;
  const perm = order.map((d) => a.axis(d));
  const shape = perm.map((p) => a.shape[p]);
  const st = a.strides;
  const srcStrides = perm.map((p) => st[p]);
  const src = a.data;
  const n = a.size;
  const out = (
    Array.isArray(src)
      ? new Array<string>(n)
      : new (src.constructor as new (k: number) => typeof src)(n)
  ) as typeof src;
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let k = 0; k < idx.length; k++) off += idx[k] * srcStrides[k];
    (out as unknown as unknown[])[i] = (src as unknown as unknown[])[off];
    for (let k = idx.length - 1; k >= 0; k--) {
      idx[k]++;
      if (idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) {
    if (c.dims.length <= 1) coords[k] = c;
    else {
      // Multi-dim coordinates follow the new order of their dims.
      const cd = order.filter((d) => c.dims.includes(d));
      if (cd.every((d, i) => d === c.dims[i])) coords[k] = c;
      else {
        const sub = transpose(
          new DataArray({
            name: k,
            dims: c.dims,
            shape: c.dims.map((d) => a.shape[a.axis(d)]),
            data: c.values,
          }),
          ...cd,
        );
        coords[k] = { ...c, dims: cd, values: sub.data as Float64Array | string[] };
      }
    }
  }
  return rebuild(a, { dims: order, shape, data: out, coords });
}

/** Drop length-1 dims (all, or the named ones), keeping their coordinates as scalars. */
export function squeeze<T extends ArrayData>(
  a: DataArray<T>,
  dims?: string | string[],
): DataArray<T> {
  check("squeeze", a);
  const names =
    dims === undefined
      ? a.dims.filter((_, i) => a.shape[i] === 1)
      : checkDims("squeeze", "dims", dims);
  for (const d of names) {
    if (a.shape[a.axis(d)] !== 1)
      throw new GridError(
        "INVALID_ARGUMENT",
        `squeeze: '${d}' has length ${a.shape[a.axis(d)]}, not 1`,
      );
  }
  const picks = a.dims.map((d, i) =>
    names.includes(d) ? [0] : Array.from({ length: a.shape[i] }, (_, k) => k),
  );
  return gatherArray(
    a,
    picks,
    a.dims.map((d) => !names.includes(d)),
  );
}

/**
 * Add a leading length-1 dim (xarray's `expand_dims`), optionally with a coordinate label,
 * e.g. `expandDims(a, "time", { value: 15.5, attrs: { units: "days since 2000-01-01" } })`.
 */
export function expandDims<T extends ArrayData>(
  a: DataArray<T>,
  dim: string,
  coord?: { value: number | string; attrs?: Attrs },
): DataArray {
  check("expandDims", a);
  if (typeof dim !== "string")
    throw new GridError("INVALID_ARGUMENT", `expandDims: dim must be a name; got ${describe(dim)}`);
  if (a.dims.includes(dim))
    throw new GridError("INVALID_ARGUMENT", `expandDims: '${a.name}' already has dim '${dim}'`);
  const coords: Record<string, Coordinate> = { ...a.coords };
  const existing = a.coords[dim];
  if (coord !== undefined) {
    checkOptions("expandDims", "coord", coord, ["value", "attrs"]);
    coords[dim] = {
      dims: [dim],
      values: typeof coord.value === "string" ? [coord.value] : Float64Array.of(coord.value),
      attrs: coord.attrs ?? {},
    };
  } else if (existing !== undefined && existing.dims.length === 0) {
    // A scalar coordinate left by a selection becomes the new dim's label.
    coords[dim] = { ...existing, dims: [dim] };
  }
  return rebuild(a, { dims: [dim, ...a.dims], shape: [1, ...a.shape], coords });
}
