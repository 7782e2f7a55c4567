import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Calendar,
  cfDatetime,
  computeStats,
  DataArray,
  Dataset,
  decodeTimes,
  describeDataset,
  encodeTime,
  formatCFDatetime,
  isel,
  isGridError,
  maskFrom,
  parseTimeUnits,
  reduce,
  sel,
  slabs,
  where,
} from "./index.js";

describe("CF time", () => {
  it("parses unit aliases, bare dates and time zones", () => {
    expect(parseTimeUnits("hours since 1800-1-1 00:00:0.0").reference).toMatchObject({
      year: 1800,
      month: 1,
      day: 1,
    });
    const tz = parseTimeUnits("seconds since 1970-01-01 00:00 -6:00");
    expect(formatCFDatetime(tz.reference)).toBe("1970-01-01T06:00:00");
    expect(() => parseTimeUnits("fortnights since 2000-01-01")).toThrow(/not '<unit> since/);
    expect(() => parseTimeUnits("days since 2001-02-29")).toThrow(/does not exist/);
    expect(() => decodeTimes([0], "days since 2000-01-01", "martian")).toThrow(
      /calendar 'martian'/,
    );
  });

  it("decodes whole months and rejects fractional ones", () => {
    const t = decodeTimes([0, 12, 13], "months since 1958-1-1 00:00:00");
    expect(t.map((x) => formatCFDatetime(x!))).toEqual([
      "1958-01-01T00:00:00",
      "1959-01-01T00:00:00",
      "1959-02-01T00:00:00",
    ]);
    expect(() => decodeTimes([0.5], "months since 1958-1-1")).toThrow(/fractional/);
  });

  it("encodeTime inverts decodeTimes in every calendar", () => {
    const calendars: Calendar[] = [
      "standard",
      "proleptic_gregorian",
      "julian",
      "noleap",
      "all_leap",
      "360_day",
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...calendars),
        fc.integer({ min: -2_000_000, max: 2_000_000 }),
        (cal, minutes) => {
          const units = "minutes since 1850-01-01 00:00";
          const [t] = decodeTimes([minutes], units, cal);
          expect(encodeTime(t!, units, cal)).toBeCloseTo(minutes, 6);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("NaN times decode to undefined", () => {
    expect(decodeTimes([Number.NaN], "days since 2000-01-01")).toEqual([undefined]);
    expect(cfDatetime(2000, 1, 1).calendar).toBe("standard");
  });
});

describe("streaming statistics", () => {
  const a = new DataArray({
    name: "t",
    dims: ["time", "y", "x"],
    shape: [3, 4, 5],
    data: Float32Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? -999 : i / 4)),
    attrs: { _FillValue: -999 },
  });
  const ds = Dataset.fromDataArrays([a]);

  it("slabs cover the shape exactly once for any budget", () => {
    for (const budget of [1, 3, 5, 7, 20, 21, 60, 1000]) {
      const seen = new Uint8Array(60);
      for (const [start, count] of slabs([3, 4, 5], budget)) {
        expect(count.reduce((x, y) => x * y, 1)).toBeLessThanOrEqual(Math.max(budget, 1));
        for (let t = 0; t < count[0]; t++)
          for (let y = 0; y < count[1]; y++)
            for (let x = 0; x < count[2]; x++)
              seen[(start[0] + t) * 20 + (start[1] + y) * 5 + start[2] + x]++;
      }
      expect([...seen].every((s) => s === 1)).toBe(true);
    }
  });

  it("same numbers whatever the slab size, fill values excluded", async () => {
    const whole = await computeStats(ds.variable("t"));
    const small = await computeStats(ds.variable("t"), { slabElements: 7 });
    expect(small).toEqual(whole);
    expect(whole.validCount).toBe(60 - 9);
    expect(whole.min).toBe(0.25);
    const info = await describeDataset(ds, { stats: true });
    expect(info.variables[0]).toMatchObject({
      name: "t",
      dims: ["time", "y", "x"],
      shape: [3, 4, 5],
    });
    expect(info.variables[0].stats?.validCount).toBe(51);
  });
});

describe("masks and reductions", () => {
  it("where broadcasts a (y, x) mask over (time, y, x)", () => {
    const a = new DataArray({
      name: "v",
      dims: ["time", "y"],
      shape: [2, 3],
      data: Float64Array.from([1, 2, 3, 4, 5, 6]),
    });
    const m = maskFrom(
      new DataArray({ name: "lsm", dims: ["y"], data: Int8Array.from([0, 1, 0]) }),
      (v) => v === 0,
    );
    const w = where(a, m);
    expect(Array.from(w.data as Float64Array)).toEqual([1, Number.NaN, 3, 4, Number.NaN, 6]);
    expect(Array.from(reduce(w, ["y"], "count").data as Float64Array)).toEqual([2, 2]);
    expect(Array.from(reduce(w, ["time"], "max").data as Float64Array)).toEqual([4, Number.NaN, 6]);
    expect(() =>
      where(a, new DataArray({ name: "bad", dims: ["y"], data: new Uint8Array(4) })),
    ).toThrow(/'y' has length 3 in 'v' but 4 in 'bad'/);
  });

  it("typed errors carry codes", () => {
    const a = new DataArray({ name: "v", dims: ["y"], data: new Float64Array(3) });
    try {
      reduce(a, ["nope"], "mean");
      expect.unreachable();
    } catch (e) {
      expect(isGridError(e, "UNKNOWN_DIMENSION")).toBe(true);
    }
  });
});

describe("selection by date", () => {
  const time = Float64Array.from([15.5, 45, 74.5, 105]);
  const a = new DataArray({
    name: "v",
    dims: ["time"],
    data: Float64Array.from([1, 2, 3, 4]),
    coords: {
      time: {
        dims: ["time"],
        values: time,
        attrs: { units: "days since 2000-01-01", calendar: "noleap" },
        times: decodeTimes(time, "days since 2000-01-01", "noleap").map((t) => t!),
      },
    },
  });

  it("nearest date and inclusive date ranges in the coordinate's calendar", () => {
    expect(
      sel(a, { time: cfDatetime(2000, 2, 14, 0, 0, 0, "noleap") }, { method: "nearest" }).get(),
    ).toBe(2);
    const spring = sel(a, {
      time: {
        from: cfDatetime(2000, 2, 1, 0, 0, 0, "noleap"),
        to: cfDatetime(2000, 3, 31, 0, 0, 0, "noleap"),
      },
    });
    expect(Array.from(spring.data as Float64Array)).toEqual([2, 3]);
    expect(spring.coords.time.times?.map((t) => t.month)).toEqual([2, 3]);
    expect(() => sel(a, { time: 1000 }, { method: "exact" })).toThrow(
      /no 'time' label equal to 1000/,
    );
  });

  it("index selection keeps coordinates aligned", () => {
    const b = isel(a, { time: [3, 0] });
    expect(Array.from(b.data as Float64Array)).toEqual([4, 1]);
    expect(Array.from(b.coords.time.values as Float64Array)).toEqual([105, 15.5]);
    expect(() => isel(a, { time: 9 })).toThrow(/outside 'time'/);
  });
});
