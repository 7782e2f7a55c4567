// @geoml/grid operations on the shipped files against xarray
// (tools/oracles/grid_ops_xarray.py; sampled on a coarse sub-grid). Packed shorts are
// unpacked in float64 on both sides, so the tolerance is 1e-12.
import {
  anomaly,
  areaWeights,
  type DataArray,
  groupby,
  isel,
  quantile,
  reduce,
  reduceLazy,
  resample,
  rolling,
  sel,
  weighted,
} from "@geoml/grid";
import { describe, expect, it } from "vitest";
import ref from "./__fixtures__/grid_ops_files.json" with { type: "json" };
import { corpusPath } from "./corpus.js";
import { openNetcdf } from "./index.js";

interface Result {
  dims: string[];
  shape: number[];
  data: Array<number | null>;
}

function close(actual: ArrayLike<number>, expected: Array<number | null>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (e === null) expect(Number.isNaN(actual[i]), `${what}[${i}]`).toBe(true);
    else
      expect(Math.abs(actual[i] - e), `${what}[${i}]`).toBeLessThanOrEqual(
        1e-12 * Math.max(1, Math.abs(e)),
      );
  }
}

function expectResult(a: DataArray, r: Result, what: string): void {
  expect(a.dims, what).toEqual(r.dims);
  expect(a.shape, what).toEqual(r.shape);
  close(a.data as ArrayLike<number>, r.data, what);
}

const sub = (a: DataArray, y = 10, x = 20) => isel(a, { lat: { step: y }, lon: { step: x } });

describe("sst_packed.nc (monthly, noleap)", () => {
  it("weighted mean, seasons, quantile, rolling, anomalies, std, a box across the seam", async () => {
    const ds = await openNetcdf(corpusPath("sst_packed.nc"));
    try {
      const sst = await ds.read("sst", { decode: { output: "float64" } });
      const r = ref.sst as unknown as Record<string, Result> & {
        weighted_mean: Array<number | null>;
        seam_box_mean: Array<number | null>;
        seam_box_lon: number[];
      };
      close(
        weighted(sst, areaWeights(sst)).mean(["lat", "lon"]).data as Float64Array,
        r.weighted_mean,
        "weighted mean",
      );
      expectResult(sub(groupby(sst, "time.season").mean()), r.season_mean, "season mean");
      expectResult(sub(quantile(sst, 0.9, "time")), r.quantile90, "quantile");
      expectResult(sub(rolling(sst, { time: 3 }, { center: true }).mean()), r.rolling3, "rolling");
      expectResult(sub(anomaly(sst)), r.anomaly, "anomaly");
      expectResult(sub(reduce(sst, "time", "std")), r.std_time, "std");
      const box = sel(sst, { lat: { from: -20, to: 20 }, lon: { from: 300, to: 20 } });
      expect(Array.from(box.coords.lon.values as Float64Array)).toEqual(
        r.seam_box_lon.map((x) => (x >= 300 ? x : x)),
      );
      close(reduce(box, ["lat", "lon"], "mean").data as Float64Array, r.seam_box_mean, "seam box");
    } finally {
      await ds.close();
    }
  });
});

describe("streaming reductions on a lazily opened file", () => {
  it("reduceLazy over time reads slab by slab and matches the whole-array reduction", async () => {
    const ds = await openNetcdf(corpusPath("sst_packed.nc"));
    try {
      const whole = await ds.read("sst");
      for (const op of ["mean", "std", "max", "count"] as const) {
        // 20,000 elements per slab: one of the 12 time steps (91 × 181) at a time.
        const lazy = await reduceLazy(ds, "sst", ["time"], op, { slabElements: 20000 });
        const mem = reduce(whole, ["time"], op);
        const x = lazy.data as ArrayLike<number>;
        const y = mem.data as ArrayLike<number>;
        expect(lazy.shape).toEqual([91, 181]);
        for (let i = 0; i < y.length; i++) {
          if (Number.isNaN(y[i])) expect(Number.isNaN(x[i]), `${op}[${i}]`).toBe(true);
          else
            expect(Math.abs(x[i] - y[i]), `${op}[${i}]`).toBeLessThanOrEqual(
              1e-9 * Math.max(1, Math.abs(y[i])),
            );
        }
      }
      const perStep = await reduceLazy(ds, "sst", ["lat", "lon"], "median", {
        slabElements: 20000,
      });
      expect(Array.from(perStep.data as ArrayLike<number>)).toEqual(
        Array.from(reduce(whole, ["lat", "lon"], "median").data as ArrayLike<number>),
      );
    } finally {
      await ds.close();
    }
  });
});

describe("hgt.nc (months since 1958)", () => {
  it("seasonal means, yearly maxima, median", async () => {
    const ds = await openNetcdf(corpusPath("hgt.nc"));
    try {
      const hgt = await ds.read("HGT", { decode: { output: "float64" } });
      const r = ref.hgt as unknown as Record<string, Result> & { times: string[] };
      const times = hgt.coords.time.times!.map(
        (t) => `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")}`,
      );
      expect(times).toEqual(r.times);
      expectResult(sub(groupby(hgt, "time.season").mean(), 12, 24), r.season_mean, "season mean");
      expectResult(sub(resample(hgt, "YS").max(), 12, 24), r.resample_year_max, "yearly max");
      expectResult(sub(reduce(hgt, "time", "median"), 12, 24), r.median_time, "median");
    } finally {
      await ds.close();
    }
  });
});
