import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openNetcdf } from "@geoml/netcdf";
import { afterAll, describe, expect, it } from "vitest";
import { checkPage, chromiumAvailable } from "./browser.js";
import { loadSst } from "./data.js";
import { runDemo } from "./demo.js";
import { metrics } from "./metrics.js";
import { hasTool, run } from "./tools.js";

const datasets = resolve(import.meta.dirname, "../../../datasets");

describe("metrics", () => {
  it("weights the errors", () => {
    const m = metrics([0, 0, 10], [1, -1, 10], [1, 3, 0]);
    expect(m.rmse).toBeCloseTo(1, 12);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(() => metrics([1], [1, 2], [1])).toThrow(/lengths/);
  });
});

describe("runDemo", () => {
  let out = "";
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("fits the three models on the shipped SST grid and writes the report", async () => {
    out = await mkdtemp(join(tmpdir(), "sst-demo-"));
    const summary = await runDemo({ datasets, out, epochs: 3, seed: 7 });

    const { ocean } = await loadSst(
      join(datasets, "netcdf/sstdata_netcdf.nc"),
      join(datasets, "netcdf/landsea.nc"),
    );
    let oceanCells = 0;
    for (const v of ocean.data as Uint8Array) oceanCells += v;
    // Roughly 70% of the 91×180 cells are ocean; every ocean cell of every month is a row.
    expect(oceanCells / (91 * 180)).toBeGreaterThan(0.6);
    expect(oceanCells / (91 * 180)).toBeLessThan(0.8);
    expect(summary.rows.train + summary.rows.test).toBe(12 * oceanCells);
    // Latitude and season explain most of the SST field; the network does better still.
    expect(summary.sst.glm.r2).toBeGreaterThan(0.93);
    expect(summary.sst.mlp.r2).toBeGreaterThan(0.95);
    expect(summary.sst.mlp.rmse).toBeLessThan(summary.sst.glm.rmse);
    expect(summary.warmPool.testAccuracy).toBeGreaterThan(0.88);
    expect(summary.mlpHistory.loss).toHaveLength(3);
    for (const f of summary.files) expect((await stat(f)).size).toBeGreaterThan(0);

    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toContain(`id="sst_mlp_residual_Aug"`);
    expect(html).not.toMatch(/src="(?!data:)/);
    expect(html).toContain("<svg");

    // The report alone, copied into an empty folder and opened offline, shows every image.
    if (chromiumAvailable()) {
      const alone = join(out, "alone");
      await mkdir(alone);
      await copyFile(join(out, "report.html"), join(alone, "report.html"));
      const seen = await checkPage(join(alone, "report.html"), join(out, "report.png"));
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.failedRequests).toEqual([]);
      expect(seen.images.length).toBeGreaterThanOrEqual(10);
      for (const image of seen.images) expect(image.naturalWidth, image.id).toBeGreaterThan(0);
      expect(seen.svgs).toBeGreaterThan(0);
      expect((await stat(join(out, "report.png"))).size).toBeGreaterThan(10_000);
    }

    // CF: what ncdump sees in the header.
    if (hasTool("ncdump", "netcdf-bin")) {
      const header = run("ncdump", ["-h", join(out, "predictions.nc")]);
      for (const line of [
        ':Conventions = "CF-1.8"',
        'time:units = "days since 1950-01-01 00:00:00"',
        'time:calendar = "standard"',
        'time:climatology = "climatology_bounds"',
        'time:axis = "T"',
        'latitude:standard_name = "latitude"',
        'latitude:axis = "Y"',
        'longitude:units = "degrees_east"',
        "float sst_glm(time, latitude, longitude)",
        'sst_glm:standard_name = "sea_surface_temperature"',
        'sst_glm:units = "degC"',
        "sst_glm:_FillValue = 9.96921e+36f",
        "double climatology_bounds(time, nv)",
      ]) {
        expect(header).toContain(line);
      }
    }
    // GeoTIFF: GDAL reads the georeferencing, nodata and statistics.
    if (hasTool("gdalinfo", "gdal-bin")) {
      const info = JSON.parse(run("gdalinfo", ["-json", "-stats", join(out, "sst_mlp.tif")]));
      expect(info.size).toEqual([180, 91]);
      expect(info.bands).toHaveLength(12);
      expect(info.coordinateSystem.wkt).toMatch(/WGS 84/);
      expect(info.stac["proj:epsg"]).toBe(4326);
      // North-up, 2° cells centred on 90°N … 90°S and 0° … 358°E.
      expect(info.geoTransform).toEqual([-1, 2, 0, 91, 0, -2]);
      const band = info.bands[0];
      expect(band.noDataValue).toBe("NaN");
      expect(band.minimum).toBeGreaterThan(-10);
      expect(band.maximum).toBeLessThan(35);
      expect(Number(band.metadata[""].STATISTICS_VALID_PERCENT)).toBeGreaterThan(60);
    }

    // Predictions are on the grid, NaN on land, and read back from NetCDF unchanged.
    const ds = await openNetcdf(join(out, "predictions.nc"));
    try {
      const p = await ds.read("warm_pool_probability");
      expect(p.shape).toEqual([12, 91, 180]);
      let valid = 0;
      for (const v of p.data as Float32Array | Float64Array) {
        if (Number.isNaN(v)) continue;
        valid++;
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(valid).toBe(12 * oceanCells);
    } finally {
      await ds.close();
    }
  }, 240_000);
});
