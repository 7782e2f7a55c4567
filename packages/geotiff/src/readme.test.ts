import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { openGeotiff, readGeotiff, writeGeotiff } from "./index.js";
import { corpusPath } from "./testing/samples.js";

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
  await source.close();

  const out = join(tmpdir(), `geoml-readme-${process.pid}.tif`);
  await writeGeotiff(out, july, { nodata: -999 });
  const back = await readGeotiff(out, { band: 1 });
  expect(back.get(45, 80)).toBe(v);
  expect(back.attrs.epsg).toBe(4326);
  rmSync(out);
});
