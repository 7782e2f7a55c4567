import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { glm } from "@geoml/models";
import { openNetcdf } from "@geoml/netcdf";
import { afterAll, beforeAll, expect, it } from "vitest";
import { batchPredict, gridRows, predictAlong } from "./index.js";
import { cellsReference, haveTool, referenceArray, writeArchive } from "./testing.js";

const ref = cellsReference();
const dir = mkdtempSync(join(tmpdir(), "geoml-predict-"));
const sst = referenceArray(ref, "sst");
let saved = "";
beforeAll(async () => {
  await writeArchive(dir, sst, 4);
  const rows = gridRows(sst);
  const formula = "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12) + lat";
  saved = JSON.stringify(glm({ family: "gaussian" }).fit({ formula, data: rows.columns }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("predicts over an archive as in memory, resumably, the same on worker threads", async () => {
  const a = join(dir, "pred.nc");
  const b = join(dir, "pred2.nc");
  const files = join(dir, "part_*.nc");
  const report = await batchPredict({ model: saved, files, out: a, chunkCells: 16 });
  expect(report.chunks).toBe(3);
  await batchPredict({ model: saved, files, out: b, chunkCells: 16, workers: 2 });
  expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
  const ds = await openNetcdf(a);
  const got = await ds.read("prediction");
  const mem = await predictAlong(saved, sst);
  expect(got.dims).toEqual(["time", "lat", "lon"]);
  expect(got.data).toEqual(mem.data);
  expect(got.coords.time.attrs.units).toBe(ref.time_units);
  await ds.close();
  // worker threads load from the TypeScript sources: seconds on a busy machine
}, 30_000);

it("writes a GeoTIFF with one band per step, described by its date", async () => {
  const out = join(dir, "pred.tif");
  await batchPredict({ model: saved, files: join(dir, "part_*.nc"), out });
  if (!(await haveTool("gdalinfo"))) return;
  const info = JSON.parse(spawnSync("gdalinfo", ["-json", out], { encoding: "utf8" }).stdout);
  expect(info.bands).toHaveLength(ref.shape[0]);
  expect(info.bands[0].description).toBe("2000-01-15T00:00:00");
  expect(info.bands[13].description).toBe("2001-02-15T00:00:00");
});

it("rejects a model that reads a variable the files lack, before any output", async () => {
  const model = JSON.stringify(
    glm({ family: "gaussian" }).fit({
      formula: "y ~ t + wind",
      data: { y: [1, 2, 3, 5], t: [0, 1, 2, 3], wind: [3, 1, 2, 0] },
    }),
  );
  const out = join(dir, "never.nc");
  await expect(
    batchPredict({ model, files: join(dir, "part_*.nc"), variable: "sst", out }),
  ).rejects.toThrow(/no variable 'wind'/);
});
