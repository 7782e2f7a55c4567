import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  add,
  align,
  anomaly,
  areaWeights,
  assignAttrs,
  assignCoords,
  coarsen,
  concat,
  DataArray,
  Dataset,
  eq,
  expandDims,
  formatVariables,
  groupby,
  isel,
  mapVariables,
  merge,
  mul,
  readVariables,
  reduce,
  reduceLazy,
  rename,
  resample,
  roll,
  rolling,
  setCoords,
  sortby,
  squeeze,
  sub,
  swapDims,
  transpose,
} from "./index.js";

function line(
  name: string,
  labels: number[],
  values: number[],
  dim = "x",
): DataArray<Float64Array> {
  return new DataArray({
    name,
    dims: [dim],
    data: Float64Array.from(values),
    coords: { [dim]: { dims: [dim], values: Float64Array.from(labels), attrs: {} } },
  });
}

describe("binary operations align by label", () => {
  const a = line("a", [1, 2, 3], [10, 20, 30]);
  const b = line("b", [3, 2, 1], [3, 2, 1]);

  it("exact: same labels in any order", () => {
    expect(Array.from(sub(a, b).data)).toEqual([9, 18, 27]);
  });

  it("inner, outer and left joins as xarray", () => {
    const c = line("c", [2, 3, 4], [1, 1, 1]);
    expect(() => add(a, c)).toThrow(/labels of 'x' differ: 'a' has 1 which 'c' lacks/);
    const inner = add(a, c, { join: "inner" });
    expect(Array.from(inner.coords.x.values as Float64Array)).toEqual([2, 3]);
    expect(Array.from(inner.data)).toEqual([21, 31]);
    const outer = add(a, c, { join: "outer" });
    expect(Array.from(outer.coords.x.values as Float64Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(outer.data)).toEqual([Number.NaN, 21, 31, Number.NaN]);
    const left = add(a, c, { join: "left" });
    expect(Array.from(left.data)).toEqual([Number.NaN, 21, 31]);
    const [p, q] = align(a, c, { join: "outer" });
    expect(p.shape).toEqual([4]);
    expect(q.shape).toEqual([4]);
    expect(() => add(a, c, { join: "right" as "left" })).toThrow(/options.join must be one of/);
  });

  it("broadcasts by dimension name and keeps float32 with scalars", () => {
    const grid = new DataArray({
      name: "g",
      dims: ["y", "x"],
      shape: [2, 3],
      data: Float32Array.from([1, 2, 3, 4, 5, 6]),
      coords: { x: a.coords.x },
    });
    const scaled = mul(grid, 2);
    expect(scaled.data).toBeInstanceOf(Float32Array);
    const f: Float32Array = scaled.data; // typed: no cast needed
    expect(Array.from(f)).toEqual([2, 4, 6, 8, 10, 12]);
    const sum = add(grid, b);
    expect(sum.data).toBeInstanceOf(Float64Array);
    expect(Array.from(sum.data)).toEqual([2, 4, 6, 5, 7, 9]);
    const byCol = add(b, grid);
    expect(byCol.dims).toEqual(["x", "y"]);
    expect(Array.from(eq(a, 20).data)).toEqual([0, 1, 0]);
    expect(() => sub(a, "1" as unknown as number)).toThrow(
      /second operand must be a DataArray or a number/,
    );
  });
});

describe("concat and merge", () => {
  it("concatenates along an existing dim with dates re-encoded, aligning the others", () => {
    const mk = (t0: number, units: string, lon: number[]) =>
      new DataArray({
        name: "v",
        dims: ["time", "lon"],
        shape: [2, lon.length],
        data: Float64Array.from({ length: 2 * lon.length }, (_, i) => t0 + i),
        coords: {
          time: {
            dims: ["time"],
            values: Float64Array.of(0, 1),
            attrs: { units, calendar: "noleap" },
          },
          lon: { dims: ["lon"], values: Float64Array.from(lon), attrs: {} },
        },
      });
    const a = mk(0, "days since 2000-01-01", [0, 10]);
    const b = mk(100, "days since 2000-01-03", [10, 0]);
    const c = concat([a, b], "time");
    expect(Array.from(c.coords.time.values as Float64Array)).toEqual([0, 1, 2, 3]);
    // b's rows were matched by longitude: lon 0 is b's second column.
    expect(c.get(2, 0)).toBe(101);
    const stacked = concat([isel(a, { time: 0 }), isel(b, { time: 0 })], "member");
    expect(stacked.dims).toEqual(["member", "lon"]);
    const d = mk(0, "days since 2000-01-01", [0, 20]);
    expect(() => concat([a, d], "time")).toThrow(/labels of 'lon' differ/);
    expect(concat([a, d], "time", { join: "outer" }).shape).toEqual([4, 3]);
  });

  it("merge puts arrays on common labels", () => {
    const m = merge([line("u", [1, 2, 3], [1, 2, 3]), line("v", [2, 3], [5, 6])], {
      join: "inner",
    });
    expect(Object.keys(m)).toEqual(["u", "v"]);
    expect(Array.from(m.u.data as Float64Array)).toEqual([2, 3]);
    expect(() => merge([line("u", [1], [1]), line("u", [1], [2])])).toThrow(
      /two arrays are named 'u'/,
    );
  });
});

describe("coordinate and layout operations", () => {
  const a = new DataArray({
    name: "t",
    dims: ["lat", "lon"],
    shape: [2, 3],
    data: Float64Array.from([1, 2, 3, 4, 5, 6]),
    coords: {
      lat: { dims: ["lat"], values: Float64Array.of(10, -10), attrs: {} },
      lon: { dims: ["lon"], values: Float64Array.of(0, 120, 240), attrs: {} },
      station: { dims: ["lon"], values: ["a", "b", "c"], attrs: {} },
    },
    attrs: { units: "K" },
    encoding: { dtype: "int16" },
  });

  it("rename, assign, swap, sort, roll, transpose, squeeze, expand", () => {
    expect(rename(a, { lat: "y" }).dims).toEqual(["y", "lon"]);
    expect(rename(a, "u").name).toBe("u");
    expect(() => rename(a, { nope: "x" })).toThrow(/neither a dim nor a coordinate/);
    expect(assignAttrs(a, { long_name: "T" }).attrs).toEqual({ units: "K", long_name: "T" });
    expect(
      Array.from(assignCoords(a, { lon: [1, 2, 3] }).coords.lon.values as Float64Array),
    ).toEqual([1, 2, 3]);
    expect(swapDims(a, { lon: "station" }).dims).toEqual(["lat", "station"]);
    const s = sortby(a, "lat");
    expect(Array.from(s.coords.lat.values as Float64Array)).toEqual([-10, 10]);
    expect(Array.from(s.data as Float64Array)).toEqual([4, 5, 6, 1, 2, 3]);
    expect(s.encoding).toEqual({ dtype: "int16" });
    expect(Array.from(roll(a, { lon: 1 }).data as Float64Array)).toEqual([3, 1, 2, 6, 4, 5]);
    expect(Array.from(roll(a, { lon: 1 }).coords.lon.values as Float64Array)).toEqual([
      0, 120, 240,
    ]);
    expect(
      Array.from(roll(a, { lon: 1 }, { rollCoords: true }).coords.lon.values as Float64Array),
    ).toEqual([240, 0, 120]);
    const t = transpose(a, "lon");
    expect(t.dims).toEqual(["lon", "lat"]);
    expect(t.get(2, 1)).toBe(6);
    const one = isel(a, { lat: { stop: 1 } });
    expect(squeeze(one).dims).toEqual(["lon"]);
    expect(expandDims(a, "time", { value: 3 }).shape).toEqual([1, 2, 3]);
  });

  it("prints like xarray", () => {
    const text = inspect(a);
    expect(text).toContain("<geoml.DataArray 't' (lat: 2, lon: 3)> float64");
    expect(text).toContain("* lat");
    expect(text).toContain("units: K");
    expect(String(a)).toBe(text);
    const ds = Dataset.fromDataArrays([a]);
    expect(inspect(ds)).toContain("Data variables:");
    expect(formatVariables({ t: a })).toContain("t          (lat, lon) float64");
  });
});

describe("datasets of several variables and streaming reductions", () => {
  const nt = 50;
  const v = new DataArray({
    name: "v",
    dims: ["time", "y"],
    shape: [nt, 4],
    data: Float32Array.from({ length: nt * 4 }, (_, i) =>
      i % 7 === 3 ? Number.NaN : Math.sin(i) * 10,
    ),
    coords: {
      time: {
        dims: ["time"],
        values: Float64Array.from({ length: nt }, (_, i) => i),
        attrs: { units: "days since 2000-01-01" },
      },
    },
    attrs: { units: "m" },
  });
  const u = mul(v, 2);
  const ds = Dataset.fromDataArrays([v, rename(u, "u")]);

  it("reads several variables with one selection and maps an operation over them", async () => {
    const vars = await readVariables(ds, ["v", "u"], {
      sel: { time: { from: "2000-01-05", to: "2000-01-09" } },
    });
    expect(vars.v.shape).toEqual([5, 4]);
    const means = mapVariables(vars, (a) => reduce(a, "time", "mean"));
    expect(means.u.get(1)).toBeCloseTo(2 * means.v.get(1), 5);
    const withCoord = setCoords(
      {
        ...vars,
        depth: new DataArray({ name: "depth", dims: ["y"], data: Float64Array.of(5, 10, 20, 40) }),
      },
      "depth",
    );
    expect(Object.keys(withCoord)).toEqual(["v", "u"]);
    expect(Array.from(withCoord.u.coords.depth.values as Float64Array)).toEqual([5, 10, 20, 40]);
    await expect(readVariables(ds, ["v"], { select: {} } as never)).rejects.toThrow(
      /unknown options key 'select'/,
    );
  });

  it("reduceLazy reads slab by slab and agrees with the in-memory reduction", async () => {
    for (const op of ["mean", "sum", "count", "min", "max", "std", "var"] as const) {
      const lazy = await reduceLazy(ds, "v", ["time"], op, {
        slabElements: 12,
        ddof: op === "var" ? 1 : 0,
      });
      const mem = reduce(v, ["time"], op, op === "var" ? { ddof: 1 } : {});
      const x = lazy.data as ArrayLike<number>;
      const y = mem.data as ArrayLike<number>;
      for (let i = 0; i < y.length; i++)
        expect(Math.abs(x[i] - y[i]), op).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(y[i])));
      expect(lazy.attrs.cell_methods ?? "", op).toBe(mem.attrs.cell_methods ?? "");
    }
    const perStep = await reduceLazy(ds, "v", ["y"], "median", { slabElements: 8 });
    expect(Array.from(perStep.data as Float32Array)).toEqual(
      Array.from(reduce(v, ["y"], "median").data as Float32Array),
    );
    await expect(reduceLazy(ds, "v", ["time"], "median")).rejects.toThrow(
      /cannot be merged across slabs/,
    );
  });
});

describe("grouped positions", () => {
  it("groupby argmax reports the position within each group, as xarray", () => {
    const a = new DataArray({
      name: "v",
      dims: ["time"],
      data: Float64Array.of(1, 5, 2, 9, 3, 4),
      coords: {
        time: {
          dims: ["time"],
          values: Float64Array.of(15, 45, 380, 410, 745, 775),
          attrs: { units: "days since 2000-01-01", calendar: "noleap" },
        },
      },
    });
    const g = groupby(a, "time.month");
    expect(Array.from(g.reduce("argmax").data as Float64Array)).toEqual([2, 1]);
    expect(Array.from(g.reduce("argmin").data as Float64Array)).toEqual([0, 2]);
  });
});

describe("float32 fast paths agree with float64", () => {
  it("climatology and anomaly of float32 data", () => {
    const nt = 30;
    const make = <T extends Float32Array | Float64Array>(data: T) =>
      new DataArray({
        name: "v",
        dims: ["time", "y"],
        shape: [nt, 3],
        data,
        coords: {
          time: {
            dims: ["time"],
            values: Float64Array.from({ length: nt }, (_, i) => i * 30 + 15),
            attrs: { units: "days since 2000-01-01", calendar: "360_day" },
          },
        },
      });
    const values = Float32Array.from({ length: nt * 3 }, (_, i) =>
      i % 11 === 4 ? Number.NaN : Math.cos(i) * 7,
    );
    const a32 = anomaly(make(values));
    const a64 = anomaly(make(Float64Array.from(values)));
    expect(a32.data).toBeInstanceOf(Float32Array);
    const x = a32.data as Float32Array;
    const y = a64.data as Float64Array;
    for (let i = 0; i < y.length; i++) {
      if (Number.isNaN(y[i])) expect(Number.isNaN(x[i])).toBe(true);
      else expect(Math.abs(x[i] - y[i])).toBeLessThan(1e-5);
    }
  });
});

describe("less travelled paths", () => {
  const nt = 24;
  const a = new DataArray({
    name: "v",
    dims: ["time", "lat", "lon"],
    shape: [nt, 3, 2],
    data: Float64Array.from({ length: nt * 6 }, (_, i) =>
      i % 13 === 5 ? Number.NaN : Math.sin(i) * 4 + 10,
    ),
    coords: {
      time: {
        dims: ["time"],
        values: Float64Array.from({ length: nt }, (_, i) => i * 30 + 15),
        attrs: { units: "days since 2000-01-01", calendar: "360_day" },
      },
      lat: {
        dims: ["lat"],
        values: Float64Array.of(-45, 0, 45),
        attrs: { units: "degrees_north" },
      },
      lon: { dims: ["lon"], values: Float64Array.of(0, 180), attrs: { units: "degrees_east" } },
      zone: { dims: ["lat"], values: ["south", "tropics", "north"], attrs: {} },
    },
  });

  it("weighted streaming reductions match the in-memory ones", async () => {
    const ds = Dataset.fromDataArrays([a]);
    const w = areaWeights(a);
    for (const op of ["mean", "sum", "std"] as const) {
      const lazy = await reduceLazy(ds, "v", ["time", "lat"], op, { weights: w, slabElements: 10 });
      const mem = reduce(a, ["time", "lat"], op, { weights: w });
      const x = lazy.data as Float64Array;
      const y = mem.data as Float64Array;
      for (let i = 0; i < y.length; i++)
        expect(Math.abs(x[i] - y[i]), op).toBeLessThan(1e-12 * Math.max(1, Math.abs(y[i])));
    }
  });

  it("groupby a string coordinate, coarsen and rolling argument checks", () => {
    const g = groupby(a, "zone");
    expect(g.labels).toEqual(["north", "south", "tropics"]);
    const m = g.mean();
    expect(m.dims).toEqual(["time", "zone", "lon"]);
    expect(m.get(0, 1, 0)).toBe(a.get(0, 0, 0));
    expect(() => coarsen(a, { time: 5 })).toThrow(/not a multiple of 5.*boundary: "trim"/);
    expect(coarsen(a, { time: 5 }, "mean", { boundary: "trim" }).shape).toEqual([4, 3, 2]);
    expect(() => rolling(a, { time: 0 })).toThrow(/window.time must be an integer ≥ 1/);
    expect(() => rolling(a, { time: 3, lat: 2 })).toThrow(/for one dim/);
    expect(() => rolling(a, { time: 3 }, { minPeriods: 4 })).toThrow(
      /minPeriods must be an integer in \[1, 3\]/,
    );
    expect(() => groupby(a, "time.week" as string)).toThrow(
      /date part in 'time.week' must be one of/,
    );
    expect(() => resample(a, "W" as "month")).toThrow(/freq must be one of/);
  });

  it("transpose moves 2-D coordinates with their dims", () => {
    const b = new DataArray({
      name: "b",
      dims: ["y", "x"],
      shape: [2, 3],
      data: Float64Array.of(1, 2, 3, 4, 5, 6),
      coords: {
        lat2d: { dims: ["y", "x"], values: Float64Array.of(10, 11, 12, 20, 21, 22), attrs: {} },
      },
    });
    const t = transpose(b, "x", "y");
    expect(t.coords.lat2d.dims).toEqual(["x", "y"]);
    expect(Array.from(t.coords.lat2d.values as Float64Array)).toEqual([10, 20, 11, 21, 12, 22]);
    expect(Array.from(t.data as Float64Array)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});
