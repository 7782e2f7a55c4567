import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { lineChart } from "./chart.js";
import { blueWhiteRed, viridis } from "./colormap.js";
import { renderMap } from "./map.js";
import { encodePng } from "./png.js";

/** Reads back the pixels of a PNG written by {@link encodePng} (filter 0 on every row). */
function decodePng(png: Uint8Array) {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  let offset = 8;
  const idat: Uint8Array[] = [];
  while (offset < png.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8));
    if (type === "IDAT") idat.push(png.subarray(offset + 8, offset + 8 + length));
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, pixels };
}

describe("encodePng", () => {
  it("round-trips pixels", () => {
    const pixels = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const back = decodePng(encodePng({ width: 3, height: 2, pixels }));
    expect(back.width).toBe(3);
    expect(back.height).toBe(2);
    expect([...back.pixels]).toEqual([...pixels]);
  });

  it("rejects a buffer of the wrong size", () => {
    expect(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(3) })).toThrow(/16 bytes/);
  });
});

describe("renderMap", () => {
  it("puts north at the top and draws NaN as no data", () => {
    // South-first latitudes: the first row of values is the southern one.
    const png = renderMap({
      values: [0, Number.NaN, 1, 1],
      lat: [-45, 45],
      lon: [0, 180],
      colormap: viridis,
      vmin: 0,
      vmax: 1,
      scale: 1,
    });
    const { pixels } = decodePng(png);
    expect([...pixels.subarray(0, 3)]).toEqual(viridis(1)); // top row = north = values 1
    expect([...pixels.subarray(8, 11)]).toEqual(viridis(0)); // bottom-left = south = 0
    expect([...pixels.subarray(12, 15)]).toEqual([205, 205, 205]); // NaN
  });
});

describe("colour maps", () => {
  it("run from their first to their last stop and clamp outside [0, 1]", () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(2)).toEqual([253, 231, 37]);
    expect(blueWhiteRed(0.5)).toEqual([247, 247, 247]);
  });
});

describe("lineChart", () => {
  it("draws one path per series and skips non-finite points", () => {
    const svg = lineChart({
      series: [
        {
          name: "train",
          points: [
            [1, 3],
            [2, 2],
            [3, 1],
          ],
          color: "#1f77b4",
        },
        {
          name: "valid",
          points: [
            [1, 4],
            [2, Number.NaN],
            [3, 2],
          ],
          color: "#d62728",
        },
      ],
      xLabel: "epoch",
      yLabel: "loss",
      logY: true,
    });
    expect(svg.match(/<path /g)?.length).toBe(2);
    expect(svg).toContain(">valid<");
    expect(svg).not.toContain("NaN");
  });
});
