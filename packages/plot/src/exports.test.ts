import { expect, it } from "vitest";
import * as plot from "./index.js";
import * as png from "./png.js";

// The public surface, so an API change shows up in review.
it("exports", () => {
  expect(Object.keys(plot).sort()).toMatchInlineSnapshot(`
    [
      "COLORMAPS",
      "PlotError",
      "colormap",
      "decimalYear",
      "lineSvg",
      "mapSvg",
      "renderMap",
      "timeSeriesSvg",
    ]
  `);
  expect(Object.keys(png).sort()).toMatchInlineSnapshot(`
    [
      "FONT_FILE",
      "svgToPixels",
      "svgToPng",
    ]
  `);
});

it("the main entry imports no Node built-ins (it must load in a browser)", async () => {
  const { readFile, readdir } = await import("node:fs/promises");
  const dir = new URL("./", import.meta.url);
  for (const f of await readdir(dir)) {
    if (!f.endsWith(".ts") || f.endsWith(".test.ts") || f === "png.ts") continue;
    const src = await readFile(new URL(f, dir), "utf8");
    expect(src, f).not.toMatch(/from "node:|from "@resvg/);
  }
});
