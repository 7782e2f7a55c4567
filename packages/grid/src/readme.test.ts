import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { readmeExample } from "./readme-example.js";

describe("README example", () => {
  it("is the code in readme-example.ts, verbatim", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const source = await readFile(new URL("./readme-example.ts", import.meta.url), "utf8");
    const body = source.slice(source.indexOf("  // A tiny"), source.indexOf("  return {"));
    const dedented = body
      .split("\n")
      .map((l) => l.replace(/^ {2}/, ""))
      .join("\n")
      .trim();
    expect(readme).toContain(dedented);
  });

  it("runs and gives the documented results", () => {
    const { atlantic, globalMean, table, onGrid } = readmeExample();
    expect(Array.from(atlantic.coords.lon.values as Float64Array)).toEqual([-90, 0, 90]);
    expect(globalMean.dims).toEqual(["time"]);
    expect(table.nrows).toBe(21);
    expect(Object.keys(table.columns)).toEqual(["sst", "lat", "lon", "doy_sin", "doy_cos"]);
    expect(Number.isNaN(onGrid.get(0, 1, 1))).toBe(true);
    expect(onGrid.get(0, 0, 0)).toBe(20.5);
  });
});
