import { alignPair, checkArray } from "./align.js";
import { describe } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { reducedAttrs } from "./reductions.js";
import type { CFDatetime } from "./time.js";
import type { ArrayData, Attrs, FloatOf } from "./types.js";

/** Calendar month (1–12) of each step of the time dimension, from its decoded times. */
export function monthsOf(a: DataArray, timeDim = "time"): number[] {
  a.axis(timeDim);
  const times = a.coord(timeDim)?.times;
  if (times === undefined) {
    throw new GridError(
      "INVALID_TIME_UNITS",
      `dimension '${timeDim}' has no decoded times (needs units '<unit> since <date>')`,
      { variable: a.name },
    );
  }
  return times.map((t: CFDatetime) => t.month);
}

/**
 * Mean annual cycle: the NaN-skipping mean of each calendar month over all years. The time
 * dimension is replaced by `month` (length 12, coordinate 1…12); months never present are NaN.
 *
 * @throws GridError `INVALID_TIME_UNITS` when the time coordinate is not decoded
 */
export function climatology<T extends ArrayData>(
  a: DataArray<T>,
  timeDim = "time",
): DataArray<FloatOf<T>> {
  const months = monthsOf(a, timeDim);
  const axis = a.axis(timeDim);
  const outer = a.shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const inner = a.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  const nt = a.shape[axis];
  const sum = new Float64Array(outer * 12 * inner);
  const cnt = new Float64Array(outer * 12 * inner);
  const layout = { outer, nt, inner, months };
  if (a.data instanceof Float32Array) accumulate32(a.data, sum, cnt, layout);
  else accumulate64(a.toFloat64(), sum, cnt, layout);
  for (let i = 0; i < sum.length; i++) sum[i] = cnt[i] > 0 ? sum[i] / cnt[i] : Number.NaN;
  const dims = a.dims.map((d) => (d === timeDim ? "month" : d));
  const shape = a.shape.map((n, i) => (i === axis ? 12 : n));
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) if (!c.dims.includes(timeDim)) coords[k] = c;
  coords.month = {
    dims: ["month"],
    values: Float64Array.from({ length: 12 }, (_, i) => i + 1),
    attrs: { long_name: "calendar month" },
  };
  const attrs = reducedAttrs(a.attrs, [], "mean");
  const entry = `${timeDim}: mean within years ${timeDim}: mean over years`;
  attrs.cell_methods =
    typeof attrs.cell_methods === "string" ? `${attrs.cell_methods} ${entry}` : entry;
  // float32 stays float32 (the sums run in float64).
  const data = a.data instanceof Float32Array ? Float32Array.from(sum) : sum;
  return new DataArray({ name: a.name, dims, shape, data, coords, attrs }) as DataArray<FloatOf<T>>;
}

interface Layout {
  outer: number;
  nt: number;
  inner: number;
  months: number[];
}

// One loop per input type keeps each monomorphic.
function accumulate32(x: Float32Array, sum: Float64Array, cnt: Float64Array, l: Layout): void {
  for (let o = 0; o < l.outer; o++) {
    for (let t = 0; t < l.nt; t++) {
      const src = (o * l.nt + t) * l.inner;
      const dst = (o * 12 + l.months[t] - 1) * l.inner;
      for (let i = 0; i < l.inner; i++) {
        const v = x[src + i];
        if (!Number.isNaN(v)) {
          sum[dst + i] += v;
          cnt[dst + i]++;
        }
      }
    }
  }
}

function accumulate64(x: Float64Array, sum: Float64Array, cnt: Float64Array, l: Layout): void {
  for (let o = 0; o < l.outer; o++) {
    for (let t = 0; t < l.nt; t++) {
      const src = (o * l.nt + t) * l.inner;
      const dst = (o * 12 + l.months[t] - 1) * l.inner;
      for (let i = 0; i < l.inner; i++) {
        const v = x[src + i];
        if (!Number.isNaN(v)) {
          sum[dst + i] += v;
          cnt[dst + i]++;
        }
      }
    }
  }
}

function subtract32(
  x: Float32Array,
  c: Float32Array,
  out: Float32Array,
  ref: Int32Array,
  l: Layout,
): void {
  for (let o = 0; o < l.outer; o++) {
    for (let t = 0; t < l.nt; t++) {
      const src = (o * l.nt + t) * l.inner;
      const r = (o * 12 + ref[t]) * l.inner;
      for (let i = 0; i < l.inner; i++) out[src + i] = x[src + i] - c[r + i];
    }
  }
}

/**
 * Anomaly: each time step minus the climatology of its calendar month. The climatology
 * defaults to {@link climatology} of `a` itself; a given one is matched by label — its
 * `month` coordinate (any order) and every other dim's labels must be `a`'s (any order),
 * otherwise a `SHAPE_MISMATCH` names the dimension and the first differing label.
 * `standard_name` is dropped (an anomaly is not the quantity itself) and `long_name`
 * gains " anomaly"; units stay.
 *
 * @throws GridError `SHAPE_MISMATCH` when `clim` does not match `a` with `month` for time
 */
export function anomaly<T extends ArrayData>(
  a: DataArray<T>,
  clim?: DataArray,
  timeDim = "time",
): DataArray<Float32Array | Float64Array> {
  checkArray("anomaly", "data", a);
  if (clim !== undefined) checkArray("anomaly", "climatology", clim);
  if (typeof timeDim !== "string")
    throw new GridError(
      "INVALID_ARGUMENT",
      `anomaly: timeDim must be a dimension name; got ${describe(timeDim)}`,
    );
  const months = monthsOf(a, timeDim);
  const axis = a.axis(timeDim);
  const c0 = clim ?? climatology(a, timeDim);
  const expected = a.dims.map((d) => (d === timeDim ? "month" : d));
  const sameDims = c0.dims.length === expected.length && c0.dims.every((d) => expected.includes(d));
  if (!sameDims) {
    throw new GridError(
      "SHAPE_MISMATCH",
      `anomaly: climatology (${c0.dims.join(", ")}) [${c0.shape.join(", ")}] does not match (${expected.join(", ")})`,
      { variable: a.name },
    );
  }
  // Match the other dims by label (same labels, any order) through the one alignment path.
  const c = alignPair("anomaly", a, c0, "exact")[1];
  const mc = c.coord("month");
  const mvals =
    mc?.values instanceof Float64Array
      ? mc.values
      : Float64Array.from({ length: c.shape[c.axis("month")] }, (_, i) => i + 1);
  const monthPos = new Map<number, number>();
  mvals.forEach((m, i) => {
    monthPos.set(m, i);
  });
  const cst = c.strides;
  const cm = cst[c.axis("month")];
  const tOff = Int32Array.from(months, (m, t) => {
    const p = monthPos.get(m);
    if (p === undefined) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `anomaly: the climatology has no month ${m} (needed by ${a.name} at position ${t} of '${timeDim}')`,
        { variable: a.name },
      );
    }
    return p * cm;
  });
  const same = c.dims.every((d, i) => d === expected[i]) && c.shape[c.axis("month")] === 12;
  if (same && a.data instanceof Float32Array && c.data instanceof Float32Array) {
    // The usual layout: month where time was, float32 both — one tight loop.
    const axis0 = a.axis(timeDim);
    const outer = a.shape.slice(0, axis0).reduce((p, q) => p * q, 1);
    const inner = a.shape.slice(axis0 + 1).reduce((p, q) => p * q, 1);
    const ref = Int32Array.from(tOff, (off) => off / cm);
    const out32 = new Float32Array(a.size);
    subtract32(a.data, c.data, out32, ref, { outer, nt: a.shape[axis0], inner, months });
    return a.withData(out32, {
      name: `${a.name}_anomaly`,
      attrs: anomalyAttrs(a.attrs),
      encoding: {},
    });
  }
  // Per-axis offsets into the climatology, in a's dim order.
  const offsets = a.dims.map((d, ax) =>
    ax === axis ? tOff : Int32Array.from({ length: a.shape[ax] }, (_, i) => i * cst[c.axis(d)]),
  );
  const x = a.data instanceof Float32Array ? a.data : a.toFloat64();
  const cv =
    c.data instanceof Float32Array || c.data instanceof Float64Array ? c.data : c.toFloat64();
  const out =
    x instanceof Float32Array && cv instanceof Float32Array
      ? new Float32Array(a.size)
      : new Float64Array(a.size);
  const rank = a.ndim;
  const n = rank === 0 ? 1 : a.shape[rank - 1];
  const last = offsets[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  for (let start = 0; start < a.size; start += n) {
    let base = 0;
    for (let k = 0; k < rank - 1; k++) base += offsets[k][idx[k]];
    for (let j = 0; j < n; j++) out[start + j] = x[start + j] - cv[base + last[j]];
    for (let k = rank - 2; k >= 0; k--) {
      idx[k]++;
      if (idx[k] < a.shape[k]) break;
      idx[k] = 0;
    }
  }
  return a.withData(out, { name: `${a.name}_anomaly`, attrs: anomalyAttrs(a.attrs), encoding: {} });
}

function anomalyAttrs(source: Readonly<Attrs>): Attrs {
  const attrs: Attrs = { ...source };
  delete attrs.standard_name;
  delete attrs.valid_min;
  delete attrs.valid_max;
  delete attrs.valid_range;
  if (typeof attrs.long_name === "string") attrs.long_name = `${attrs.long_name} anomaly`;
  return attrs;
}
