/**
 * The Cloud-Optimized GeoTIFF writer, checked by GDAL: the committed fixtures against
 * GDAL's own COG validator and GDAL's reading of every resolution level (recorded by
 * `tools/oracles/geotiff_cog_validate.py`), and freshly written files against
 * `gdalinfo -json` and GDAL's pixel values (skipped with a notice where GDAL is missing,
 * failing under CI).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataArray } from "@geoml/grid";
import { afterAll, describe, expect, it } from "vitest";
import { openGeotiff } from "./open.js";
import { readGeotiff } from "./read.js";
import { type CogSample, cogSamples, field } from "./testing/cog-samples.js";
import { expectClose } from "./testing/reference.js";
import { fixturePath } from "./testing/samples.js";
import { statsOf } from "./testing/stats.js";
import { tool, toolsAvailable } from "./testing/tools.js";
import { encodeGeotiff, writeGeotiff } from "./write.js";

interface LevelStats {
  valid: number;
  min: number;
  max: number;
  mean: number;
}
interface CogVerdict {
  valid_cog: boolean;
  errors: string[];
  warnings: string[];
  layout: string;
  compression: string;
  predictor: string | null;
  size: [number, number];
  geotransform: number[];
  bands: Array<{
    description: string;
    nodata: number | "nan" | null;
    scale: number;
    offset: number;
    block: [number, number];
    overviews: Array<[number, number]>;
    levels: LevelStats[];
  }>;
}
const verdicts = JSON.parse(readFileSync(fixturePath("cog_validation.json"), "utf8")) as Record<
  string,
  CogVerdict
>;

describe.each(cogSamples().map((s) => [s.file, s] as [string, CogSample]))(
  "COG fixture %s",
  (file, sample) => {
    const gdal = verdicts[file];

    it("is what the writer produces today, and GDAL's validator accepts it", async () => {
      const bytes = await encodeGeotiff(sample.array, sample.options);
      expect(Buffer.from(bytes).equals(readFileSync(fixturePath(`cog/${file}`)))).toBe(true);
      expect(gdal.valid_cog).toBe(true);
      expect(gdal.errors).toEqual([]);
      expect(gdal.warnings).toEqual([]);
      expect(gdal.layout).toBe("COG");
      expect(gdal.compression).toBe((sample.options.compression ?? "deflate").toUpperCase());
      expect(gdal.predictor).toBe(String(sample.options.predictor ?? 1));
    });

    it("reads back with ours as GDAL reads it, on every level", async () => {
      const path = fixturePath(`cog/${file}`);
      const src = await openGeotiff(path);
      expect(src.levels.slice(1).map((l) => [l.width, l.height])).toEqual(gdal.bands[0].overviews);
      expect([src.image.blockWidth, src.image.blockHeight]).toEqual(gdal.bands[0].block);
      gdal.geotransform.forEach((g, i) => {
        expectClose(src.geoTransform![i], g);
      });
      await src.close();
      for (let level = 0; level < gdal.bands[0].levels.length; level++) {
        const a = await readGeotiff(path, { overview: level });
        const n = a.shape[a.ndim - 1] * a.shape[a.ndim - 2];
        gdal.bands.forEach((band, b) => {
          const ours = statsOf((a.data as Float64Array).subarray(b * n, (b + 1) * n));
          const theirs = band.levels[level];
          expect(ours.validCount).toBe(theirs.valid);
          expectClose(ours.min!, theirs.min);
          expectClose(ours.max!, theirs.max);
          expectClose(ours.mean!, theirs.mean, 1e-9);
        });
        if (gdal.bands.length > 1 && level === 0) {
          expect(a.attrs.band_descriptions).toEqual(gdal.bands.map((b) => b.description));
        }
      }
    });
  },
);

describe("writer options are checked", () => {
  const a = field(1, 20, 30);
  it.each([
    [{ tileSize: 100 }, /multiple of 16/],
    [{ overviews: -1 }, /overviews/],
    [{ predictor: 3, dtype: "int16", nodata: -1 } as const, /predictor 3/],
    [{ compression: "lzw" as never }, /compression "lzw"/],
    [{ level: 30 }, /level 30/],
    [{ bandDescriptions: ["a", "b"] }, /1 string/],
    [{ resampling: "cubic" as never }, /resampling/],
  ])("%o", async (options, message) => {
    await expect(encodeGeotiff(a, { cog: true, ...options }, "out.tif")).rejects.toThrow(message);
    await expect(encodeGeotiff(a, { cog: true, ...options }, "out.tif")).rejects.toThrow(
      /^out\.tif: variable 't2m': /,
    );
  });
});

const available = toolsAvailable("gdalinfo", "gdal_translate");

describe.skipIf(!available)("COGs written now, as GDAL sees them", () => {
  const dir = available ? mkdtempSync(join(tmpdir(), "geoml-cog-")) : "";
  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  /** GDAL's values of one level, all bands, as float64 (raw export of the stored values). */
  async function gdalValues(path: string, overview?: number): Promise<Float64Array> {
    const out = `${path}.${overview ?? "full"}.envi`;
    const ovr = overview === undefined ? [] : ["-ovr", String(overview)];
    await tool("gdal_translate", [
      "-q",
      ...ovr,
      "-of",
      "ENVI",
      "-co",
      "INTERLEAVE=BSQ",
      "-ot",
      "Float64",
      path,
      out,
    ]);
    const b = readFileSync(out);
    return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  }

  /** Mean of the non-NaN cells of each 2×2 block, computed directly from the input. */
  function halved(data: Float32Array, bands: number, h: number, w: number): Float64Array {
    const h2 = Math.ceil(h / 2);
    const w2 = Math.ceil(w / 2);
    const out = new Float64Array(bands * h2 * w2);
    for (let b = 0; b < bands; b++) {
      for (let i = 0; i < h2; i++) {
        for (let j = 0; j < w2; j++) {
          const cells = [
            [2 * i, 2 * j],
            [2 * i, 2 * j + 1],
            [2 * i + 1, 2 * j],
            [2 * i + 1, 2 * j + 1],
          ]
            .filter(([r, c]) => r < h && c < w)
            .map(([r, c]) => data[(b * h + r) * w + c])
            .filter((v) => !Number.isNaN(v));
          const mean = cells.reduce((s, v) => s + v, 0) / cells.length;
          out[(b * h2 + i) * w2 + j] = cells.length === 0 ? Number.NaN : Math.fround(mean);
        }
      }
    }
    return out;
  }

  it("float32 with the default 512 tiles and zstd: structure, values and overviews", async () => {
    const [bands, h, w] = [2, 300, 1030];
    const array = field(bands, h, w, true);
    const path = join(dir, "big.tif");
    await writeGeotiff(path, array, { cog: true, compression: "zstd", predictor: 3 });
    const info = JSON.parse(await tool("gdalinfo", ["-json", path]));
    expect(info.metadata.IMAGE_STRUCTURE).toMatchObject({
      LAYOUT: "COG",
      COMPRESSION: "ZSTD",
      PREDICTOR: "3",
    });
    expect(info.size).toEqual([w, h]);
    expect(info.coordinateSystem.wkt).toMatch(/EPSG",4326/);
    expect(info.geoTransform).toEqual([-30, 0.25, 0, 60, 0, -0.25]);
    for (const band of info.bands) {
      expect(band.block).toEqual([512, 512]);
      // halved until the image fits one tile
      expect(band.overviews.map((o: { size: number[] }) => o.size)).toEqual([
        [515, 150],
        [258, 75],
      ]);
      expect(band.noDataValue).toBe("NaN");
    }
    expect(info.bands.map((b: { description: string }) => b.description)).toEqual([
      "2000-01-15",
      "2000-02-15",
    ]);
    const full = await gdalValues(path);
    const input = array.data as Float32Array;
    expect(full.length).toBe(input.length);
    for (let i = 0; i < input.length; i++) {
      if (!Object.is(full[i], input[i]) && !(Number.isNaN(full[i]) && Number.isNaN(input[i]))) {
        expect.fail(`cell ${i}: GDAL ${full[i]}, written ${input[i]}`);
      }
    }
    const ovr = await gdalValues(path, 0);
    const want = halved(input, bands, h, w);
    expect(ovr.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      if (!(ovr[i] === want[i] || (Number.isNaN(ovr[i]) && Number.isNaN(want[i])))) {
        expect.fail(`overview cell ${i}: GDAL ${ovr[i]}, expected ${want[i]}`);
      }
    }
  });

  it("packed int16 with scale/offset and labelled bands, nearest overviews, deflate", async () => {
    const data = new Int16Array(3 * 40 * 50).map((_, i) => (i % 2000) - 1000);
    data[17] = -32768;
    const array = new DataArray({
      name: "coef",
      dims: ["term", "y", "x"],
      shape: [3, 40, 50],
      data,
      coords: { term: { dims: ["term"], values: ["(Intercept)", "sst", "sst:lat"], attrs: {} } },
    });
    const path = join(dir, "terms.tif");
    await writeGeotiff(path, array, {
      cog: true,
      tileSize: 16,
      resampling: "nearest",
      nodata: -32768,
      scale: 0.001,
      offset: 2,
      predictor: 2,
      geoTransform: [500000, 1000, 0, 4600000, 0, -1000],
      epsg: 32633,
    });
    const info = JSON.parse(await tool("gdalinfo", ["-json", path]));
    expect(info.metadata.IMAGE_STRUCTURE.LAYOUT).toBe("COG");
    expect(info.bands.map((b: { description: string }) => b.description)).toEqual([
      "(Intercept)",
      "sst",
      "sst:lat",
    ]);
    expect(info.bands[0]).toMatchObject({ type: "Int16", scale: 0.001, offset: 2 });
    expect(info.bands[0].noDataValue).toBe(-32768);
    expect(info.bands[0].overviews.map((o: { size: number[] }) => o.size)).toEqual([
      [25, 20],
      [13, 10],
    ]);
    expect(info.coordinateSystem.wkt).toMatch(/EPSG",32633/);
    const full = await gdalValues(path);
    expect(Array.from(full)).toEqual(Array.from(data));
    const ovr = await gdalValues(path, 0);
    // nearest: the top-left cell of every 2×2 block
    expect(ovr[0]).toBe(data[0]);
    expect(ovr[1]).toBe(data[2]);
    expect(ovr[25]).toBe(data[100]);
    // and ours decodes with GDAL's scale/offset and nodata
    const back = await readGeotiff(path, { bands: [1] });
    expect(back.get(0, 0, 0)).toBeCloseTo(data[0] * 0.001 + 2, 12);
    expect(back.get(0, 0, 17)).toBeNaN();
  });

  it("a small image is one tile and no overviews", async () => {
    const path = join(dir, "small.tif");
    await writeGeotiff(path, field(1, 20, 30), { cog: true });
    const info = JSON.parse(await tool("gdalinfo", ["-json", path]));
    expect(info.metadata.IMAGE_STRUCTURE.LAYOUT).toBe("COG");
    expect(info.bands[0].block).toEqual([512, 512]);
    expect(info.bands[0].overviews ?? []).toEqual([]);
  });
});
