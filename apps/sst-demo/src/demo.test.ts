import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openNetcdf } from "@geoml/netcdf";
import { afterAll, describe, expect, it } from "vitest";
import { checkPage, chromiumAvailable } from "./browser.js";
import { loadSst } from "./data.js";
import { formatTable, runDemo, scoreTables } from "./demo.js";
import { classScores, metrics } from "./metrics.js";
import { hasTool, run } from "./tools.js";

const datasets = resolve(import.meta.dirname, "../../../datasets");

describe("metrics", () => {
  it("weights the errors", () => {
    const m = metrics([0, 0, 10], [1, -1, 10], [1, 3, 0]);
    expect(m.rmse).toBeCloseTo(1, 12);
    expect(m.mae).toBeCloseTo(1, 12);
    expect(() => metrics([1], [1, 2], [1])).toThrow(/lengths/);
  });
  it("scores class probabilities: accuracy, log-loss, Brier", () => {
    // Row 1 right with p = 0.8, row 2 wrong (p of truth 0.4), weights 1 and 3.
    const s = classScores([0, 1], [0.8, 0.2, 0.6, 0.4], 2, [1, 3]);
    expect(s.accuracy).toBeCloseTo(0.25, 12);
    expect(s.logLoss).toBeCloseTo((-Math.log(0.8) - 3 * Math.log(0.4)) / 4, 12);
    expect(s.brier).toBeCloseTo((0.2 ** 2 + 3 * 0.6 ** 2) / 4, 12);
    const three = classScores([2], [0.1, 0.2, 0.7], 3, [1]);
    expect(three.brier).toBeCloseTo(0.01 + 0.04 + 0.09, 12);
    expect(() => classScores([0], [1], 2, [1])).toThrow(/expected 1×2/);
  });
});

describe("runDemo", () => {
  let out = "";
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("fits the three models on the shipped SST grid and writes the report", async () => {
    out = await mkdtemp(join(tmpdir(), "sst-demo-"));
    const summary = await runDemo({
      datasets,
      out,
      epochs: 2,
      seed: 7,
      gamRows: 4000,
      multinomGamRows: 600,
      reportMonths: [1, 7],
    });

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
    expect(summary.rows.test / (12 * oceanCells)).toBeGreaterThan(0.1);
    expect(summary.rows.test / (12 * oceanCells)).toBeLessThan(0.3);
    // Every task has its four models, in table order.
    for (const rows of [summary.regression, summary.binary, summary.multinomial]) {
      expect(rows.map((r) => r.model)).toEqual(["baseline", "glm", "gam", "mlp"]);
    }
    const reg = Object.fromEntries(summary.regression.map((r) => [r.model, r.scores]));
    // Latitude and season explain most of the SST field, even across held-out blocks.
    for (const m of ["baseline", "glm", "gam"]) expect(reg[m].r2, m).toBeGreaterThan(0.9);
    expect(reg.glm.rmse).toBeLessThan(3);
    const bin = Object.fromEntries(summary.binary.map((r) => [r.model, r.scores]));
    const mul = Object.fromEntries(summary.multinomial.map((r) => [r.model, r.scores]));
    // The models beat the majority class by far; the baseline's accuracy is the majority share.
    for (const m of ["glm", "gam"]) {
      expect(bin[m].accuracy, m).toBeGreaterThan(0.85);
      expect(bin[m].logLoss, m).toBeLessThan(bin.baseline.logLoss);
      expect(mul[m].accuracy, m).toBeGreaterThan(0.7);
      expect(mul[m].brier, m).toBeLessThan(mul.baseline.brier);
    }
    expect(bin.baseline.accuracy).toBeGreaterThan(0.5);
    expect(mul.baseline.accuracy).toBeLessThan(0.5);
    expect(summary.mlpHistory.regression.loss).toHaveLength(2);
    expect(summary.mlpHistory.multinomial.loss).toHaveLength(2);
    // The polynomial GLM goes below freezing somewhere; the count is reported.
    expect(summary.impossible.glm).toBeGreaterThan(0);
    for (const f of summary.files) expect((await stat(f)).size).toBeGreaterThan(0);

    const printed = scoreTables(summary).map(formatTable).join("\n");
    expect(printed).toContain("Thermal zones");
    expect(printed).toMatch(/majority class\s+\d+\.\d%/);

    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).toContain(`id="regression_mlp_residual_Jul"`);
    expect(html).toContain(`id="multinomial_gam_Jan"`);
    expect(html).toContain(`id="partial_regression_lat"`);
    expect(html).toContain(`id="mlp_curve_multinomial"`);
    expect(html).toContain("month-select");
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
      // 3 tasks × (truth + 4 models × prediction, residual) × 2 months, and the freezing map.
      expect(seen.images.length).toBe(3 * 9 * 2 + 1);
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
