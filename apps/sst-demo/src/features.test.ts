import { describe, expect, it } from "vitest";
import { BLOCK_DEGREES, blockSplit, thin, zoneOf } from "./features.js";

describe("blockSplit", () => {
  // Every 2° cell of the globe, 12 months each.
  const lat: number[] = [];
  const lon: number[] = [];
  for (let m = 0; m < 12; m++)
    for (let y = -88; y <= 88; y += 2)
      for (let x = 0; x < 360; x += 2) {
        lat.push(y);
        lon.push(x);
      }
  const split = blockSplit(Float64Array.from(lat), Float64Array.from(lon), 3);
  const block = (i: number) =>
    `${Math.floor((lat[i] + 90) / BLOCK_DEGREES)},${Math.floor(lon[i] / BLOCK_DEGREES)}`;

  it("holds out whole blocks, all months of a cell together, in every latitude band", () => {
    expect(split.train.length + split.test.length).toBe(lat.length);
    const trainBlocks = new Set(Array.from(split.train, block));
    const testBlocks = new Set(Array.from(split.test, block));
    for (const b of testBlocks) expect(trainBlocks.has(b)).toBe(false);
    expect(testBlocks.size).toBe(split.heldBlocks);
    const bands = new Set([...testBlocks].map((b) => b.split(",")[0]));
    expect(bands.size).toBe(9);
    expect(split.test.length / lat.length).toBeCloseTo(0.2, 1);
  });

  it("depends on the seed only", () => {
    const again = blockSplit(Float64Array.from(lat), Float64Array.from(lon), 3);
    expect(again.test).toEqual(split.test);
    const other = blockSplit(Float64Array.from(lat), Float64Array.from(lon), 4);
    expect(other.test).not.toEqual(split.test);
  });
});

describe("features", () => {
  it("zones at 5, 18 and 26.5 °C", () => {
    expect([-1.8, 4.99, 5, 17.9, 18, 26.49, 26.5, 31].map(zoneOf)).toEqual([
      0, 0, 1, 1, 2, 2, 3, 3,
    ]);
  });
  it("thins rows evenly", () => {
    const rows = Int32Array.from({ length: 100 }, (_, i) => i);
    expect(Array.from(thin(rows, 4))).toEqual([0, 25, 50, 75]);
    expect(thin(rows, 200)).toBe(rows);
  });
});
