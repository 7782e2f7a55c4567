import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { areaWeights, fromTable, maskFrom, mean, regridNearest, toTable, where } from "@geoml/grid";
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
