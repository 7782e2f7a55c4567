import { describe, expect, it } from "vitest";
import { DataArray, Dataset, decode, isGridError } from "./index.js";

describe("DataArray", () => {
  it("indexes row-major with named dims and checks shapes", () => {
    const a = new DataArray({
      name: "t",
      dims: ["lat", "lon"],
      shape: [2, 3],
      data: Float64Array.from([1, 2, 3, 4, 5, 6]),
      coords: { lat: { dims: ["lat"], values: Float64Array.from([-10, 10]), attrs: {} } },
    });
    expect(a.get(1, 2)).toBe(6);
    expect(a.axis("lon")).toBe(1);
    expect(() => a.get(2, 0)).toThrow(/outside dimension 'lat'/);
    expect(
      () => new DataArray({ name: "x", dims: ["a"], shape: [3], data: new Float32Array(2) }),
    ).toThrow(/holds 3 elements but data has 2/);
  });
});

describe("decode", () => {
  it("unpacks shorts, masks fill values and the valid range", () => {
    const raw = Int16Array.from([-32767, 0, 100, 200, 30000]);
    const d = decode(raw, {
      scale_factor: 0.01,
      add_offset: 10,
      _FillValue: -32767,
      valid_max: 20000,
      units: "K",
    });
    expect(Array.from(d.data as Float64Array)).toEqual([Number.NaN, 10, 11, 12, Number.NaN]);
    expect(d.attrs).toEqual({ units: "K" });
    expect(d.encoding.scale_factor).toBe(0.01);
  });

  it("reinterprets _Unsigned bytes, fill compared in the stored domain", () => {
    const raw = Int8Array.from([-1, -2, 5]);
    const d = decode(raw, { _Unsigned: "true", _FillValue: -1 });
    expect(Array.from(d.data as Float64Array)).toEqual([Number.NaN, 254, 5]);
  });
});

describe("Dataset", () => {
  it("reads hyperslabs of in-memory variables with coordinates", async () => {
    const a = new DataArray({
      name: "sst",
      dims: ["time", "lat"],
      shape: [2, 3],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
      coords: {
        time: {
          dims: ["time"],
          values: Float64Array.from([0, 31]),
          attrs: { units: "days since 2000-01-01" },
        },
        lat: { dims: ["lat"], values: Float64Array.from([-1, 0, 1]), attrs: {} },
      },
    });
    const ds = Dataset.fromDataArrays([a]);
    expect(ds.dataVariableNames).toEqual(["sst"]);
    expect(ds.coordNames.sort()).toEqual(["lat", "time"]);
    const one = await ds.read("sst", { isel: { time: 1, lat: { start: 1 } } });
    expect(one.dims).toEqual(["lat"]);
    expect(Array.from(one.data as Float32Array)).toEqual([5, 6]);
    const full = await ds.read("sst");
    expect(full.coords.time.times?.[1]).toMatchObject({ year: 2000, month: 2, day: 1 });
    await expect(ds.read("nope")).rejects.toSatisfy((e) => isGridError(e, "UNKNOWN_VARIABLE"));
    await expect(ds.read("sst", { isel: { time: 5 } })).rejects.toSatisfy((e) =>
      isGridError(e, "OUT_OF_RANGE"),
    );
  });
});
