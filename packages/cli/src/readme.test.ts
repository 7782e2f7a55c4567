import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { bufferIO, main } from "./index.js";

// Paths in the README are relative to the repository root.
const root = fileURLToPath(new URL("../../../", import.meta.url));

it("README shell example prints what the README shows", async () => {
  const io = bufferIO();
  const prev = process.cwd();
  process.chdir(root);
  try {
    expect(await main(["info", "datasets/geotiff/sst_f32_zstd.tif", "--stats"], io)).toBe(0);
  } finally {
    process.chdir(prev);
  }
  for (const line of [
    "File: datasets/geotiff/sst_f32_zstd.tif",
    "Format: geotiff",
    "  y = 91",
    "  float32 band1(y, x)",
    "      _FillValue = -999",
    "      stats: valid 10778, min -1.8, max 31.94, mean 13.27265, sum 143052.6",
    "  CRS: EPSG:4326",
    "  Origin = (29, 91)",
    "  Pixel Size = (2, -2)",
  ]) {
    expect(io.stdout.split("\n")).toContain(line);
  }
});

it("README in-process example runs", async () => {
  const io = bufferIO();
  const status = await main(
    ["info", `${root}datasets/netcdf/sst_packed.nc`, "--stats", "--json"],
    io,
  );
  const summary = JSON.parse(io.stdout);
  expect(status).toBe(0);
  expect(summary.format).toBe("netcdf3-classic");
  const sst = summary.variables.find((v: { name: string }) => v.name === "sst");
  expect(sst.stats.validCount).toBeGreaterThan(0);
});
