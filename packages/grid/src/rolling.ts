/**
 * Moving-window reductions along one dimension (xarray's `rolling`): the window ends at
 * each position, or is centred on it (`center: true`: positions i − ⌊w/2⌋ … i + ⌈w/2⌉ − 1,
 * as xarray/pandas); a result needs `minPeriods` valid values (default the window size),
 * otherwise NaN. NaN inputs are skipped.
 */
import { checkChoice, checkInteger, checkOptions, describe, isPlainObject } from "./args.js";
import { DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { numeric } from "./reduce-engine.js";
import { lanes, reducedAttrs } from "./reductions.js";
import type { ArrayData, FloatOf } from "./types.js";

/** Options of {@link rolling}. */
export interface RollingOptions {
  /** Centre the window on each position (default false: the window ends there). */
  center?: boolean;
  /** Fewest valid values for a result (default the window size). */
  minPeriods?: number;
}

/** Reductions of a rolling window. */
export type RollingOp = "mean" | "sum" | "min" | "max" | "count" | "std" | "var" | "median";

const ROLLING_OPS: readonly RollingOp[] = [
  "mean",
  "sum",
  "min",
  "max",
  "count",
  "std",
  "var",
  "median",
];

/** A rolling window ready to reduce. */
export interface Rolling<T extends ArrayData = ArrayData> {
  reduce(op: RollingOp): DataArray<Float32Array | Float64Array>;
  mean(): DataArray<FloatOf<T>>;
  sum(): DataArray<FloatOf<T>>;
  min(): DataArray<FloatOf<T>>;
  max(): DataArray<FloatOf<T>>;
  count(): DataArray<Float64Array>;
  std(): DataArray<FloatOf<T>>;
  var(): DataArray<FloatOf<T>>;
  median(): DataArray<FloatOf<T>>;
}

/**
 * A rolling window of `{ dim: size }` (one dim), e.g. `rolling(a, { time: 12 }, { center: true }).mean()`.
 *
 * @throws GridError `INVALID_ARGUMENT` (bad window or option), `UNKNOWN_DIMENSION`
 */
export function rolling<T extends ArrayData>(
  a: DataArray<T>,
  window: Record<string, number>,
  options: RollingOptions = {},
): Rolling<T> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `rolling: expected a DataArray; got ${describe(a)}`);
  if (!isPlainObject(window) || Object.keys(window).length !== 1) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `rolling: window must be { dim: size } for one dim; got ${describe(window)}`,
    );
  }
  const o = checkOptions("rolling", "options", options, ["center", "minPeriods"]);
  const [dim, size] = Object.entries(window)[0];
  a.axis(dim);
  const w = checkInteger("rolling", `window.${dim}`, size, 1);
  if (o.center !== undefined && typeof o.center !== "boolean") {
    throw new GridError(
      "INVALID_ARGUMENT",
      `rolling: options.center must be true or false; got ${describe(o.center)}`,
    );
  }
  const minPeriods =
    o.minPeriods === undefined
      ? w
      : checkInteger("rolling", "options.minPeriods", o.minPeriods, 1, w);
  const center = o.center === true;
  const red = (op: RollingOp) =>
    rollingReduce(
      a,
      dim,
      w,
      center,
      minPeriods,
      checkChoice("rolling", "op", op, ROLLING_OPS),
    ) as DataArray<Float32Array | Float64Array>;
  const out: Rolling = {
    reduce: red,
    mean: () => red("mean"),
    sum: () => red("sum"),
    min: () => red("min"),
    max: () => red("max"),
    count: () => red("count") as DataArray<Float64Array>,
    std: () => red("std"),
    var: () => red("var"),
    median: () => red("median"),
  };
  return out as Rolling<T>;
}

function rollingReduce(
  a: DataArray,
  dim: string,
  w: number,
  center: boolean,
  minPeriods: number,
  op: RollingOp,
): DataArray {
  const { outer, n, inner } = lanes(a, dim);
  const x = numeric(a.data, "rolling");
  const f32 = a.data instanceof Float32Array && op !== "count";
  const out = f32 ? new Float32Array(a.size) : new Float64Array(a.size);
  const before = center ? Math.floor(w / 2) : w - 1;
  const after = w - 1 - before;
  if (op === "mean" || op === "sum" || op === "count") {
    // Running sums over the window, one lane of `inner` cells at a time.
    const sum = new Float64Array(inner);
    const cnt = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      sum.fill(0);
      cnt.fill(0);
      const base = o * n * inner;
      // Window of position t is [t - before, t + after]; prime with [0, after - 1].
      for (let t = 0; t < Math.min(after, n); t++) add(x, base + t * inner, inner, sum, cnt, 1);
      for (let t = 0; t < n; t++) {
        const enter = t + after;
        const leave = t - before - 1;
        if (enter < n) add(x, base + enter * inner, inner, sum, cnt, 1);
        if (leave >= 0) add(x, base + leave * inner, inner, sum, cnt, -1);
        const ob = base + t * inner;
        for (let i = 0; i < inner; i++) {
          const c = cnt[i];
          if (op === "count") out[ob + i] = c;
          else if (c < minPeriods) out[ob + i] = Number.NaN;
          else out[ob + i] = op === "sum" ? sum[i] : sum[i] / c;
        }
      }
    }
  } else {
    const buf = new Float64Array(w);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        for (let t = 0; t < n; t++) {
          let m = 0;
          const lo = Math.max(0, t - before);
          const hi = Math.min(n - 1, t + after);
          for (let k = lo; k <= hi; k++) {
            const v = x[(o * n + k) * inner + i];
            if (!Number.isNaN(v)) buf[m++] = v;
          }
          out[(o * n + t) * inner + i] = m < minPeriods ? Number.NaN : windowStat(buf, m, op);
        }
      }
    }
  }
  const attrs = reducedAttrs(a.attrs, [], op);
  return a.withData(out, { attrs, encoding: {} });
}

function add(
  x: ArrayLike<number>,
  start: number,
  inner: number,
  sum: Float64Array,
  cnt: Float64Array,
  sign: number,
): void {
  for (let i = 0; i < inner; i++) {
    const v = x[start + i];
    if (!Number.isNaN(v)) {
      sum[i] += sign * v;
      cnt[i] += sign;
    }
  }
}

function windowStat(buf: Float64Array, m: number, op: RollingOp): number {
  if (op === "min" || op === "max") {
    let r = buf[0];
    for (let k = 1; k < m; k++) r = op === "min" ? Math.min(r, buf[k]) : Math.max(r, buf[k]);
    return r;
  }
  if (op === "median") {
    const s = buf.slice(0, m).sort();
    return m % 2 === 1 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
  }
  let mean = 0;
  for (let k = 0; k < m; k++) mean += buf[k];
  mean /= m;
  let ss = 0;
  for (let k = 0; k < m; k++) ss += (buf[k] - mean) ** 2;
  const v = ss / m; // ddof 0, as xarray's rolling std/var
  return op === "std" ? Math.sqrt(v) : v;
}
