import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import type { CFDatetime } from "./time.js";

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
export function climatology(a: DataArray, timeDim = "time"): DataArray {
  const months = monthsOf(a, timeDim);
  const axis = a.axis(timeDim);
  const outer = a.shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const inner = a.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  const nt = a.shape[axis];
  const x = a.toFloat64();
  const sum = new Float64Array(outer * 12 * inner);
  const cnt = new Float64Array(outer * 12 * inner);
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < nt; t++) {
      const m = months[t] - 1;
      const src = (o * nt + t) * inner;
      const dst = (o * 12 + m) * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[src + i];
        if (!Number.isNaN(v)) {
          sum[dst + i] += v;
          cnt[dst + i]++;
        }
      }
    }
  }
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
  return new DataArray({ name: a.name, dims, shape, data: sum, coords, attrs: { ...a.attrs } });
}

/**
 * Anomaly: each time step minus the climatology of its calendar month. The climatology
 * defaults to {@link climatology} of `a` itself.
 *
 * @throws GridError `SHAPE_MISMATCH` when `clim` does not match `a` with `month` for time
 */
export function anomaly(a: DataArray, clim?: DataArray, timeDim = "time"): DataArray {
  const c = clim ?? climatology(a, timeDim);
  const months = monthsOf(a, timeDim);
  const axis = a.axis(timeDim);
  const expected = a.dims.map((d) => (d === timeDim ? "month" : d));
  if (
    c.dims.join() !== expected.join() ||
    c.shape.some((n, i) => n !== (i === axis ? 12 : a.shape[i]))
  ) {
    throw new GridError(
      "SHAPE_MISMATCH",
      `climatology (${c.dims.join(", ")}) [${c.shape.join(", ")}] does not match (${expected.join(", ")})`,
      { variable: a.name },
    );
  }
  const outer = a.shape.slice(0, axis).reduce((x, y) => x * y, 1);
  const inner = a.shape.slice(axis + 1).reduce((x, y) => x * y, 1);
  const nt = a.shape[axis];
  const x = a.toFloat64();
  const cv = c.toFloat64();
  const out = new Float64Array(a.size);
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < nt; t++) {
      const src = (o * nt + t) * inner;
      const ref = (o * 12 + months[t] - 1) * inner;
      for (let i = 0; i < inner; i++) out[src + i] = x[src + i] - cv[ref + i];
    }
  }
  return a.withData(out, { name: `${a.name}_anomaly`, attrs: { ...a.attrs } });
}
