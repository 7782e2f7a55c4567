import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { openNetcdf } from "@geoml/netcdf";
import { afterAll, describe, expect, it } from "vitest";
import { runDemo } from "./demo.js";
import { hasTool, run } from "./tools.js";
import { celsiusOffset, loadUserSst } from "./userdata.js";

const datasets = resolve(import.meta.dirname, "../../../datasets");
const tos = join(datasets, "netcdf/tos_bipolar_nc4.nc");
const main = resolve(import.meta.dirname, "main.ts");
const exec = promisify(execFile);

describe("another SST file (--data, --var)", () => {
  let out = "";
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("reads °C or K from the units", () => {
    expect(celsiusOffset("K", "tos")).toBe(-273.15);
    expect(celsiusOffset("degC", "sst")).toBe(0);
    expect(celsiusOffset("degrees_Celsius", "sst")).toBe(0);
    expect(() => celsiusOffset("m s-1", "u")).toThrow(/--var u: units "m s-1"/);
  });

  it("puts the curvilinear CMIP5 ocean grid onto a regular 2° grid in °C", async () => {
    const { sst, ocean, years } = await loadUserSst(tos, "tos");
    expect(sst.shape).toEqual([1, 90, 180]);
    expect(years).toEqual([2006, 2006]);
    const ds = await openNetcdf(tos);
    const raw = (await ds.read("tos")).data as Float32Array;
    await ds.close();
    // Remapping averages: the range stays within the source's, in °C.
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of raw) if (v < 1e19) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    let oceanCells = 0;
    for (let c = 0; c < 90 * 180; c++) {
      if (!ocean.data[c]) continue;
      oceanCells++;
      const v = (sst.data as Float64Array)[c];
      expect(v).toBeGreaterThanOrEqual(lo - 273.15 - 1e-3);
      expect(v).toBeLessThanOrEqual(hi - 273.15 + 1e-3);
    }
    expect(oceanCells / (90 * 180)).toBeGreaterThan(0.6);
  });

  it("runs the whole pipeline on it", async () => {
    out = await mkdtemp(join(tmpdir(), "sst-demo-tos-"));
    const summary = await runDemo({
      datasets,
      out,
      data: { file: tos, variable: "tos" },
      epochs: 2,
      seed: 3,
      gamRows: 3000,
      multinomGamRows: 500,
    });
    expect(summary.source).toContain("tos from tos_bipolar_nc4.nc");
    expect(summary.notes[0]).toMatch(/1 calendar month/);
    const reg = Object.fromEntries(summary.regression.map((r) => [r.model, r.scores]));
    expect(reg.glm.r2).toBeGreaterThan(0.85);
    expect(reg.gam.r2).toBeGreaterThan(0.8);
    if (hasTool("ncdump", "netcdf-bin")) {
      const header = run("ncdump", ["-h", join(out, "predictions.nc")]);
      expect(header).toContain("time = 1 ;");
      expect(header).toContain('time:units = "days since 2006-01-01 00:00:00"');
      expect(header).toContain("float sst_gam(time, latitude, longitude)");
    }
  }, 120_000);

  it("refuses a bad --data or --var before any fitting, naming the flag", async () => {
    const fail = async (args: string[]) => {
      try {
        await exec("npx", ["tsx", main, "--", ...args, "--out", join(tmpdir(), "unused")]);
      } catch (error) {
        return error as { code: number; stderr: string };
      }
      throw new Error("expected a failure");
    };
    const missing = await fail(["--data", "no/such.nc", "--var", "tos"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--data .*no\/such\.nc: expected a NetCDF file/);
    const wrongVar = await fail(["--data", tos, "--var", "sst"]);
    expect(wrongVar.code).toBe(2);
    expect(wrongVar.stderr).toMatch(/--var sst: no such variable .*tos/);
  }, 60_000);
});
