import { readFileSync } from "node:fs";
import { DataArray } from "@geoml/grid";
import { describe, expect, it } from "vitest";
import { GeotiffError } from "./errors.js";
import { openGeotiff } from "./open.js";
import { readGeotiff } from "./read.js";
import { expectClose, expectStats, gdalReference } from "./testing/reference.js";
import { fixturePath, type WrittenSample, writtenSamples } from "./testing/samples.js";
import { statsOf } from "./testing/stats.js";
import { encodeGeotiff } from "./write.js";

const ref = gdalReference();
const samples = await writtenSamples();

describe.each(samples.map((s) => [s.file, s] as [string, WrittenSample]))(
  "writing %s",
  (file, sample) => {
    it("gives the committed bytes that GDAL read", async () => {
      const bytes = await encodeGeotiff(sample.array, sample.options);
      expect(Buffer.from(bytes).equals(readFileSync(fixturePath(`written/${file}`)))).toBe(true);
    });

    it("is read by GDAL with the georeferencing, nodata and values of the source", () => {
      const gdal = ref.written[file];
      const source = ref.corpus[sample.from.file];
      expect(gdal.geotransform).toEqual(source.geotransform);
      expect(gdal.epsg).toBe(source.epsg);
      expect([gdal.width, gdal.height, gdal.bands]).toEqual([
        source.width,
        source.height,
        sample.from.bands.length,
      ]);
      sample.from.bands.forEach((b, i) => {
        expectStats(gdal.band[i].stats, source.band[b - 1].stats);
      });
      if (sample.options.nodata !== undefined) {
        const nodata = Number.isNaN(sample.options.nodata) ? "nan" : sample.options.nodata;
        expect(gdal.band[0].nodata).toBe(nodata);
      }
      if (sample.options.scale !== undefined) {
        expect([gdal.band[0].scale, gdal.band[0].offset]).toEqual([
          sample.options.scale,
          sample.options.offset,
        ]);
      }
    });

    it("reads back with ours to the same decoded values", async () => {
      const back = await readGeotiff(await encodeGeotiff(sample.array, sample.options));
      const source = ref.corpus[sample.from.file];
      const n = source.width * source.height;
      sample.from.bands.forEach((b, i) => {
        const band = (back.data as Float64Array).subarray(i * n, (i + 1) * n);
        expectStats(statsOf(band), source.band[b - 1].stats);
      });
      expectClose(back.coords.x.values[0] as number, source.x![0]);
      expectClose(back.coords.y.values[0] as number, source.y![0]);
    });
  },
);

describe("writer checks its input", () => {
  const grid = (coords: Record<string, number[]>) =>
    new DataArray({
      name: "t",
      dims: ["y", "x"],
      shape: [2, 3],
      data: new Float32Array([1, 2, 3, 4, Number.NaN, 6]),
      coords: Object.fromEntries(
        Object.entries(coords).map(([k, v]) => [
          k,
          { dims: [k], values: Float64Array.from(v), attrs: {} },
        ]),
      ),
      attrs: { crs: "EPSG:32633", units: "K" },
    });

  it("derives a projected geotransform and CRS from coordinates and attributes", async () => {
    const bytes = await encodeGeotiff(grid({ x: [500, 1500, 2500], y: [7000, 6000] }));
    const back = await readGeotiff(bytes, { band: 1 });
    expect(back.attrs.geotransform).toEqual([0, 1000, 0, 7500, 0, -1000]);
    expect(back.attrs.epsg).toBe(32633);
    expect(back.attrs.units).toBe("K");
    expect(back.coords.x.attrs.standard_name).toBe("projection_x_coordinate");
    expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4, Number.NaN, 6]);
  });

  it("rounds and clamps when storing integers", async () => {
    const a = new DataArray({
      name: "t",
      dims: ["y", "x"],
      shape: [1, 4],
      data: new Float64Array([-3.6, 2.5, 300, 7.4]),
    });
    const back = await readGeotiff(await encodeGeotiff(a, { dtype: "uint8" }), {
      band: 1,
      decode: false,
    });
    expect(Array.from(back.data as Uint8Array)).toEqual([0, 3, 255, 7]);
  });

  it("writes plain TIFFs without coordinates, and rotated grids as ModelTransformation", async () => {
    const plain = await readGeotiff(await encodeGeotiff(grid({}), { dtype: "int16", nodata: -1 }), {
      band: 1,
    });
    expect(plain.attrs.geotransform).toBeUndefined();
    expect(plain.coords.x).toBeUndefined();
    expect(plain.encoding.dtype).toBe("int16");
    expect(Array.from(plain.data as Float64Array)).toEqual([1, 2, 3, 4, Number.NaN, 6]);

    const gt: [number, number, number, number, number, number] = [100, 10, 2, 500, 3, -10];
    const src = await openGeotiff(await encodeGeotiff(grid({}), { geoTransform: gt, epsg: 32633 }));
    expect(src.geoTransform).toEqual(gt);
    expect(src.variables.map((v) => v.name)).toEqual(["band1"]); // no x/y for a rotated grid
    await src.close();
  });

  it("rejects irregular coordinates, a wrong rank and NaN nodata on integers", async () => {
    await expect(encodeGeotiff(grid({ x: [0, 1, 3], y: [0, 1] }))).rejects.toThrow(
      /not regularly spaced/,
    );
    const flat = new DataArray({ name: "v", dims: ["i"], data: new Float64Array(4) });
    await expect(encodeGeotiff(flat)).rejects.toThrow(GeotiffError);
    await expect(encodeGeotiff(grid({}), { dtype: "int16", nodata: Number.NaN })).rejects.toThrow(
      /NaN/,
    );
    await expect(encodeGeotiff(grid({}), { dtype: "uint8" })).rejects.toThrow(
      /need a nodata value/,
    );
  });
});
