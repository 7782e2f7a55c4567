import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { attrString } from "./types.js";

/** Options of {@link interp}. */
export interface InterpOptions {
  /** `"linear"` (default; bilinear, trilinear… over several dims) or `"nearest"`. */
  method?: "linear" | "nearest";
}

/** New coordinate values for one dimension: a number drops the dimension, an array keeps it. */
export type InterpTarget = number | ArrayLike<number>;

/**
 * Interpolate onto new coordinate values along one or more dimensions with 1-D numeric
 * coordinates (rectilinear grids), like xarray's `interp`. Several dimensions are done one
 * after the other, which for `linear` is bilinear (trilinear, …) interpolation.
 *
 * - Longitudes (units `degrees_east`, `standard_name: longitude`, or named `lon`/`longitude`)
 *   are periodic: targets are compared modulo 360, and on a grid that goes all the way
 *   round, points between the last and the first longitude interpolate across the seam.
 * - Points outside the coordinate's range are NaN.
 * - NaN-aware: a missing neighbour only spoils the points that give it weight, so a point
 *   on a valid node next to a missing one keeps its value; otherwise NaN propagates, as
 *   in xarray.
 * - `nearest` takes the nearest label; a point exactly halfway takes the lower label
 *   (as SciPy's `interp1d`, which xarray uses, on ascending coordinates).
 *
 * @throws GridError `UNKNOWN_DIMENSION`, `INVALID_SELECTION` (no numeric 1-D coordinate,
 *   non-monotonic labels), `INVALID_ARGUMENT` (bad method or targets)
 */
export function interp(
  a: DataArray,
  targets: Record<string, InterpTarget>,
  options: InterpOptions = {},
): DataArray {
  const method = options.method ?? "linear";
  if (method !== "linear" && method !== "nearest") {
    throw new GridError(
      "INVALID_ARGUMENT",
      `interp method must be 'linear' or 'nearest', got '${String(method)}'`,
      { variable: a.name },
    );
  }
  let out = a.dtype === "float32" || a.dtype === "float64" ? a : a.withData(a.toFloat64());
  for (const [dim, t] of Object.entries(targets)) out = interpAlong(out, dim, t, method);
  return out;
}

/** For each target: two source indices and the weight of the second (NaN index −1 = outside). */
interface Stencil {
  lo: Int32Array;
  hi: Int32Array;
  w: Float64Array;
}

function interpAlong(
  a: DataArray,
  dim: string,
  target: InterpTarget,
  method: "linear" | "nearest",
): DataArray {
  const axis = a.axis(dim);
  const ctx = { variable: a.name };
  const coordName = coordKey(a, dim);
  const coord = coordName === undefined ? undefined : a.coords[coordName];
  if (coord === undefined || !(coord.values instanceof Float64Array) || coord.dims.length !== 1) {
    throw new GridError(
      "INVALID_SELECTION",
      `interpolating along '${dim}' needs a numeric 1-D coordinate '${dim}'`,
      ctx,
    );
  }
  const scalar = typeof target === "number";
  if (!scalar && (target === null || typeof target !== "object" || !("length" in target))) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `targets for '${dim}' must be a number or an array of numbers`,
      ctx,
    );
  }
  const values = Float64Array.from(scalar ? [target as number] : (target as ArrayLike<number>));
  for (const v of values) {
    if (!Number.isFinite(v)) {
      throw new GridError("INVALID_ARGUMENT", `target ${v} for '${dim}' is not finite`, ctx);
    }
  }
  const stencil = buildStencil(
    coord.values,
    values,
    isLon(coordName ?? dim, coord),
    method,
    dim,
    a.name,
  );
  const shape = [...a.shape];
  const n = values.length;
  shape[axis] = n;
  const outer = a.shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const inner = a.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  const len = a.shape[axis];
  const src = a.data as Float32Array | Float64Array;
  const out =
    src instanceof Float32Array
      ? new Float32Array(outer * n * inner)
      : new Float64Array(outer * n * inner);
  const { lo, hi, w } = stencil;
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < n; k++) {
      const dst = (o * n + k) * inner;
      if (lo[k] < 0) {
        out.fill(Number.NaN, dst, dst + inner);
        continue;
      }
      const s0 = (o * len + lo[k]) * inner;
      const s1 = (o * len + hi[k]) * inner;
      const wk = w[k];
      for (let i = 0; i < inner; i++) {
        const x0 = src[s0 + i];
        const x1 = src[s1 + i];
        // A neighbour with no weight cannot spoil the result, even if it is NaN.
        out[dst + i] = wk === 0 ? x0 : wk === 1 ? x1 : x0 + wk * (x1 - x0);
      }
    }
  }
  const coords: Record<string, Coordinate> = {};
  for (const [name, c] of Object.entries(a.coords)) {
    if (!c.dims.includes(dim)) coords[name] = c;
  }
  if (!scalar) {
    coords[coordName ?? dim] = { dims: [dim], values, attrs: { ...coord.attrs } };
  }
  const result = new DataArray({
    name: a.name,
    dims: [...a.dims],
    shape,
    data: out,
    coords,
    attrs: { ...a.attrs },
  });
  if (!scalar) return result;
  // A number drops the dimension, as in xarray.
  const dims = a.dims.filter((d) => d !== dim);
  return new DataArray({
    name: a.name,
    dims,
    shape: shape.filter((_, i) => i !== axis),
    data: out,
    coords,
    attrs: { ...a.attrs },
  });
}

function coordKey(a: DataArray, dim: string): string | undefined {
  if (a.coords[dim] !== undefined) return dim;
  return Object.keys(a.coords).find((k) => {
    const c = a.coords[k];
    return c.dims.length === 1 && c.dims[0] === dim;
  });
}

function isLon(name: string, c: Coordinate): boolean {
  const units = attrString(c.attrs, "units") ?? "";
  return (
    /^degrees?_?e(ast)?$/i.test(units) ||
    attrString(c.attrs, "standard_name") === "longitude" ||
    /^(lon|longitude)$/i.test(name)
  );
}

function buildStencil(
  coord: Float64Array,
  targets: Float64Array,
  lon: boolean,
  method: "linear" | "nearest",
  dim: string,
  variable: string,
): Stencil {
  const m = coord.length;
  const n = targets.length;
  if (m === 0) {
    throw new GridError("INVALID_SELECTION", `coordinate '${dim}' is empty`, { variable });
  }
  const ascending = m < 2 || coord[m - 1] > coord[0];
  for (let i = 1; i < m; i++) {
    if (ascending ? !(coord[i] > coord[i - 1]) : !(coord[i] < coord[i - 1])) {
      throw new GridError(
        "INVALID_SELECTION",
        `coordinate '${dim}' is not strictly monotonic at index ${i}`,
        { variable },
      );
    }
  }
  // Work on an ascending copy; map indices back at the end.
  const x = ascending ? coord : coord.slice().reverse();
  const back = (i: number) => (ascending ? i : m - 1 - i);
  // A longitude grid that closes on itself: the step across the seam is a normal step.
  const step = m > 1 ? (x[m - 1] - x[0]) / (m - 1) : 360;
  const span = x[m - 1] - x[0];
  const global = lon && m > 1 && Math.abs(span + step - 360) <= 1e-6 * 360;
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let t = targets[k];
    if (lon) {
      // Bring the target into [x0, x0 + 360).
      t = x[0] + ((((t - x[0]) % 360) + 360) % 360);
    }
    let i0: number;
    let i1: number;
    let wk: number;
    if (t >= x[0] && t <= x[m - 1]) {
      let l = 0;
      let h = m - 1;
      while (h - l > 1) {
        const mid = (l + h) >> 1;
        if (x[mid] <= t) l = mid;
        else h = mid;
      }
      if (m === 1) {
        i0 = 0;
        i1 = 0;
        wk = 0;
      } else {
        i0 = l;
        i1 = Math.min(l + 1, m - 1);
        wk = i1 === i0 ? 0 : (t - x[i0]) / (x[i1] - x[i0]);
      }
    } else if (global) {
      // Between the last longitude and the first one plus 360.
      i0 = m - 1;
      i1 = 0;
      wk = (t - x[m - 1]) / (x[0] + 360 - x[m - 1]);
    } else {
      lo[k] = -1;
      continue;
    }
    if (method === "nearest") wk = wk > 0.5 ? 1 : 0;
    lo[k] = back(i0);
    hi[k] = back(i1);
    w[k] = wk;
  }
  return { lo, hi, w };
}
