import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Dataset, isGridError } from "@geoml/grid";
import { afterAll, describe, expect, it } from "vitest";
import { bufferSource } from "./byte-source.js";
import type { GeotiffError } from "./errors.js";
import { openGeotiff } from "./open.js";
import { readGeotiff } from "./read.js";
import { TAG } from "./structure.js";
import { corpusPath } from "./testing/samples.js";
import { loopIfd, setCount, setValue } from "./testing/tiff-edit.js";

const striped = new Uint8Array(readFileSync(corpusPath("sst_f32_lzw_striped.tif")));
const tiled = new Uint8Array(readFileSync(corpusPath("sst_f32_deflate_pred3_tiled.tif")));

async function failure(promise: Promise<unknown>): Promise<GeotiffError> {
  try {
    await promise;
  } catch (error) {
    expect(isGridError(error)).toBe(true);
    return error as GeotiffError;
  }
  throw new Error("expected a failure");
}

const dir = mkdtempSync(join(tmpdir(), "geoml-geotiff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tempFile(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe("bad input gives typed errors naming the file", () => {
  it("wrong magic", async () => {
    const bytes = striped.slice();
    bytes.set([0x43, 0x44, 0x46, 0x01]); // a NetCDF header
    const path = tempFile("magic.tif", bytes);
    const e = await failure(openGeotiff(path));
    expect(e.code).toBe("BAD_MAGIC");
    expect(e.file).toBe(path);
    expect(e.message).toContain(path);
  });

  it("truncated file: header, IFD, and strips", async () => {
    expect((await failure(openGeotiff(striped.subarray(0, 6)))).code).toBe("TRUNCATED");
    const ifdCut = tempFile("cut-ifd.tif", striped.subarray(0, 200));
    const e = await failure(readGeotiff(ifdCut));
    expect(e.code).toBe("TRUNCATED");
    expect(e.message).toContain(ifdCut);
    // GDAL puts the IFD first and the data after it: cut inside the strips
    const dataCut = tempFile("cut-data.tif", striped.subarray(0, striped.length - 1000));
    const d = await failure(readGeotiff(dataCut));
    expect(d.code).toBe("TRUNCATED");
    expect(d.message).toMatch(/strip \d+ .* runs past the end of the file/);
  });

  it("a header claiming 2^40 pixels is rejected before any allocation", async () => {
    for (const bytes of [striped, tiled]) {
      const huge = setValue(setValue(bytes, TAG.ImageWidth, 2 ** 20), TAG.ImageLength, 2 ** 20);
      const e = await failure(readGeotiff(huge));
      expect(e.code).toBe("CORRUPT");
      expect(e.message).toMatch(/expected, offsets list/);
    }
  });

  it("a structurally valid but enormous image is refused before allocating", async () => {
    // 24576² float32 in 8192² tiles: 3 × 3 tiles per band, as many as the file lists,
    // so the structure checks pass; both bands at once would need 4.8 GB
    let big = setValue(setValue(tiled, TAG.ImageWidth, 24576), TAG.ImageLength, 24576);
    big = setValue(setValue(big, TAG.TileWidth, 8192), TAG.TileLength, 8192);
    const src = await openGeotiff(big);
    const e = await failure(src.readBands([1, 2]));
    expect(e.code).toBe("TOO_LARGE");
    expect(e.message).toMatch(/read smaller windows/);
    await src.close();
  });

  it("a corrupt SamplesPerPixel or strip layout fails before any large allocation", async () => {
    // The 24 KB striped file with 30000 samples per pixel once reached 1.5 GB before failing.
    const cases = [
      setValue(striped, TAG.SamplesPerPixel, 30000),
      setValue(tiled, TAG.SamplesPerPixel, 3),
      // one strip of 2^16 rows: the strip list is consistent, the strip's bytes are not
      setValue(setValue(striped, TAG.ImageLength, 2 ** 16), TAG.RowsPerStrip, 2 ** 16),
    ];
    for (const bytes of cases) {
      const buffers0 = process.memoryUsage().arrayBuffers;
      const rss0 = process.resourceUsage().maxRSS * 1024;
      const e = await failure(
        openGeotiff(bufferSource(bytes, "bad.tif")).then((src) => readGeotiff(src)),
      );
      expect(e.code).toBe("CORRUPT");
      expect(e.file).toBe("bad.tif");
      const limit = 64 * 2 ** 20 + 4 * bytes.length;
      expect(process.memoryUsage().arrayBuffers - buffers0).toBeLessThan(limit);
      expect(process.resourceUsage().maxRSS * 1024 - rss0).toBeLessThan(limit);
    }
  });

  it("a tag claiming 2^32 - 1 values, and a looping IFD chain", async () => {
    const e = await failure(openGeotiff(setCount(striped, TAG.StripOffsets, 2 ** 32 - 1)));
    expect(e.code).toBe("TRUNCATED");
    expect(e.message).toContain("tag 273");
    expect((await failure(openGeotiff(loopIfd(striped)))).message).toMatch(/loops back/);
  });

  it("unsupported sample types and impossible predictors", async () => {
    const e = await failure(openGeotiff(setValue(striped, TAG.BitsPerSample, 12)));
    expect(e.code).toBe("UNSUPPORTED");
    expect((await failure(openGeotiff(setValue(striped, TAG.Predictor, 9)))).code).toBe("CORRUPT");
  });

  it("missing file, band, variable and out-of-range windows", async () => {
    const missing = join(dir, "no-such-file.tif");
    const io = await failure(openGeotiff(missing));
    expect(io.code).toBe("IO_ERROR");
    expect(io.message).toContain(missing);
    const path = corpusPath("sst_f32_lzw_striped.tif");
    expect((await failure(readGeotiff(path, { band: 2 }))).code).toBe("OUT_OF_RANGE");
    expect((await failure(readGeotiff(path, { bands: [] }))).code).toBe("OUT_OF_RANGE");
    const w = await failure(readGeotiff(path, { window: { x: 170, y: 0, width: 20, height: 5 } }));
    expect(w.code).toBe("OUT_OF_RANGE");
    expect(w.message).toContain(path);
    expect((await failure(readGeotiff(path, { overview: 1 }))).code).toBe("OUT_OF_RANGE");
    const src = await openGeotiff(path);
    const ds = new Dataset(src);
    expect(() => ds.variable("band7")).toThrow(/no variable 'band7'/);
    await expect(ds.read("band1", { isel: { y: 91 } })).rejects.toThrow(/outside/);
    await src.close();
    expect((await failure(src.readBands([1]))).code).toBe("CLOSED");
  });
});
