/**
 * Missing data: `fillna`, `dropna`, `ffill`/`bfill` with a limit and linear
 * `interpolateNa` along a dimension, as in xarray. float32 stays float32; attributes and
 * encoding are kept (the values keep their meaning).
 */
import { alignTo } from "./align.js";
import { checkChoice, checkInteger, checkOptions, describe } from "./args.js";
import { DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { numeric } from "./reduce-engine.js";
import { lanes } from "./reductions.js";
import { gatherArray } from "./select.js";
import type { ArrayData, FloatOf } from "./types.js";

function check(fn: string, a: unknown, dim?: unknown): void {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `${fn}: expected a DataArray; got ${describe(a)}`);
  if (dim !== undefined) {
    if (typeof dim !== "string")
      throw new GridError(
        "INVALID_ARGUMENT",
        `${fn}: dim must be a dimension name; got ${describe(dim)}`,
      );
    a.axis(dim);
  }
}

function copyFloat(a: DataArray): Float32Array | Float64Array {
  // slice() is a plain copy (no zero-fill, no per-element conversion).
  if (a.data instanceof Float32Array || a.data instanceof Float64Array) return a.data.slice();
  return a.toFloat64().slice();
}

/**
 * Replace NaN by a number or by the values of another DataArray aligned by label.
 *
 * @throws GridError `INVALID_ARGUMENT`, `SHAPE_MISMATCH` (other labels)
 */
export function fillna<T extends ArrayData>(
  a: DataArray<T>,
  value: number | DataArray,
): DataArray<FloatOf<T>> {
  check("fillna", a);
  const out = copyFloat(a);
  if (typeof value === "number") {
    for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i])) out[i] = value;
  } else if (value instanceof DataArray) {
    const v = alignTo("fillna", a, value, "value");
    // Broadcast v onto a by dimension name.
    const st = v.strides;
    const strides = a.dims.map((d) => (v.dims.includes(d) ? st[v.axis(d)] : 0));
    const vd = numeric(v.data, "fillna");
    const idx = new Array<number>(a.ndim).fill(0);
    for (let i = 0; i < out.length; i++) {
      if (Number.isNaN(out[i])) {
        let off = 0;
        for (let k = 0; k < idx.length; k++) off += idx[k] * strides[k];
        out[i] = vd[off];
      }
      for (let k = idx.length - 1; k >= 0; k--) {
        idx[k]++;
        if (idx[k] < a.shape[k]) break;
        idx[k] = 0;
      }
    }
  } else {
    throw new GridError(
      "INVALID_ARGUMENT",
      `fillna: value must be a number or a DataArray; got ${describe(value)}`,
    );
  }
  return a.withData(out) as DataArray<FloatOf<T>>;
}

/**
 * Drop positions along `dim` whose values are all NaN (`how: "all"`) or any NaN
 * (`how: "any"`, default), as xarray's `dropna`.
 */
export function dropna<T extends ArrayData>(
  a: DataArray<T>,
  dim: string,
  options: { how?: "any" | "all" } = {},
): DataArray<T> {
  check("dropna", a, dim);
  const o = checkOptions("dropna", "options", options, ["how"]);
  const how =
    o.how === undefined
      ? "any"
      : checkChoice("dropna", "options.how", o.how, ["any", "all"] as const);
  const { axis, outer, n, inner } = lanes(a, dim);
  const x = numeric(a.data, "dropna");
  const keep: number[] = [];
  for (let t = 0; t < n; t++) {
    let nan = 0;
    for (let o2 = 0; o2 < outer; o2++)
      for (let i = 0; i < inner; i++) if (Number.isNaN(x[(o2 * n + t) * inner + i])) nan++;
    const total = outer * inner;
    if (how === "any" ? nan === 0 : nan < total) keep.push(t);
  }
  const picks = a.shape.map((len, i) =>
    i === axis ? keep : Array.from({ length: len }, (_, k) => k),
  );
  return gatherArray(
    a,
    picks,
    a.dims.map(() => true),
  );
}

function checkLimit(fn: string, options: unknown): number {
  const o = checkOptions(fn, "options", options, ["limit"]);
  return o.limit === undefined
    ? Number.POSITIVE_INFINITY
    : checkInteger(fn, "options.limit", o.limit, 1);
}

/** Carry the last valid value forward along `dim`, over at most `limit` consecutive NaNs. */
export function ffill<T extends ArrayData>(
  a: DataArray<T>,
  dim: string,
  options: { limit?: number } = {},
): DataArray<FloatOf<T>> {
  check("ffill", a, dim);
  return directionalFill(a, dim, checkLimit("ffill", options), true) as DataArray<FloatOf<T>>;
}

/** Carry the next valid value backward along `dim`, over at most `limit` consecutive NaNs. */
export function bfill<T extends ArrayData>(
  a: DataArray<T>,
  dim: string,
  options: { limit?: number } = {},
): DataArray<FloatOf<T>> {
  check("bfill", a, dim);
  return directionalFill(a, dim, checkLimit("bfill", options), false) as DataArray<FloatOf<T>>;
}

function directionalFill(a: DataArray, dim: string, limit: number, forward: boolean): DataArray {
  const { outer, n, inner } = lanes(a, dim);
  const out = copyFloat(a);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let last = Number.NaN;
      let run = 0;
      for (let s = 0; s < n; s++) {
        const t = forward ? s : n - 1 - s;
        const k = (o * n + t) * inner + i;
        const v = out[k];
        if (!Number.isNaN(v)) {
          last = v;
          run = 0;
        } else {
          run++;
          if (run <= limit) out[k] = last;
        }
      }
    }
  }
  return a.withData(out);
}

/**
 * Fill NaN by linear interpolation along `dim` against its coordinate values (xarray's
 * `interpolate_na(dim, method="linear")`); NaN before the first and after the last valid
 * value stay NaN. With `limit`, at most `limit` consecutive NaNs of a gap are filled.
 */
export function interpolateNa<T extends ArrayData>(
  a: DataArray<T>,
  dim: string,
  options: { limit?: number } = {},
): DataArray<FloatOf<T>> {
  check("interpolateNa", a, dim);
  const limit = checkLimit("interpolateNa", options);
  const { outer, n, inner } = lanes(a, dim);
  const c = a.coord(dim);
  const xs =
    c !== undefined && c.values instanceof Float64Array
      ? c.values
      : Float64Array.from({ length: n }, (_, i) => i);
  const src = numeric(a.data, "interpolateNa");
  const out = copyFloat(a);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let prev = -1;
      for (let t = 0; t < n; t++) {
        const k = (o * n + t) * inner + i;
        if (Number.isNaN(src[k])) continue;
        if (prev >= 0 && t - prev > 1) {
          const y0 = src[(o * n + prev) * inner + i];
          const y1 = src[k];
          for (let u = prev + 1; u < t && u - prev <= limit; u++) {
            const f = (xs[u] - xs[prev]) / (xs[t] - xs[prev]);
            out[(o * n + u) * inner + i] = y0 + (y1 - y0) * f;
          }
        }
        prev = t;
      }
    }
  }
  return a.withData(out) as DataArray<FloatOf<T>>;
}
