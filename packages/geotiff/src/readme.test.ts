import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openGeotiff, readGeotiff, writeGeotiff } from "./index.js";
import { corpusPath } from "./testing/samples.js";

const dir = mkdtempSync(join(tmpdir(), "geoml-geotiff-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The README example, with its output checked.
it("README example runs", async () => {
  const path = corpusPath("sst_i16_scaled_lzw_pred2.tif");
  const source = await openGeotiff(path);
  expect([source.bandCount, source.epsg, source.geoTransform]).toEqual([
    12,
    4326,
    [29, 2, 0, 91, 0, -2],
  ]);

  const july = await readGeotiff(source, { band: 7 });
  expect(july.dims).toEqual(["y", "x"]);
  expect(july.shape).toEqual([91, 181]);
  const v = july.get(45, 80);
  expect(v).toBeGreaterThan(20);
  expect(v).toBeLessThan(32);

  const box = await readGeotiff(source, { window: { x: 60, y: 35, width: 40, height: 20 } });
  expect(box.shape).toEqual([12, 20, 40]);
  expect([box.coords.x.values[0], box.coords.y.values[0]]).toEqual([150, 20]);

  const out = join(dir, "july.tif");
  await writeGeotiff(out, july, { nodata: -999 });
  const back = await readGeotiff(out, { band: 1 });
  expect(back.get(45, 80)).toBe(v);
  expect(back.attrs.epsg).toBe(4326);

  const quarter = await readGeotiff(source, { bands: [1, 2, 3] });
  await source.close();
  const q1 = join(dir, "sst_q1.tif");
  await writeGeotiff(q1, quarter, {
    cog: true,
    dtype: "float32",
    tileSize: 64,
    compression: "zstd",
    predictor: 3,
    bandDescriptions: ["2000-01", "2000-02", "2000-03"],
  });
  const cog = await openGeotiff(q1);
  expect(cog.levels).toEqual([
    { width: 181, height: 91 },
    { width: 91, height: 46 },
    { width: 46, height: 23 },
  ]);
  expect(cog.attrs.compression).toBe("ZSTD");
  const march = await readGeotiff(cog, { bands: [3] });
  expect(march.attrs.band_descriptions).toEqual(["2000-03"]);
  // float32 storage of the decoded values: equal to float32 precision
  const original = quarter.get(2, 45, 80) as number;
  expect(march.get(0, 45, 80)).toBe(Math.fround(original));
  await cog.close();
});
