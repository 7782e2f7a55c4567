import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { svgToPng } from "./png.js";
import { readmeExample } from "./readme-example.js";

describe("README example", () => {
  it("is the code in readme-example.ts, verbatim", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const source = await readFile(new URL("./readme-example.ts", import.meta.url), "utf8");
    const body = source.slice(source.indexOf("  // A 5°"), source.indexOf("  return {"));
    const dedented = body
      .split("\n")
      .map((l) => l.replace(/^ {2}/, ""))
      .join("\n")
      .trim();
    expect(readme).toContain(dedented);
  });

  it("runs and gives the documented results", () => {
    const { map, anomalies, trend } = readmeExample();
    expect(map).toContain(">Sea surface temperature</text>");
    expect(map).toContain(">°C</text>");
    expect(map).toContain(">no data</text>");
    expect(anomalies).toContain(">°C</text>");
    expect(trend).toContain(">global mean</text>");
    const png = svgToPng(map);
    expect(Array.from(png.subarray(1, 4))).toEqual([80, 78, 71]);
  });
});
