import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  areaWeights,
  climatology,
  fromTable,
  maskFrom,
  mean,
  readTable,
  regridNearest,
  toTable,
  where,
} from "@geoml/grid";
import { describe, expect, it } from "vitest";
import reference from "./__fixtures__/xarray_reference.json" with { type: "json" };
import { corpusPath } from "./corpus.js";
import { openNetcdf, writeNetcdf } from "./index.js";

describe("files → mask → table → model output → file", () => {
  it("ocean-only SST matches xarray and survives the round trip", async () => {
    const ref = reference._integration;
    const sstFile = await openNetcdf(corpusPath("sst_packed.nc"));
    const lsmFile = await openNetcdf(corpusPath("landsea.nc"));
    const dir = await mkdtemp(join(tmpdir(), "geoml-integration-"));
    try {
      const sst = await sstFile.read("sst", { isel: { time: 0, lon: { start: 1, stop: -1 } } });
      const lsm = await lsmFile.read("LSMASK");
      const ocean = maskFrom(regridNearest(lsm, sst, ["lat", "lon"]), (v) => v === 0);
      expect(Array.from(ocean.data as Uint8Array).filter((v) => v === 1).length).toBe(
        ref.oceanCells,
      );

      const masked = where(sst, ocean);
      const m = mean(masked, ["lat", "lon"], areaWeights(masked)).get();
      expect(Math.abs(m - ref.weightedMean)).toBeLessThan(1e-6);

      const table = toTable(sst, {
        coords: ["lat", "lon"],
        features: ["lon_sin", "lon_cos"],
        mask: ocean,
      });
      expect(table.nrows).toBe(ref.validCount);
      // A stand-in model: a linear function of latitude.
      const prediction = table.columns.lat.map((lat) => 28 - 0.3 * Math.abs(lat));
      const grid = fromTable(prediction, table.index, {
        name: "prediction",
        attrs: { units: "degC" },
      });

      const out = join(dir, "prediction.nc");
      await writeNetcdf(out, [grid], { attrs: { Conventions: "CF-1.8" } });
      const back = await openNetcdf(out);
      const read = await back.read("prediction");
      await back.close();
      expect(read.dims).toEqual(["lat", "lon"]);
      const a = grid.data as Float64Array;
      const b = read.data as Float64Array;
      for (let i = 0; i < a.length; i++) {
        if (Number.isNaN(a[i])) expect(Number.isNaN(b[i])).toBe(true);
        else expect(b[i]).toBe(a[i]);
      }
    } finally {
      await sstFile.close();
      await lsmFile.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("lazy helpers on files", () => {
  it("readTable reads one step and flattens it with derived features", async () => {
    const ds = await openNetcdf(corpusPath("sst_packed.nc"));
    try {
      const t = await readTable(ds, {
        variables: ["sst"],
        isel: { time: 6 },
        coords: ["lat", "lon"],
        features: ["lon_sin", "lon_cos"],
      });
      const step = await ds.read("sst", { isel: { time: 6 } });
      const valid = (step.data as Float64Array).filter((v) => !Number.isNaN(v)).length;
      expect(t.nrows).toBe(valid);
      expect(Object.keys(t.columns)).toEqual(["sst", "lat", "lon", "lon_sin", "lon_cos"]);
      for (let r = 0; r < t.nrows; r += 997) {
        expect(t.columns.lon_sin[r]).toBeCloseTo(Math.sin((t.columns.lon[r] * Math.PI) / 180), 12);
      }
    } finally {
      await ds.close();
    }
  });

  it("'months since' times decode to calendar months and feed a climatology", async () => {
    const ds = await openNetcdf(corpusPath("hgt.nc"));
    try {
      const hgt = await ds.read("HGT");
      const months = hgt.coords.time.times!.map((t) => `${t.year}-${t.month}`);
      // Stored offsets 0, 1, 13, 25, …: January 1958, then every February 1958–1977.
      expect(months.slice(0, 4)).toEqual(["1958-1", "1958-2", "1959-2", "1960-2"]);
      expect(months.at(-1)).toBe("1977-2");
      const clim = climatology(hgt);
      expect(clim.shape).toEqual([12, 73, 144]);
      expect(clim.get(0, 30, 40)).toBe(hgt.get(0, 30, 40));
      let feb = 0;
      for (let t = 1; t < 21; t++) feb += hgt.get(t, 30, 40);
      // float32 data give a float32 climatology (summed in float64, rounded once).
      expect(clim.data).toBeInstanceOf(Float32Array);
      expect(clim.get(1, 30, 40)).toBe(Math.fround(feb / 20));
      expect(Number.isNaN(clim.get(2, 30, 40))).toBe(true);
    } finally {
      await ds.close();
    }
  });
});
