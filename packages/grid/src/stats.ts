import type { Dataset } from "./dataset.js";
import { type DecodeOptions, decode } from "./decode.js";
import type { VariableSource } from "./source.js";
import type { Attrs, DType } from "./types.js";

/** Summary statistics of the valid (non-NaN after decoding) values of a variable. */
export interface Stats {
  /** Number of valid values. */
  validCount: number;
  /** Smallest valid value (NaN when none). */
  min: number;
  /** Largest valid value (NaN when none). */
  max: number;
  /** Mean of valid values (NaN when none). */
  mean: number;
  /** Sum of valid values. */
  sum: number;
}

/** Options of {@link computeStats}. */
export interface StatsOptions {
  /** CF decoding before the statistics (default true = full decoding); `false` uses raw values. */
  decode?: boolean | DecodeOptions;
  /** Largest hyperslab read at once, in elements (default 4 Mi): bounds memory. */
  slabElements?: number;
}

/**
 * Valid count, min, max, mean and sum of a variable after CF decoding, streamed over
 * hyperslabs so memory stays bounded by `slabElements` whatever the variable's size —
 * the numbers `gdalinfo -stats` or `cdo infon` report. Sums use Neumaier compensation so
 * a billion float32 values still sum to double precision.
 */
export async function computeStats(v: VariableSource, options: StatsOptions = {}): Promise<Stats> {
  const budget = Math.max(1, options.slabElements ?? 4 * 1024 * 1024);
  const decodeOpt = options.decode ?? true;
  let validCount = 0;
  let sum = 0;
  let comp = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const [start, count] of slabs(v.shape, budget)) {
    const raw = await v.read(start, count);
    if (Array.isArray(raw)) continue;
    const data =
      decodeOpt === false
        ? raw
        : decode(raw, v.attrs, { inPlace: true, ...(decodeOpt === true ? {} : decodeOpt) }).data;
    const isBig = data instanceof BigInt64Array || data instanceof BigUint64Array;
    for (let i = 0; i < data.length; i++) {
      const x = isBig ? Number(data[i]) : (data[i] as number);
      if (Number.isNaN(x)) continue;
      validCount++;
      const t = sum + x;
      comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
      sum = t;
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  sum += comp;
  if (validCount === 0)
    return { validCount, min: Number.NaN, max: Number.NaN, mean: Number.NaN, sum: 0 };
  return { validCount, min, max, mean: sum / validCount, sum };
}

/** Hyperslabs of at most `budget` elements covering `shape` in row-major order. */
export function* slabs(shape: readonly number[], budget: number): Generator<[number[], number[]]> {
  const rank = shape.length;
  if (shape.some((n) => n === 0)) return;
  if (rank === 0) {
    yield [[], []];
    return;
  }
  // Split axis j; every axis after it is read whole, every axis before it one index at a time.
  let j = rank - 1;
  let inner = 1;
  while (j > 0 && inner * shape[j] <= budget) {
    inner *= shape[j];
    j--;
  }
  if (inner * shape[j] <= budget) {
    yield [new Array<number>(rank).fill(0), [...shape]];
    return;
  }
  const step = Math.max(1, Math.floor(budget / inner));
  const idx = new Array<number>(j).fill(0);
  for (;;) {
    for (let s = 0; s < shape[j]; s += step) {
      const start = [...idx, s, ...new Array<number>(rank - j - 1).fill(0)];
      const count = [
        ...new Array<number>(j).fill(1),
        Math.min(step, shape[j] - s),
        ...shape.slice(j + 1),
      ];
      yield [start, count];
    }
    let a = j - 1;
    while (a >= 0) {
      idx[a]++;
      if (idx[a] < shape[a]) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

/** One variable (or raster band) in a {@link DatasetInfo}. */
export interface VariableInfo {
  /** Variable name (`band1`, … for rasters). */
  name: string;
  /** Dimension names, outermost first. */
  dims: string[];
  /** Length of each dimension. */
  shape: number[];
  /** Stored element type. */
  dtype: DType;
  /** Raw attributes, packing keys included. */
  attrs: Attrs;
  /** Present when requested and the variable is numeric. */
  stats?: Stats;
}

/** A format-agnostic summary of a dataset, the shape `geoml info --json` prints. */
export interface DatasetInfo {
  /** Back-end format tag, e.g. `"netcdf3-classic"` or `"geotiff"`. */
  format: string;
  /** Dimension lengths by name. */
  dims: Record<string, number>;
  /** Global attributes. */
  attrs: Attrs;
  /** Every variable, coordinates included, in file order. */
  variables: VariableInfo[];
}

/**
 * Summarise a dataset like `ncdump -h` / `gdalinfo`: dims, global attributes and each
 * variable's dims, shape, dtype and attributes; with `stats: true` also {@link Stats} per
 * numeric variable (streamed, bounded memory).
 */
export async function describeDataset(
  ds: Dataset,
  options: { stats?: boolean } & StatsOptions = {},
): Promise<DatasetInfo> {
  const variables: VariableInfo[] = [];
  for (const v of ds.source.variables) {
    const info: VariableInfo = {
      name: v.name,
      dims: [...v.dims],
      shape: [...v.shape],
      dtype: v.dtype,
      attrs: { ...v.attrs },
    };
    if (options.stats && v.dtype !== "string" && v.dtype !== "char") {
      info.stats = await computeStats(v, options);
    }
    variables.push(info);
  }
  return { format: ds.format, dims: { ...ds.dims }, attrs: { ...ds.attrs }, variables };
}
