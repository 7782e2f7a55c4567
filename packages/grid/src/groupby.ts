/**
 * Split–apply–combine over one dimension: `groupby` by a coordinate or a date part
 * (`"time.month"`, `"time.season"`, `"time.year"`, `"time.dayofyear"`), `resample` into
 * calendar months, seasons (DJF, MAM, JJA, SON) or years on every CF calendar, and
 * `coarsen` into fixed blocks. All reductions run through the same kernel as `reduce`.
 */
import { checkChoice, checkInteger, checkOptions, describe } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { numeric, type Reduction, type Routing, runReduction } from "./reduce-engine.js";
import { checkReduce, type ReduceOptions, reducedAttrs } from "./reductions.js";
import { gatherArray } from "./select.js";
import { type CFDatetime, dayOfYear, encodeTime } from "./time.js";
import { type ArrayData, attrString, type FloatOf } from "./types.js";

/** Date parts of {@link datePart}. */
export type DatePart =
  | "year"
  | "month"
  | "day"
  | "hour"
  | "minute"
  | "second"
  | "dayofyear"
  | "season";

const DATE_PARTS: readonly DatePart[] = [
  "year",
  "month",
  "day",
  "hour",
  "minute",
  "second",
  "dayofyear",
  "season",
];

const SEASONS = [
  "DJF",
  "DJF",
  "MAM",
  "MAM",
  "MAM",
  "JJA",
  "JJA",
  "JJA",
  "SON",
  "SON",
  "SON",
  "DJF",
];

/** Season code of a month (1–12): DJF, MAM, JJA or SON. */
export function seasonOf(month: number): string {
  return SEASONS[month - 1];
}

function timesOf(a: DataArray, dim: string, fn: string): CFDatetime[] {
  a.axis(dim);
  const c = a.coord(dim);
  if (c?.times === undefined) {
    throw new GridError(
      "INVALID_TIME_UNITS",
      `${fn}: dimension '${dim}' has no decoded times (its coordinate needs units '<unit> since <date>')`,
      { variable: a.name },
    );
  }
  return c.times;
}

function partOf(t: CFDatetime, part: DatePart): number | string {
  switch (part) {
    case "year":
      return t.year;
    case "month":
      return t.month;
    case "day":
      return t.day;
    case "hour":
      return t.hour;
    case "minute":
      return t.minute;
    case "second":
      return t.second;
    case "dayofyear":
      return dayOfYear(t);
    case "season":
      return seasonOf(t.month);
  }
}

/**
 * A date part of a time coordinate as a DataArray over that dim (xarray's `time.dt.month`);
 * `season` gives strings "DJF", "MAM", "JJA", "SON". Works on every CF calendar.
 *
 * @throws GridError `INVALID_ARGUMENT` (unknown part), `INVALID_TIME_UNITS` (no decoded times)
 */
export function datePart(a: DataArray, part: DatePart, dim = "time"): DataArray {
  checkChoice("datePart", "part", part, DATE_PARTS);
  const times = timesOf(a, dim, "datePart");
  const c = a.coord(dim)!;
  const values = times.map((t) => partOf(t, part));
  const data = part === "season" ? (values as string[]) : Float64Array.from(values as number[]);
  return new DataArray({
    name: part,
    dims: [dim],
    shape: [times.length],
    data,
    coords: { [dim]: c },
  });
}

/** Groups of one dimension: a group id per position and the group labels. */
interface Groups {
  dim: string;
  groupDim: string;
  ids: Int32Array;
  labels: Float64Array | string[];
  coord: Coordinate;
}

function makeGroups(a: DataArray, key: string): Groups {
  if (typeof key !== "string")
    throw new GridError(
      "INVALID_ARGUMENT",
      `groupby: key must be a coordinate name or "time.month" etc.; got ${describe(key)}`,
    );
  const dot = key.indexOf(".");
  let dim: string;
  let raw: Array<number | string>;
  let groupDim: string;
  if (dot > 0) {
    const coordName = key.slice(0, dot);
    const part = checkChoice("groupby", `date part in '${key}'`, key.slice(dot + 1), DATE_PARTS);
    const c = a.coords[coordName] ?? a.coord(coordName);
    if (c === undefined || c.dims.length !== 1) {
      throw new GridError("INVALID_ARGUMENT", `groupby: no 1-D coordinate '${coordName}'`, {
        variable: a.name,
      });
    }
    dim = c.dims[0];
    raw = timesOf(a, dim, "groupby").map((t) => partOf(t, part));
    groupDim = part;
  } else {
    const c = a.coords[key] ?? a.coord(key);
    if (c === undefined || c.dims.length !== 1) {
      throw new GridError(
        "INVALID_ARGUMENT",
        `groupby: no 1-D coordinate '${key}' (coordinates: ${Object.keys(a.coords).join(", ")})`,
        {
          variable: a.name,
        },
      );
    }
    dim = c.dims[0];
    raw = Array.from(c.values as ArrayLike<number | string>);
    groupDim = key === dim ? key : key;
  }
  // Group labels sorted, as xarray/pandas do (DJF, JJA, MAM, SON for seasons).
  const unique = [...new Set(raw)].filter((v) => typeof v === "string" || !Number.isNaN(v));
  const numericLabels = unique.every((v) => typeof v === "number");
  if (numericLabels) (unique as number[]).sort((x, y) => x - y);
  else unique.sort();
  const pos = new Map(unique.map((v, i) => [v, i]));
  const ids = Int32Array.from(raw, (v) => pos.get(v) ?? -1);
  const labels = numericLabels ? Float64Array.from(unique as number[]) : (unique as string[]);
  return { dim, groupDim, ids, labels, coord: { dims: [groupDim], values: labels, attrs: {} } };
}

/** Reductions and `map` over groups (xarray's `DataArrayGroupBy`). */
export interface GroupBy<T extends ArrayData = ArrayData> {
  /** The dimension that is split. */
  readonly dim: string;
  /** The name of the group dimension in results (`month`, `season`, … or the coordinate). */
  readonly groupDim: string;
  /** Group labels, sorted. */
  readonly labels: Float64Array | string[];
  /** Reduce each group over the split dimension with any reduction. */
  reduce(op: Reduction, options?: Omit<ReduceOptions, "weights">): DataArray;
  mean(): DataArray<FloatOf<T>>;
  sum(): DataArray<FloatOf<T>>;
  min(): DataArray<FloatOf<T>>;
  max(): DataArray<FloatOf<T>>;
  count(): DataArray<Float64Array>;
  median(): DataArray<FloatOf<T>>;
  std(options?: { ddof?: number }): DataArray<FloatOf<T>>;
  var(options?: { ddof?: number }): DataArray<FloatOf<T>>;
  quantile(q: number | number[]): DataArray<FloatOf<T>>;
  /**
   * Apply `fn` to each group (a DataArray holding that group's positions) and combine:
   * results that keep the split dimension go back in the original order (e.g. anomalies);
   * results without it are stacked along the group dimension.
   */
  map(fn: (group: DataArray, label: number | string) => DataArray): DataArray;
}

/**
 * Group `a` by a 1-D coordinate or a date part (`"time.month"`, `"time.season"`,
 * `"time.year"`, `"time.dayofyear"`), like xarray's `groupby`.
 *
 * @throws GridError `INVALID_ARGUMENT`, `INVALID_TIME_UNITS`
 */
export function groupby<T extends ArrayData>(a: DataArray<T>, key: string): GroupBy<T> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `groupby: expected a DataArray; got ${describe(a)}`);
  const g = makeGroups(a, key);
  return groupObject(a, g, "groupby") as GroupBy<T>;
}

function groupObject(a: DataArray, g: Groups, fn: string): GroupBy {
  // Float results by the dtype policy; the public signatures narrow them per op.
  const red = (op: Reduction, options: Omit<ReduceOptions, "weights"> = {}) =>
    groupedReduce(fn, a, g, op, options) as DataArray<Float32Array | Float64Array>;
  return {
    dim: g.dim,
    groupDim: g.groupDim,
    labels: g.labels,
    reduce: red,
    mean: () => red("mean"),
    sum: () => red("sum"),
    min: () => red("min"),
    max: () => red("max"),
    count: () => red("count") as DataArray<Float64Array>,
    median: () => red("median"),
    std: (o = {}) => red("std", o),
    var: (o = {}) => red("var", o),
    quantile: (q) => red("quantile", { q }),
    map: (f) => groupedMap(fn, a, g, f),
  };
}

function groupedReduce(
  fn: string,
  a: DataArray,
  g: Groups,
  op: Reduction,
  options: unknown,
): DataArray {
  const p = checkReduce(fn, op, options);
  if ((options as ReduceOptions | undefined)?.weights !== undefined) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `${fn}: weights are not supported in grouped reductions`,
    );
  }
  const axis = a.axis(g.dim);
  const ng = g.labels.length;
  const shape = a.shape.map((n, i) => (i === axis ? ng : n));
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const routing: Routing = {
    nOut: s,
    offsets: a.dims.map((_, ax) =>
      Int32Array.from({ length: a.shape[ax] }, (_, i) =>
        ax === axis ? g.ids[i] * strides[ax] : i * strides[ax],
      ),
    ),
    argAxis: axis,
    // argmin/argmax report the position within each group, as xarray does.
    argPositions: positionsInGroups(g.ids),
  };
  // Positions outside every group (NaN labels) go nowhere: route them to a scratch cell.
  const orphan = g.ids.some((x) => x < 0);
  if (orphan) {
    routing.offsets[axis] = Int32Array.from(g.ids, (x) => (x < 0 ? s : x * strides[axis]));
    routing.nOut = s + 1;
  }
  let values = runReduction(numeric(a.data, fn), a.shape, routing, {
    op: p.op,
    ddof: p.ddof,
    q: p.q,
  });
  if (orphan) values = values.subarray(0, s).slice();
  const dims = a.dims.map((d, i) => (i === axis ? g.groupDim : d));
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) if (!c.dims.includes(g.dim)) coords[k] = c;
  coords[g.groupDim] = g.coord;
  const f32 = a.data instanceof Float32Array && !["count", "argmin", "argmax"].includes(p.op);
  const attrs = reducedAttrs(a.attrs, [g.dim], p.op);
  if (p.op === "quantile" && !p.qScalar) {
    coords.quantile = { dims: ["quantile"], values: Float64Array.from(p.q), attrs: {} };
    return new DataArray({
      name: a.name,
      dims: ["quantile", ...dims],
      shape: [p.q.length, ...shape],
      data: f32 ? Float32Array.from(values) : values,
      coords,
      attrs,
    });
  }
  return new DataArray({
    name: a.name,
    dims,
    shape,
    data: f32 ? Float32Array.from(values.subarray(0, s)) : values.subarray(0, s).slice(),
    coords,
    attrs,
  });
}

function positionsInGroups(ids: Int32Array): Int32Array {
  const seen = new Map<number, number>();
  return Int32Array.from(ids, (id) => {
    const k = seen.get(id) ?? 0;
    seen.set(id, k + 1);
    return k;
  });
}

function groupedMap(
  fn: string,
  a: DataArray,
  g: Groups,
  f: (group: DataArray, label: number | string) => DataArray,
): DataArray {
  if (typeof f !== "function")
    throw new GridError("INVALID_ARGUMENT", `${fn}: map needs a function; got ${describe(f)}`);
  const axis = a.axis(g.dim);
  const members: number[][] = Array.from({ length: g.labels.length }, () => []);
  g.ids.forEach((id, i) => {
    if (id >= 0) members[id].push(i);
  });
  const results = members.map((m, k) => {
    const picks = a.shape.map((n, ax) =>
      ax === axis ? m : Array.from({ length: n }, (_, i) => i),
    );
    const part = gatherArray(
      a,
      picks,
      a.dims.map(() => true),
    );
    const r = f(part, g.labels[k]);
    if (!(r instanceof DataArray))
      throw new GridError(
        "INVALID_ARGUMENT",
        `${fn}: map function must return a DataArray; got ${describe(r)}`,
      );
    return r;
  });
  if (results.length === 0) throw new GridError("INVALID_ARGUMENT", `${fn}: no groups to map over`);
  const first = results[0];
  const keepsDim = first.dims.includes(g.dim);
  if (keepsDim) {
    // Scatter each group's rows back to their original positions.
    const raxis = first.axis(g.dim);
    const outShape = first.shape.map((n, i) => (i === raxis ? a.shape[axis] : n));
    const size = outShape.reduce((x, y) => x * y, 1);
    const out =
      first.data instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
    let outer = 1;
    let inner = 1;
    for (let i = 0; i < raxis; i++) outer *= outShape[i];
    for (let i = raxis + 1; i < outShape.length; i++) inner *= outShape[i];
    const nt = a.shape[axis];
    results.forEach((r, k) => {
      if (r.dims.join() !== first.dims.join() || r.shape[raxis] !== members[k].length) {
        throw new GridError(
          "SHAPE_MISMATCH",
          `${fn}: map results differ in dims or lose positions of '${g.dim}'`,
        );
      }
      const x = numeric(r.data, fn);
      const m = members[k];
      for (let o = 0; o < outer; o++)
        for (let t = 0; t < m.length; t++)
          for (let i = 0; i < inner; i++)
            out[(o * nt + m[t]) * inner + i] = x[(o * m.length + t) * inner + i];
    });
    const coords: Record<string, Coordinate> = { ...first.coords };
    for (const [k, c] of Object.entries(a.coords))
      if (c.dims.length === 1 && c.dims[0] === g.dim) coords[k] = c;
    return new DataArray({
      name: first.name,
      dims: [...first.dims],
      shape: outShape,
      data: out,
      coords,
      attrs: { ...first.attrs },
    });
  }
  // Stack along a new leading group dimension.
  const size = first.size;
  const out = new Float64Array(size * results.length);
  results.forEach((r, k) => {
    if (r.dims.join() !== first.dims.join() || r.size !== size) {
      throw new GridError("SHAPE_MISMATCH", `${fn}: map results differ in dims or shape`);
    }
    out.set(numeric(r.data, fn), k * size);
  });
  return new DataArray({
    name: first.name,
    dims: [g.groupDim, ...first.dims],
    shape: [results.length, ...first.shape],
    data: out,
    coords: { ...first.coords, [g.groupDim]: g.coord },
    attrs: { ...first.attrs },
  });
}

/** Period lengths of {@link resample}. */
export type ResampleFreq = "month" | "season" | "year";

const FREQ_ALIASES: Record<string, ResampleFreq> = {
  month: "month",
  MS: "month",
  season: "season",
  "QS-DEC": "season",
  year: "year",
  YS: "year",
  AS: "year",
};

/**
 * Resample along a time dimension into calendar months, seasons (DJF, MAM, JJA, SON —
 * December counts with the following January and February) or years, on any CF calendar
 * (xarray's `resample(time="MS" | "QS-DEC" | "YS")`). Every period from the first to the
 * last time step is present, empty ones NaN (count 0); labels are the period starts.
 *
 * @param freq - `"month"` (`"MS"`), `"season"` (`"QS-DEC"`) or `"year"` (`"YS"`)
 * @throws GridError `INVALID_ARGUMENT`, `INVALID_TIME_UNITS`
 */
export function resample<T extends ArrayData>(
  a: DataArray<T>,
  freq: ResampleFreq | "MS" | "QS-DEC" | "YS",
  options: { dim?: string } = {},
): GroupBy<T> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `resample: expected a DataArray; got ${describe(a)}`);
  const o = checkOptions("resample", "options", options, ["dim"]);
  const dim = (o.dim as string | undefined) ?? "time";
  const f = FREQ_ALIASES[freq as string];
  if (f === undefined) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `resample: freq must be one of ${Object.keys(FREQ_ALIASES)
        .map((k) => `"${k}"`)
        .join(", ")}; got ${describe(freq)}`,
    );
  }
  const times = timesOf(a, dim, "resample");
  const c = a.coord(dim)!;
  const units = attrString(c.attrs, "units");
  if (units === undefined)
    throw new GridError("INVALID_TIME_UNITS", `resample: '${dim}' has no units`);
  const cal = attrString(c.attrs, "calendar");
  // Period index: months since year 0 / 3-month blocks starting in December / years.
  const period = (t: CFDatetime): number => {
    const m = t.year * 12 + (t.month - 1);
    if (f === "month") return m;
    if (f === "year") return t.year;
    return Math.floor((m + 1) / 3); // Dec of year y joins Jan/Feb of y+1
  };
  const start = (p: number, calendar: CFDatetime["calendar"]): CFDatetime => {
    const base = { day: 1, hour: 0, minute: 0, second: 0, calendar };
    if (f === "year") return { ...base, year: p, month: 1 };
    const m = f === "month" ? p : p * 3 - 1;
    return { ...base, year: Math.floor(m / 12), month: m - Math.floor(m / 12) * 12 + 1 };
  };
  const ps = times.map(period);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const p of ps) {
    if (p < lo) lo = p;
    if (p > hi) hi = p;
  }
  const n = times.length === 0 ? 0 : hi - lo + 1;
  const calendar = times[0]?.calendar ?? "standard";
  const labelTimes = Array.from({ length: n }, (_, k) => start(lo + k, calendar));
  const values = Float64Array.from(labelTimes, (t) => encodeTime(t, units, cal));
  const g: Groups = {
    dim,
    groupDim: dim,
    ids: Int32Array.from(ps, (p) => p - lo),
    labels: values,
    coord: { dims: [dim], values, attrs: { ...c.attrs }, times: labelTimes },
  };
  return groupObject(a, g, "resample") as GroupBy<T>;
}

/** Options of {@link coarsen}. */
export interface CoarsenOptions {
  /** What to do when a length is not a multiple of the window: `"exact"` (error, default) or `"trim"`. */
  boundary?: "exact" | "trim";
}

/**
 * Block reduction (xarray's `coarsen(...).op()`): `{ lat: 2, lon: 2 }` averages 2×2 blocks.
 * Coordinates of coarsened dims become block means (xarray's default `coord_func`).
 *
 * @throws GridError `INVALID_ARGUMENT` (bad window, boundary or op), `UNKNOWN_DIMENSION`
 */
export function coarsen<T extends ArrayData>(
  a: DataArray<T>,
  windows: Record<string, number>,
  op: Reduction = "mean",
  options: CoarsenOptions & Omit<ReduceOptions, "weights"> = {},
): DataArray<Float32Array | Float64Array> {
  if (!(a instanceof DataArray))
    throw new GridError("INVALID_ARGUMENT", `coarsen: expected a DataArray; got ${describe(a)}`);
  const o = checkOptions("coarsen", "options", options, ["boundary", "ddof", "q"]);
  const boundary =
    o.boundary === undefined
      ? "exact"
      : checkChoice("coarsen", "options.boundary", o.boundary, ["exact", "trim"] as const);
  const p = checkReduce("coarsen", op, { ddof: o.ddof, q: o.q });
  if (p.op === "quantile" && !p.qScalar)
    throw new GridError("INVALID_ARGUMENT", "coarsen: one quantile at a time");
  if (typeof windows !== "object" || windows === null)
    throw new GridError(
      "INVALID_ARGUMENT",
      `coarsen: windows must be { dim: size }; got ${describe(windows)}`,
    );
  let cur = a;
  const win = a.dims.map((d) => {
    const w = windows[d];
    return w === undefined ? 1 : checkInteger("coarsen", `windows.${d}`, w, 1);
  });
  for (const d of Object.keys(windows)) a.axis(d);
  // Trim first, so every block is full.
  const picks = a.shape.map((n, i) => {
    const m = Math.floor(n / win[i]) * win[i];
    if (m !== n && boundary === "exact") {
      throw new GridError(
        "INVALID_ARGUMENT",
        `coarsen: '${a.dims[i]}' has length ${n}, not a multiple of ${win[i]}; pass { boundary: "trim" }`,
      );
    }
    return Array.from({ length: m }, (_, k) => k);
  });
  cur = gatherArray(
    a,
    picks,
    a.dims.map(() => true),
  );
  const shape = cur.shape.map((n, i) => n / win[i]);
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const routing: Routing = {
    nOut: s,
    offsets: cur.dims.map((_, ax) =>
      Int32Array.from({ length: cur.shape[ax] }, (_, i) => Math.floor(i / win[ax]) * strides[ax]),
    ),
  };
  const values = runReduction(numeric(cur.data, "coarsen"), cur.shape, routing, {
    op: p.op,
    ddof: p.ddof,
    q: p.q,
  });
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(cur.coords)) {
    if (c.dims.every((d) => win[cur.axis(d)] === 1)) coords[k] = c;
    else if (c.dims.length === 1 && c.values instanceof Float64Array) {
      const w = win[cur.axis(c.dims[0])];
      const v = c.values;
      const m = v.length / w;
      const values = Float64Array.from({ length: m }, (_, j) => {
        let t = 0;
        for (let i = 0; i < w; i++) t += v[j * w + i];
        return t / w;
      });
      coords[k] = { dims: [...c.dims], values, attrs: c.attrs };
    }
  }
  const f32 = cur.data instanceof Float32Array && !["count", "argmin", "argmax"].includes(p.op);
  const rdims = cur.dims.filter((_, i) => win[i] > 1);
  return new DataArray({
    name: a.name,
    dims: [...cur.dims],
    shape,
    data: f32 ? Float32Array.from(values) : values,
    coords,
    attrs: reducedAttrs(a.attrs, rdims, p.op),
  });
}
