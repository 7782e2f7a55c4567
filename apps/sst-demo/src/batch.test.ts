import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generatedTrend, runBatch } from "./batch.js";
import { checkPage, chromiumAvailable } from "./browser.js";

const datasets = resolve(import.meta.dirname, "../../../datasets");

describe("runBatch", () => {
  let out = "";
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("recovers the generated per-cell trend within its standard errors", async () => {
    out = await mkdtemp(join(tmpdir(), "sst-batch-"));
    // A report from the demo gains the section (once, however often the batch runs).
    await writeFile(
      join(out, "report.html"),
      "<html><body><h1>demo</h1>\n<script>\n</script></body></html>",
    );
    await runBatch({ datasets, out, years: 3, yearsPerFile: 3, seed: 1 });
    const s = await runBatch({ datasets, out, years: 6, yearsPerFile: 2, seed: 5 });
    const report = await readFile(join(out, "report.html"), "utf8");
    expect(report.match(/<section id="batch">/g)).toHaveLength(1);
    expect(report).toContain('id="trend_se"');
    expect(report).toContain("A 6-year monthly archive");
    expect(s.files).toBe(3);
    expect(s.steps).toBe(72 - s.missingSteps);
    expect(s.missingSteps).toBeGreaterThan(0);
    expect(s.fittedCells).toBe(s.oceanCells);
    // 95% intervals cover the truth in about 95% of ~10 000 cells (binomial sd 0.2%).
    expect(s.coverage95).toBeGreaterThan(0.93);
    expect(s.coverage95).toBeLessThan(0.97);
    // With Gaussian errors E|error| = √(2/π)·SE ≈ 0.8 SE.
    expect(s.meanAbsError / s.meanSe).toBeGreaterThan(0.7);
    expect(s.meanAbsError / s.meanSe).toBeLessThan(0.9);
    const html = await readFile(join(out, "batch.html"), "utf8");
    for (const id of ["trend", "trend_se", "trend_generated"]) expect(html).toContain(`id="${id}"`);
    expect(html).not.toMatch(/src="(?!data:)/);
    if (chromiumAvailable()) {
      const seen = await checkPage(join(out, "batch.html"));
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.images).toHaveLength(4);
      for (const image of seen.images) expect(image.naturalWidth, image.id).toBeGreaterThan(0);
    }
  }, 60_000);

  it("generates a warming that is stronger to the north", () => {
    expect(generatedTrend(60, 0)).toBeGreaterThan(generatedTrend(-60, 0));
    expect(generatedTrend(0, 0)).toBeCloseTo(0.02, 12);
  });
});
