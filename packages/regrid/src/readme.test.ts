import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { readmeExample } from "./readme-example.js";

describe("README example", () => {
  it("is the code in readme-example.ts, verbatim", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const source = await readFile(new URL("./readme-example.ts", import.meta.url), "utf8");
    const body = source.slice(source.indexOf("  // A 30°"), source.indexOf("  return {"));
    const dedented = body
      .split("\n")
      .map((l) => l.replace(/^ {2}/, ""))
      .join("\n")
      .trim();
    expect(readme).toContain(dedented);
  });

  it("runs and gives the documented results", () => {
    const { onTenDegrees, fraction, strict, scrip } = readmeExample();
    expect(onTenDegrees.dims).toEqual(["time", "lat", "lon"]);
    expect(onTenDegrees.shape).toEqual([2, 18, 36]);
    // Each 10° cell lies inside one 30° cell: its value is that cell's.
    expect(onTenDegrees.get(0, 0, 0)).toBeCloseTo(280, 12);
    expect(onTenDegrees.get(1, 0, 0)).toBeCloseTo(285, 12);
    // The land cell (lat −15, lon 195) leaves its nine 10° cells empty.
    expect(Number.isNaN(onTenDegrees.get(0, 7, 19))).toBe(true);
    expect(fraction.get(0, 7, 19)).toBe(0);
    expect(fraction.get(0, 0, 0)).toBeCloseTo(1, 12);
    expect(Number.isNaN(strict.get(0, 7, 19))).toBe(true);
    expect(scrip.attrs.map_method).toMatch(/Conservative/);
  });
});
