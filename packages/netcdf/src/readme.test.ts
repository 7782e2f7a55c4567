import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { openNetcdf } from "./index.js";
import { readmeExample, readmeExampleNetcdf4 } from "./readme-example.js";

describe("README example", () => {
  it("is the code in readme-example.ts, verbatim", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const source = await readFile(new URL("./readme-example.ts", import.meta.url), "utf8");
    for (const marker of ["  // Opening", "  // NetCDF-4 output"]) {
      const from = source.indexOf(marker);
      const body = source.slice(from, source.indexOf("  return {", from));
      const dedented = body
        .split("\n")
        .map((l) => l.replace(/^ {2}/, ""))
        .join("\n")
        .trim();
      expect(readme).toContain(dedented);
    }
  });

  it("writes and reads back NetCDF-4 as documented", async () => {
    const dir = await mkdtemp(join(tmpdir(), "geoml-readme4-"));
    try {
      const { spring, april, chunks } = await readmeExampleNetcdf4(join(dir, "spring.nc"));
      expect(april.dims).toEqual(["lat", "lon"]);
      expect(chunks).toEqual([1, 91, 181]);
      expect(april.coords.time.times?.[0]).toMatchObject({ year: 1950, month: 4 });
      // Packed to 0.001 °C, the same packing as the source: values come back unchanged.
      const a = april.data as Float64Array;
      const s = spring.data as Float64Array;
      const step = 91 * 181;
      for (let i = 0; i < a.length; i += 97) {
        if (Number.isNaN(s[step + i])) expect(Number.isNaN(a[i])).toBe(true);
        else expect(Math.abs(a[i] - s[step + i])).toBeLessThanOrEqual(0.0005 + 1e-12);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("runs and gives the documented results", async () => {
    const dir = await mkdtemp(join(tmpdir(), "geoml-readme-"));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const out = join(dir, "anomaly.nc");
      const { march, when, stats, boxMean } = await readmeExample(out);
      expect(march.dims).toEqual(["lat", "lon"]);
      expect(when).toMatchObject({ year: 1950, month: 3, day: 16, calendar: "noleap" });
      expect(stats.validCount).toBe(197652);
      expect(boxMean.get()).toBeGreaterThan(26);
      const back = await openNetcdf(out);
      expect(back.dataVariableNames).toEqual(["sst_anomaly"]);
      await back.close();
    } finally {
      log.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
