import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { fixturePath } from "./samples.js";
import type { Stats } from "./stats.js";

/** One band as GDAL reads it (see tools/oracles/geotiff_gdal.py). */
export interface BandReference {
  dtype: string;
  nodata: number | "nan" | null;
  scale: number | null;
  offset: number | null;
  units: string | null;
  stats: Stats;
  window: Stats;
  /** `[row, col, raw, decoded]`; null stands for NaN. */
  samples: Array<[number, number, number | null, number | null]>;
  overviewStats: Stats[];
}

/** One file as GDAL reads it. */
export interface FileReference {
  width: number;
  height: number;
  bands: number;
  geotransform: number[] | null;
  epsg: number | null;
  x: [number, number] | null;
  y: [number, number] | null;
  overviews: Array<[number, number]>;
  band: BandReference[];
}

/** The whole GDAL reference fixture. */
export interface GdalReference {
  window: { x: number; y: number; width: number; height: number };
  corpus: Record<string, FileReference>;
  written: Record<string, FileReference>;
}

/** Load `src/__fixtures__/gdal_reference.json`. */
export function gdalReference(): GdalReference {
  return JSON.parse(readFileSync(fixturePath("gdal_reference.json"), "utf8")) as GdalReference;
}

/** Expect `actual` within a relative tolerance of `expected` (null = NaN). */
export function expectClose(actual: number, expected: number | null, rel = 1e-12): void {
  if (expected === null) {
    expect(actual).toBeNaN();
    return;
  }
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
}

/** Expect two sets of statistics to agree to float precision. */
export function expectStats(actual: Stats, expected: Stats, rel = 1e-12): void {
  expect(actual.validCount).toBe(expected.validCount);
  for (const k of ["sum", "min", "max", "mean"] as const) {
    if (expected[k] === null) expect(actual[k]).toBeNull();
    else expectClose(actual[k]!, expected[k], rel);
  }
}
