import { areaWeights, mean, readSel, reduce } from "@geoml/grid";
import { describe, expect, it } from "vitest";
import { corpusPath } from "./corpus.js";
import { openNetcdf } from "./index.js";

describe.each(["sstdata_netcdf.nc", "sst_nc4_deflate.nc"])(
  "%s: hyperslabs equal slices of the full read",
  (file) => {
    it("one step, a box, a single column across records", async () => {
      const ds = await openNetcdf(corpusPath(file));
      try {
        const full = await ds.read("sst", { decode: false });
        const [nt, ny, nx] = full.shape;
        const at = (t: number, y: number, x: number) => Number(full.data[(t * ny + y) * nx + x]);
        const step = await ds.read("sst", { isel: { time: 7 }, decode: false });
        expect(step.shape).toEqual([ny, nx]);
        for (let i = 0; i < ny * nx; i += 101)
          expect(Number(step.data[i])).toBe(at(7, Math.floor(i / nx), i % nx));
        const box = await ds.read("sst", {
          isel: {
            time: { start: 3, stop: 9 },
            latitude: { start: 10, stop: 20 },
            longitude: { start: 100, stop: 103 },
          },
          decode: false,
        });
        expect(box.shape).toEqual([6, 10, 3]);
        for (let t = 0; t < 6; t++)
          for (let y = 0; y < 10; y++)
            for (let x = 0; x < 3; x++) expect(box.get(t, y, x)).toBe(at(3 + t, 10 + y, 100 + x));
        const column = await ds.read("sst", {
          isel: { latitude: 45, longitude: 90 },
          decode: false,
        });
        expect(Array.from(column.data as Float32Array)).toEqual(
          Array.from({ length: nt }, (_, t) => at(t, 45, 90)),
        );
      } finally {
        await ds.close();
      }
    });
  },
);

describe("coordinates from files", () => {
  it("2-D lat/lon of a curvilinear grid attach and give area weights", async () => {
    const ds = await openNetcdf(corpusPath("pop_nc4.nc"));
    try {
      expect(ds.coordNames).toEqual(["lat2d", "lon2d"]);
      const t = await ds.read("t");
      expect(t.coords.lat2d.dims).toEqual(["nlat", "nlon"]);
      const w = areaWeights(t);
      expect(w.dims).toEqual(["nlat", "nlon"]);
      const m = mean(t, ["nlat", "nlon"], w);
      expect(m.get()).toBeGreaterThan(0);
      expect(reduce(t, ["nlat", "nlon"], "count").get()).toBe(86354);
    } finally {
      await ds.close();
    }
  });

  it("label selection on a lazy file reads a box, across the dateline", async () => {
    const ds = await openNetcdf(corpusPath("sst_packed.nc"));
    try {
      // Labels match exactly (as xarray): the first step is 1950-01-16T12:00 (noleap);
      // an offset from it is an error unless a method is asked for.
      await expect(readSel(ds, "sst", { time: 0 })).rejects.toThrow(/no 'time' label equal to 0/);
      const box = await readSel(ds, "sst", {
        time: "1950-01-16T12:00",
        lat: { from: -10, to: 10 },
        lon: { from: -20, to: 20 },
      });
      expect(box.dims).toEqual(["lat", "lon"]);
      const lon = Array.from(box.coords.lon.values as Float64Array);
      expect(lon[0]).toBe(-20);
      expect(lon.at(-1)).toBe(20);
      expect(lon.every((v, i) => i === 0 || v > lon[i - 1])).toBe(true);
      expect(box.shape).toEqual([11, 21]);
    } finally {
      await ds.close();
    }
  });
});
