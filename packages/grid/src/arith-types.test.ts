import { describe, expect, expectTypeOf, it } from "vitest";
import { add, DataArray, div, mul, sub } from "./index.js";

describe("arithmetic result types follow the dtype policy", () => {
  const f32 = new DataArray({ name: "a", dims: ["x"], data: Float32Array.of(1, 2) });
  const f64 = new DataArray({ name: "b", dims: ["x"], data: Float64Array.of(1, 2) });
  it("float32 with float32 or a number stays float32; anything with float64 is float64", () => {
    expectTypeOf(sub(f32, 1).data).toEqualTypeOf<Float32Array>();
    expectTypeOf(mul(2, f32).data).toEqualTypeOf<Float32Array>();
    expectTypeOf(add(f64, 1).data).toEqualTypeOf<Float64Array>();
    expect(mul(2, f32).data).toBeInstanceOf(Float32Array);
    expect(add(f32, f64).data).toBeInstanceOf(Float64Array);
  });
});

describe("flat loops (same layout or a number) give the same numbers as the general kernel", () => {
  it("every arithmetic op, both element types, number on either side", () => {
    for (const data of [Float32Array.of(1.5, -2, 4), Float64Array.of(1.5, -2, 4)]) {
      const a = new DataArray({ name: "a", dims: ["x"], data });
      const b = new DataArray({ name: "a", dims: ["x"], data: data.map((v) => v * 3 + 1) });
      const ref = (f: (x: number, y: number) => number, y: ArrayLike<number> | number) =>
        Array.from(data, (x, i) => {
          const r = f(x, typeof y === "number" ? y : y[i]);
          return data instanceof Float32Array ? Math.fround(r) : r;
        });
      expect(Array.from(add(a, b).data)).toEqual(ref((x, y) => x + y, b.data));
      expect(Array.from(sub(a, b).data)).toEqual(ref((x, y) => x - y, b.data));
      expect(Array.from(mul(a, b).data)).toEqual(ref((x, y) => x * y, b.data));
      expect(Array.from(div(a, b).data)).toEqual(ref((x, y) => x / y, b.data));
      expect(Array.from(sub(10, a).data)).toEqual(ref((x, y) => y - x, 10));
      expect(Array.from(div(10, a).data)).toEqual(ref((x, y) => y / x, 10));
      expect(Array.from(add(a, 0.25).data)).toEqual(ref((x, y) => x + y, 0.25));
    }
  });
});
