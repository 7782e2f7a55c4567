import { describe, expect, expectTypeOf, it } from "vitest";
import { add, DataArray, mul, sub } from "./index.js";

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
