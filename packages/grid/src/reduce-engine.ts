/**
 * The reduction kernel shared by `reduce`, `groupby`, `resample` and `coarsen`: every
 * input position is sent to an output cell through per-axis offset tables (a kept axis
 * adds `index × stride`, a reduced axis adds 0, a grouped axis adds `group[index] ×
 * stride`), so one loop serves plain, grouped and block reductions alike. Sums run in
 * float64 whatever the input dtype; NaN is skipped (xarray's `skipna=True`).
 */
import { GridError } from "./errors.js";
import type { ArrayData } from "./types.js";

/** Every reduction name. */
export type Reduction =
  | "mean"
  | "sum"
  | "min"
  | "max"
  | "count"
  | "std"
  | "var"
  | "median"
  | "quantile"
  | "prod"
  | "argmin"
  | "argmax";

export const REDUCTIONS: readonly Reduction[] = [
  "mean",
  "sum",
  "min",
  "max",
  "count",
  "std",
  "var",
  "median",
  "quantile",
  "prod",
  "argmin",
  "argmax",
];

/** Parameters of one reduction. */
export interface ReduceParams {
  op: Reduction;
  /** Delta degrees of freedom of std/var (default 0, as xarray/NumPy). */
  ddof: number;
  /** Quantiles in [0, 1] (op `quantile`). */
  q: number[];
  /** Weights aligned onto the input, flat in the input's layout (or broadcast via strides). */
  weights?: { data: ArrayLike<number>; strides: number[] };
}

/** Where each input position goes: `offsets[axis][index]` summed over axes = output cell. */
export interface Routing {
  offsets: Int32Array[];
  nOut: number;
  /** For argmin/argmax: the axis whose position is reported. */
  argAxis?: number;
  /** For argmin/argmax in groups: the position within its group of each index of `argAxis`. */
  argPositions?: Int32Array;
}

export function numeric(d: ArrayData, fn: string): ArrayLike<number> {
  if (Array.isArray(d))
    throw new GridError("UNSUPPORTED_DTYPE", `${fn}: string data cannot be reduced`);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array)
    return Float64Array.from(d, Number);
  return d as ArrayLike<number>;
}

/** Visit rows of the last axis: `visit(inputStart, outBase, weightBase)`. */
function rows(
  shape: readonly number[],
  routing: Routing,
  wStrides: number[] | undefined,
  visit: (inStart: number, outBase: number, wBase: number, idx: number[]) => void,
): void {
  const rank = shape.length;
  let size = 1;
  for (const s of shape) size *= s;
  if (size === 0) return;
  if (rank === 0) {
    visit(0, 0, 0, []);
    return;
  }
  const n = shape[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  for (let start = 0; start < size; start += n) {
    let ob = 0;
    let wb = 0;
    for (let a = 0; a < rank - 1; a++) {
      ob += routing.offsets[a][idx[a]];
      if (wStrides) wb += idx[a] * wStrides[a];
    }
    visit(start, ob, wb, idx);
    for (let a = rank - 2; a >= 0; a--) {
      idx[a]++;
      if (idx[a] < shape[a]) break;
      idx[a] = 0;
    }
  }
}

/**
 * Run a reduction. Returns one Float64Array of `nOut` cells (or `q.length × nOut` for
 * quantile, quantile-major).
 */
export function runReduction(
  x: ArrayLike<number>,
  shape: readonly number[],
  routing: Routing,
  p: ReduceParams,
): Float64Array {
  const { op } = p;
  const nOut = routing.nOut;
  const rank = shape.length;
  const last = routing.offsets[rank - 1];
  const n = rank === 0 ? 1 : shape[rank - 1];
  const lastOff = rank === 0 ? new Int32Array([0]) : last;
  const w = p.weights;
  const wLast = w === undefined || rank === 0 ? 0 : w.strides[rank - 1];
  if (op === "median" || op === "quantile")
    return orderStatistics(x, shape, routing, op === "median" ? [0.5] : p.q);
  if (op === "argmin" || op === "argmax") return argExtreme(x, shape, routing, op === "argmax");
  const out = new Float64Array(nOut);
  if (op === "min" || op === "max") {
    const isMax = op === "max";
    out.fill(Number.NaN);
    rows(shape, routing, undefined, (s, ob) => {
      for (let j = 0; j < n; j++) {
        const v = x[s + j];
        if (Number.isNaN(v)) continue;
        const o = ob + lastOff[j];
        const cur = out[o];
        if (Number.isNaN(cur) || (isMax ? v > cur : v < cur)) out[o] = v;
      }
    });
    return out;
  }
  if (op === "prod") {
    const seen = new Uint8Array(nOut);
    out.fill(1);
    rows(shape, routing, undefined, (s, ob) => {
      for (let j = 0; j < n; j++) {
        const v = x[s + j];
        if (Number.isNaN(v)) continue;
        const o = ob + lastOff[j];
        out[o] *= v;
        seen[o] = 1;
      }
    });
    return out;
  }
  // Moments: count, sum of weights, weighted sum (Neumaier-compensated would cost 2x; the
  // float64 accumulator already beats xarray's float32 pairwise sums on float32 data).
  const cnt = new Float64Array(nOut);
  const sw = w ? new Float64Array(nOut) : cnt;
  const swx = new Float64Array(nOut);
  const wd = w?.data;
  rows(shape, routing, w?.strides, (s, ob, wb) => {
    if (wd === undefined) {
      for (let j = 0; j < n; j++) {
        const v = x[s + j];
        if (Number.isNaN(v)) continue;
        const o = ob + lastOff[j];
        cnt[o]++;
        swx[o] += v;
      }
    } else {
      for (let j = 0; j < n; j++) {
        const v = x[s + j];
        const wi = wd[wb + j * wLast];
        if (Number.isNaN(v) || Number.isNaN(wi)) continue;
        const o = ob + lastOff[j];
        cnt[o]++;
        sw[o] += wi;
        swx[o] += wi * v;
      }
    }
  });
  if (op === "count") return cnt;
  if (op === "sum") {
    // xarray's skipna sum of an all-NaN cell is 0 (min_count=None).
    return swx;
  }
  const mean = new Float64Array(nOut);
  for (let o = 0; o < nOut; o++) mean[o] = cnt[o] > 0 ? swx[o] / sw[o] : Number.NaN;
  if (op === "mean") return mean;
  // Second pass about the mean: no cancellation, unlike E[x²] − E[x]².
  const ss = new Float64Array(nOut);
  rows(shape, routing, w?.strides, (s, ob, wb) => {
    for (let j = 0; j < n; j++) {
      const v = x[s + j];
      if (Number.isNaN(v)) continue;
      const o = ob + lastOff[j];
      const wi = wd === undefined ? 1 : wd[wb + j * wLast];
      if (Number.isNaN(wi)) continue;
      const d = v - mean[o];
      ss[o] += wi * d * d;
    }
  });
  for (let o = 0; o < nOut; o++) {
    const denom = w ? sw[o] : cnt[o] - p.ddof;
    const v = cnt[o] > 0 && denom > 0 ? ss[o] / denom : Number.NaN;
    out[o] = op === "std" ? Math.sqrt(v) : v;
  }
  return out;
}

function orderStatistics(
  x: ArrayLike<number>,
  shape: readonly number[],
  routing: Routing,
  q: number[],
): Float64Array {
  const nOut = routing.nOut;
  const rank = shape.length;
  const n = rank === 0 ? 1 : shape[rank - 1];
  const lastOff = rank === 0 ? new Int32Array([0]) : routing.offsets[rank - 1];
  // Bucket the valid values of each output cell (CSR layout), then sort each bucket.
  const count = new Int32Array(nOut + 1);
  rows(shape, routing, undefined, (s, ob) => {
    for (let j = 0; j < n; j++) if (!Number.isNaN(x[s + j])) count[ob + lastOff[j] + 1]++;
  });
  for (let o = 0; o < nOut; o++) count[o + 1] += count[o];
  const fill = count.slice(0, nOut);
  const buf = new Float64Array(count[nOut]);
  rows(shape, routing, undefined, (s, ob) => {
    for (let j = 0; j < n; j++) {
      const v = x[s + j];
      if (!Number.isNaN(v)) buf[fill[ob + lastOff[j]]++] = v;
    }
  });
  const out = new Float64Array(q.length * nOut);
  for (let o = 0; o < nOut; o++) {
    const lo = count[o];
    const hi = count[o + 1];
    const m = hi - lo;
    const seg = buf.subarray(lo, hi);
    seg.sort();
    for (let k = 0; k < q.length; k++) {
      if (m === 0) {
        out[k * nOut + o] = Number.NaN;
        continue;
      }
      // NumPy's default "linear" method: position q·(n−1) between order statistics.
      const pos = q[k] * (m - 1);
      const i = Math.floor(pos);
      const f = pos - i;
      out[k * nOut + o] = i + 1 < m ? seg[i] + (seg[i + 1] - seg[i]) * f : seg[i];
    }
  }
  return out;
}

function argExtreme(
  x: ArrayLike<number>,
  shape: readonly number[],
  routing: Routing,
  isMax: boolean,
): Float64Array {
  const nOut = routing.nOut;
  const axis = routing.argAxis ?? shape.length - 1;
  const rank = shape.length;
  const n = shape[rank - 1];
  const lastOff = routing.offsets[rank - 1];
  const pos = routing.argPositions;
  const best = new Float64Array(nOut).fill(Number.NaN);
  const where = new Float64Array(nOut).fill(Number.NaN);
  rows(shape, routing, undefined, (s, ob, _wb, idx) => {
    for (let j = 0; j < n; j++) {
      const v = x[s + j];
      if (Number.isNaN(v)) continue;
      const o = ob + lastOff[j];
      const cur = best[o];
      // First occurrence wins on ties, as NumPy.
      if (Number.isNaN(cur) || (isMax ? v > cur : v < cur)) {
        best[o] = v;
        const k = axis === rank - 1 ? j : idx[axis];
        where[o] = pos === undefined ? k : pos[k];
      }
    }
  });
  return where;
}
