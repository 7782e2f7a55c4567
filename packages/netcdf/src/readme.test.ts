import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { openNetcdf } from "./index.js";
import { readmeExample } from "./readme-example.js";

describe("README example", () => {
  it("is the code in readme-example.ts, verbatim", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const source = await readFile(new URL("./readme-example.ts", import.meta.url), "utf8");
    const body = source.slice(source.indexOf("  // Opening"), source.indexOf("  return {"));
    const dedented = body
      .split("\n")
      .map((l) => l.replace(/^ {2}/, ""))
      .join("\n")
      .trim();
    expect(readme).toContain(dedented);
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
