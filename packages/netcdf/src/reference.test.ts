import { type ArrayData, formatCFDatetime } from "@geoml/grid";
import { describe, expect, it } from "vitest";
import reference from "./__fixtures__/xarray_reference.json" with { type: "json" };
import { corpusPath } from "./corpus.js";
import { openNetcdf } from "./index.js";

interface Stats {
  validCount: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}
interface VarRef {
  dims: string[];
  shape: number[];
  dtype: string;
  xarray: Stats;
  netcdf4: Stats;
  samples: Array<[number, number | null]>;
  rawSamples: Array<[number, number]>;
  times?: string[];
  timesError?: string;
}
interface GroupRef {
  dims: Record<string, number>;
  unlimited: string[];
  variables: Record<string, VarRef>;
}
type FileRef = GroupRef & { kind: string; groups?: Record<string, GroupRef> };

const FORMATS: Record<string, string> = {
  classic: "netcdf3-classic",
  "64-bit offset": "netcdf3-64bit-offset",
  cdf5: "netcdf3-cdf5",
  "netCDF-4": "netcdf4",
};

function stats(data: ArrayData): Stats {
  let validCount = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (Number.isNaN(v)) continue;
    validCount++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return validCount === 0
    ? { validCount, sum, min: null, max: null, mean: null }
    : { validCount, sum, min, max, mean: sum / validCount };
}

// Float precision: xarray unpacks in float32 where we unpack in float64.
function close(actual: number | null, expected: number | null, rel = 1e-6): void {
  if (expected === null) {
    expect(actual === null || Number.isNaN(actual)).toBe(true);
    return;
  }
  expect(actual).not.toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(
    rel * Math.max(1, Math.abs(expected)),
  );
}

function closeStats(actual: Stats, expected: Stats): void {
  expect(actual.validCount).toBe(expected.validCount);
  close(actual.sum, expected.sum);
  close(actual.min, expected.min);
  close(actual.max, expected.max);
  close(actual.mean, expected.mean);
}

// cftime prints negative years unpadded; compare the numeric fields.
function normaliseIso(s: string): string {
  const m = /^(-?)(\d+)(-.*)$/.exec(s)!;
  return `${m[1]}${Number(m[2])}${m[3]}`;
}

const files = Object.entries(reference as unknown as Record<string, FileRef>).filter(
  ([name]) => !name.startsWith("_"),
);

describe.each(files)("%s matches xarray and netCDF4-python", (file, ref) => {
  const groups: Array<[string | undefined, GroupRef]> = [[undefined, ref]];
  for (const [g, gref] of Object.entries(ref.groups ?? {})) groups.push([g, gref]);

  it.each(groups)("group %s", async (group, gref) => {
    const ds = await openNetcdf(corpusPath(file), group === undefined ? {} : { group });
    try {
      expect(ds.format).toBe(FORMATS[ref.kind]);
      // The root also lists the dimensions of sub-groups, by path ("grp1/lat").
      const own = Object.entries(ds.dims).filter(([d]) => group !== undefined || !d.includes("/"));
      expect(Object.fromEntries(own)).toEqual(gref.dims);
      const unlimited = (ds.source.unlimitedDims ?? []).filter(
        (d) => group !== undefined || !d.includes("/"),
      );
      expect([...unlimited].sort()).toEqual([...gref.unlimited].sort());
      for (const [name, v] of Object.entries(gref.variables)) {
        const src = ds.variable(name);
        expect(src.dims, name).toEqual(v.dims);
        expect(src.shape, name).toEqual(v.shape);
        expect(src.dtype, name).toBe(v.dtype);

        const raw = await ds.read(name, { decode: false, coords: false });
        for (const [i, value] of v.rawSamples)
          expect(Number(raw.data[i]), `${name}[${i}]`).toBe(value);

        const asXarray = await ds.read(name, { decode: { validRange: false }, coords: false });
        closeStats(stats(asXarray.data), v.xarray);
        for (const [i, value] of v.samples) close(Number(asXarray.data[i]), value);

        const asNetcdf4 = await ds.read(name, { coords: false });
        closeStats(stats(asNetcdf4.data), v.netcdf4);

        if (v.times !== undefined) {
          const withTimes = await ds.read(name);
          const times = withTimes.coords[name].times!;
          expect(times.map((t) => normaliseIso(formatCFDatetime(t)))).toEqual(
            v.times.map(normaliseIso),
          );
        }
      }
    } finally {
      await ds.close();
    }
    if (group === undefined) return;
    // The same variables, addressed by path from the root.
    const root = await openNetcdf(corpusPath(file));
    try {
      for (const [name, v] of Object.entries(gref.variables)) {
        const path = `/${group}/${name}`;
        expect(root.variable(path).shape, path).toEqual(v.shape);
        const raw = await root.read(path, { decode: false, coords: false });
        for (const [i, value] of v.rawSamples)
          expect(Number(raw.data[i]), `${path}[${i}]`).toBe(value);
        closeStats(stats((await root.read(path, { coords: false })).data), v.netcdf4);
      }
    } finally {
      await root.close();
    }
  });
});
