import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { openZarr } from "./index.js";
import { readmeExample } from "./readme-example.js";

describe("README example", () => {
  it("is the code in readme-example.ts, verbatim", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const source = await readFile(new URL("./readme-example.ts", import.meta.url), "utf8");
    const body = source.slice(
      source.indexOf("  // Opening"),
      source.indexOf("  await ds.close();"),
    );
    const dedented = body
      .split("\n")
      .map((l) => l.replace(/^ {2}/, ""))
      .join("\n")
      .trim();
    expect(readme).toContain(dedented);
  });

  it("runs and gives the documented results", async () => {
    const dir = await mkdtemp(join(tmpdir(), "geoml-zarr-readme-"));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      const { day3, dayMean, score } = await readmeExample(dir);
      expect(day3.dims).toEqual(["lat", "lon"]);
      expect(dayMean.get()).toBeGreaterThan(20);
      const s = Array.from(score.data as Float32Array);
      expect(s.filter((v) => v === 0.5).length).toBe(6);
      expect(s.filter(Number.isNaN).length).toBe(18);
      const back = await openZarr(join(dir, "warm.zarr"));
      expect(back.format).toBe("zarr2");
      expect(back.variable("warm").dtype).toBe("int8");
      const warm = await back.read("warm");
      expect(Array.from(warm.data as Float64Array).filter(Number.isNaN).length).toBe(5);
      await back.close();
    } finally {
      log.mockRestore();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
