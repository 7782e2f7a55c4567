import { describe, expect, it } from "vitest";
import { fileSource } from "./byte-source.js";
import { openGeotiff, overviewForSize } from "./open.js";
import { readGeotiff } from "./read.js";
import { expectClose, expectStats, gdalReference } from "./testing/reference.js";
import { corpusPath } from "./testing/samples.js";
import { statsOf } from "./testing/stats.js";

const ref = gdalReference();

describe.each(Object.entries(ref.corpus))("%s matches GDAL", (file, expected) => {
  const path = corpusPath(file);

  it("has GDAL's size, bands, georeferencing and CRS", async () => {
    const src = await openGeotiff(path);
    try {
      expect([src.image.width, src.image.height, src.bandCount]).toEqual([
        expected.width,
        expected.height,
        expected.bands,
      ]);
      expect(src.levels.slice(1).map((l) => [l.width, l.height])).toEqual(expected.overviews);
      expect(src.epsg ?? null).toBe(expected.epsg);
      expected.geotransform!.forEach((g, i) => {
        expectClose(src.geoTransform![i], g);
      });
      const x = (await src.variables.find((v) => v.name === "x")!.read()) as Float64Array;
      const y = (await src.variables.find((v) => v.name === "y")!.read()) as Float64Array;
      expectClose(x[0], expected.x![0]);
      expectClose(x[x.length - 1], expected.x![1]);
      expectClose(y[0], expected.y![0]);
      expectClose(y[y.length - 1], expected.y![1]);
      expected.band.forEach((b, i) => {
        expect(src.variables[i].dtype).toBe(b.dtype);
      });
    } finally {
      await src.close();
    }
  });

  it.each(expected.band.map((b, i) => [i + 1, b] as const))(
    "band %i: decoded statistics and sample cells",
    async (band, b) => {
      const decoded = await readGeotiff(path, { band });
      expectStats(statsOf(decoded.data as Float64Array), b.stats);
      const raw = await readGeotiff(path, { band, decode: false });
      for (const [row, col, rawValue, value] of b.samples) {
        expectClose(raw.get(row, col), rawValue);
        expectClose(decoded.get(row, col), value);
      }
    },
  );

  it("reads a window without the rest and agrees with GDAL", async () => {
    const all = await readGeotiff(path);
    const win = await readGeotiff(path, { window: ref.window });
    expect(win.shape).toEqual([expected.bands, ref.window.height, ref.window.width]);
    expected.band.forEach((b, i) => {
      const n = ref.window.width * ref.window.height;
      expectStats(statsOf((win.data as Float64Array).subarray(i * n, (i + 1) * n)), b.window);
    });
    // window coordinates are the matching slice of the full coordinates
    expect(win.coords.x.values[0]).toBe(all.coords.x.values[ref.window.x]);
    expect(win.coords.y.values[0]).toBe(all.coords.y.values[ref.window.y]);
  });

  if (expected.overviews.length > 0) {
    it.each(expected.overviews.map((_, k) => k + 1))(
      "overview level %i agrees with GDAL",
      async (level) => {
        const ov = await readGeotiff(path, { overview: level, band: 1 });
        expect([ov.shape[1], ov.shape[0]]).toEqual(expected.overviews[level - 1]);
        expectStats(statsOf(ov.data as Float64Array), expected.band[0].overviewStats[level - 1]);
      },
    );
  }
});

describe("choosing an overview level", () => {
  it("picks the coarsest level still covering the requested size", async () => {
    const src = await openGeotiff(corpusPath("landsea_cog.tif"));
    expect(src.levels).toEqual([
      { width: 720, height: 360 },
      { width: 360, height: 180 },
      { width: 180, height: 90 },
      { width: 90, height: 45 },
    ]);
    expect(overviewForSize(src.levels, 200)).toBe(1);
    expect(overviewForSize(src.levels, 180, 90)).toBe(2);
    expect(overviewForSize(src.levels, 10)).toBe(3);
    expect(overviewForSize(src.levels, 5000)).toBe(0);
    await src.close();
  });
});

describe("laziness", () => {
  it("opening reads the header only; a window reads only the tiles under it", async () => {
    const file = await fileSource(corpusPath("sst_f32_deflate_pred3_tiled.tif"));
    let bytes = 0;
    const counting = {
      ...file,
      async read(offset: number, length: number) {
        const b = await file.read(offset, length);
        bytes += b.length;
        return b;
      },
    };
    const src = await openGeotiff(counting);
    const header = bytes;
    expect(header).toBeLessThan(2000);
    const win = await readGeotiff(src, {
      band: 1,
      window: { x: 70, y: 40, width: 20, height: 20 },
    });
    expect(win.shape).toEqual([20, 20]);
    // one 64×32 deflated tile of one band of a 50 kB file, plus the tile index
    expect(bytes - header).toBeLessThan(file.size / 8);
    await src.close();
  });
});

describe("raster type", () => {
  it("shifts a PixelIsPoint tie point by half a pixel, as GDAL does", async () => {
    const src = await openGeotiff(corpusPath("landsea_u8_pixelispoint.tif"));
    expect(src.attrs.raster_type).toBe("PixelIsPoint");
    // the file's tie point puts the first pixel centre at (0.5, 89.5); the corner is (0, 90)
    expect(src.geoTransform).toEqual(ref.corpus["landsea_u8_pixelispoint.tif"].geotransform);
    expect(src.geoTransform).toEqual([0, 1, 0, 90, 0, -1]);
    await src.close();
  });
});
