import { describe, expect, it } from "vitest";
import { gatherMatrixRows, gatherRows } from "./data.js";

describe("gatherMatrixRows / gatherRows", () => {
  const rows = 7;
  const cols = 3;
  const raw = Array.from({ length: rows * cols }, (_, i) => i * 1.25 - 3);
  const order = Int32Array.from([4, 0, 6, 6, 2]);
  const expected = (start: number, count: number, index: Int32Array | null) =>
    Array.from({ length: count * cols }, (_, i) => {
      const r = index ? index[start + Math.floor(i / cols)] : start + Math.floor(i / cols);
      return raw[r * cols + (i % cols)];
    });

  // every dtype pair, with and without an index: the specialised loops and the general one
  for (const [From, To] of [
    [Float32Array, Float32Array],
    [Float64Array, Float64Array],
    [Float64Array, Float32Array],
    [Float32Array, Float64Array],
  ] as const)
    for (const index of [order, null])
      it(`${From.name} rows into ${To.name}, ${index ? "through an index" : "in order"}`, () => {
        const x = { data: From.from(raw), rows, cols };
        const out = new To(4 * cols).fill(-99);
        gatherMatrixRows(x, out, index, 1, 3);
        expect(Array.from(out.subarray(0, 3 * cols))).toEqual(expected(1, 3, index));
        // nothing past count rows is written
        expect(Array.from(out.subarray(3 * cols))).toEqual(new Array(cols).fill(-99));
      });

  it("standardises while gathering", () => {
    const x = { data: Float64Array.from(raw), rows, cols };
    const s = { mean: Float64Array.from([1, 2, 3]), scale: Float64Array.from([2, 4, 0.5]) };
    const out = new Float64Array(2 * cols);
    gatherMatrixRows(x, out, order, 0, 2, s);
    const want = expected(0, 2, order).map((v, i) => (v - s.mean[i % cols]) / s.scale[i % cols]);
    expect(Array.from(out)).toEqual(want);
  });

  for (const To of [Float32Array, Float64Array])
    it(`gathers values into ${To.name}`, () => {
      const v = Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
      const out = new To(3);
      gatherRows(v, out, order, 2, 3);
      expect(Array.from(out)).toEqual([0.7, 0.7, 0.3].map((a) => To.from([a])[0]));
      gatherRows(v, out, null, 4, 3);
      expect(Array.from(out)).toEqual([0.5, 0.6, 0.7].map((a) => To.from([a])[0]));
    });
});
