import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { readmeAnalysis } from "./readme-analysis.js";
import { readmeExample } from "./readme-example.js";

/** The README holds the body of `file` (from `start` to its `return`), dedented, verbatim. */
async function expectReadmeShows(file: string, start: string): Promise<void> {
  const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
  const source = await readFile(new URL(`./${file}`, import.meta.url), "utf8");
  const body = source.slice(source.indexOf(start), source.indexOf("  return {"));
  const dedented = body
    .split("\n")
    .map((l) => l.replace(/^ {2}/, ""))
    .join("\n")
    .trim();
  expect(readme).toContain(dedented);
}

describe("README example", () => {
  it("is the code in readme-example.ts, verbatim", async () => {
    await expectReadmeShows("readme-example.ts", "  // A tiny");
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

describe("README analysis example", () => {
  it("is the code in readme-analysis.ts, verbatim", async () => {
    await expectReadmeShows("readme-analysis.ts", "  // Three years");
  });

  it("runs and gives the documented results", () => {
    const r = readmeAnalysis();
    expect(r.first).toBeInstanceOf(Float32Array);
    expect(r.error).toMatch(/no 'time' label equal to 2000-03-15/);
    expect(r.march.coords.time.times?.[0].month).toBe(3);
    expect(r.year2001.shape).toEqual([12, 3, 4]);
    // The mask's land cell is lat 0, lon 180 whatever the mask's row order.
    expect(Number.isNaN(r.seaOnly.get(0, 1, 2))).toBe(true);
    expect(r.seasonal.dims).toEqual(["season", "lat", "lon"]);
    expect(r.seasonal.coords.season.values).toEqual(["DJF", "JJA", "MAM", "SON"]);
    expect(r.yearly.shape[0]).toBe(3);
    expect(r.anom.attrs.standard_name).toBeUndefined();
    expect(r.anom.attrs.units).toBe("degC");
    expect(r.globalMean.attrs.cell_methods).toBe("lat: lon: mean");
    expect(r.smooth.dims).toEqual(["time"]);
    expect(Array.from(r.filled.data as Float32Array).filter((v) => Number.isNaN(v))).toEqual([]);
  });
});
