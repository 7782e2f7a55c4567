import { describe, expect, it } from "vitest";
import ref from "./__fixtures__/interp_xarray.json" with { type: "json" };
import { DataArray } from "./data-array.js";
import { isGridError } from "./errors.js";
import { interp } from "./interp.js";

const nan = (v: number | null) => (v === null ? Number.NaN : v);

function field(): DataArray {
  return new DataArray({
    name: "t",
    dims: ["time", "lat", "lon"],
    shape: [2, ref.lat.length, ref.lon.length],
    data: Float64Array.from(ref.data, nan),
    coords: {
      lat: { dims: ["lat"], values: Float64Array.from(ref.lat), attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: Float64Array.from(ref.lon), attrs: { units: "degrees_east" } },
    },
    attrs: { units: "K" },
  });
}

describe("interp matches xarray (periodic longitude, descending latitude, NaN cells)", () => {
  for (const method of ["linear", "nearest"] as const) {
    it(method, () => {
      const out = interp(field(), { lat: ref.new_lat, lon: ref.new_lon }, { method });
      expect(out.dims).toEqual(["time", "lat", "lon"]);
      expect(out.shape).toEqual([2, ref.new_lat.length, ref.new_lon.length]);
      expect(Array.from(out.coords.lon.values as Float64Array)).toEqual(ref.new_lon);
      const expected = ref[method].map(nan);
      const got = out.toFloat64();
      let nans = 0;
      expected.forEach((e, i) => {
        if (Number.isNaN(e)) {
          nans++;
          expect(Number.isNaN(got[i]), `index ${i}`).toBe(true);
        } else expect(Math.abs(got[i] - e), `index ${i}`).toBeLessThan(1e-10);
      });
      // Out-of-range latitudes and the NaN cells' neighbourhoods are missing.
      expect(nans).toBeGreaterThan(30);
    });
  }
});

describe("interp", () => {
  const line = (values: number[], coord: number[], attrs = {}) =>
    new DataArray({
      name: "v",
      dims: ["x"],
      data: Float64Array.from(values),
      coords: { x: { dims: ["x"], values: Float64Array.from(coord), attrs } },
    });

  it("a point on a valid node keeps its value next to a missing one", () => {
    const a = line([1, 2, Number.NaN, 4], [0, 1, 2, 3]);
    const out = interp(a, { x: [1, 1.5, 3, 0.25] }).toFloat64();
    expect(out[0]).toBe(2);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBe(4);
    expect(out[3]).toBe(1.25);
  });

  it("a number drops the dimension; integers become float64", () => {
    const a = new DataArray({
      name: "n",
      dims: ["y", "x"],
      shape: [2, 2],
      data: Int16Array.from([0, 10, 20, 30]),
      coords: {
        y: { dims: ["y"], values: Float64Array.from([0, 1]), attrs: {} },
        x: { dims: ["x"], values: Float64Array.from([0, 1]), attrs: {} },
      },
    });
    const out = interp(a, { y: 0.5, x: 0.5 });
    expect(out.dims).toEqual([]);
    expect(out.toFloat64()[0]).toBe(15);
  });

  it("longitudes wrap across the seam only on a global grid", () => {
    const global = line([0, 90, 180, 270], [0, 90, 180, 270], { units: "degrees_east" });
    expect(Array.from(interp(global, { x: [315, -45, 405] }).toFloat64())).toEqual([135, 135, 45]);
    const regional = line([0, 10], [100, 110], { units: "degrees_east" });
    const r = interp(regional, { x: [-255, 120] }).toFloat64();
    expect(r[0]).toBe(5);
    expect(Number.isNaN(r[1])).toBe(true);
  });

  it("names what is wrong", () => {
    const a = line([1, 2], [0, 1]);
    expect(() => interp(a, { y: [0] })).toThrow(/no dimension 'y'/);
    expect(() => interp(a, { x: [Number.NaN] })).toThrow(/target NaN for 'x' is not finite/);
    expect(() => interp(a, { x: [0] }, { method: "cubic" as never })).toThrow(
      /'linear' or 'nearest', got 'cubic'/,
    );
    const bad = line([1, 2, 3], [0, 2, 1]);
    try {
      interp(bad, { x: [0.5] });
      expect.unreachable();
    } catch (e) {
      expect(isGridError(e, "INVALID_SELECTION")).toBe(true);
      expect(String(e)).toMatch(/variable 'v': coordinate 'x' is not strictly monotonic/);
    }
  });
});
