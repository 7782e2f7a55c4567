// The five ways earlier versions returned a wrong answer without a word. Each test
// failed before the fix (nearest-by-default selection, unchecked arguments, the seam,
// positional alignment, copied metadata).
import { describe, expect, it } from "vitest";
import {
  anomaly,
  climatology,
  DataArray,
  Dataset,
  decodeTimes,
  isel,
  readSel,
  reduce,
  sel,
  toTable,
  where,
} from "./index.js";

function monthly(years: number, lat = [-10, 0, 10], lon = [0, 90, 180, 270]): DataArray {
  const nt = years * 12;
  const time = Float64Array.from({ length: nt }, (_, i) => i * 30 + 15);
  const size = nt * lat.length * lon.length;
  return new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [nt, lat.length, lon.length],
    data: Float64Array.from({ length: size }, (_, i) => 20 + Math.sin(i * 0.37) * 3),
    coords: {
      time: {
        dims: ["time"],
        values: time,
        attrs: { units: "days since 2000-01-01", calendar: "360_day" },
        times: decodeTimes(time, "days since 2000-01-01", "360_day").map((t) => t!),
      },
      lat: { dims: ["lat"], values: Float64Array.from(lat), attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: Float64Array.from(lon), attrs: { units: "degrees_east" } },
    },
    attrs: { units: "degC", standard_name: "sea_surface_temperature", long_name: "SST" },
  });
}

describe("1. selection is exact by default", () => {
  const a = monthly(2);

  it("a date or latitude outside the labels is an error naming the labels as dates", () => {
    expect(() => sel(a, { time: "2030-01-01" })).toThrow(
      /no 'time' label equal to 2030-01-01.*labels from 2000-01-16 to 2001-12-16/,
    );
    expect(() => sel(a, { lat: 95 })).toThrow(/no 'lat' label equal to 95/);
  });

  it("method nearest / pad / backfill with tolerance, as xarray", () => {
    expect(sel(a, { lat: 4 }, { method: "nearest" }).coords.lat.values).toEqual(Float64Array.of(0));
    expect(sel(a, { lat: 4 }, { method: "pad" }).coords.lat.values).toEqual(Float64Array.of(0));
    expect(sel(a, { lat: 4 }, { method: "backfill" }).coords.lat.values).toEqual(
      Float64Array.of(10),
    );
    expect(() => sel(a, { lat: 95 }, { method: "nearest", tolerance: 1 })).toThrow(
      /within 1 of 95 \(closest is 10\)/,
    );
    expect(() => sel(a, { lat: 11 }, { method: "backfill" })).toThrow(/at or after 11/);
    const t = sel(a, { time: "2000-03-14" }, { method: "nearest", tolerance: 5 });
    expect(t.dims).toEqual(["lat", "lon"]);
    // Durations as xarray/pandas write them, in the coordinate's calendar.
    expect(sel(a, { time: "2000-03-14" }, { method: "nearest", tolerance: "2D" }).dims).toEqual([
      "lat",
      "lon",
    ]);
    expect(() => sel(a, { time: "2000-03-10" }, { method: "nearest", tolerance: "36h" })).toThrow(
      /within 36h of 2000-03-10 \(closest is 2000-03-16\)/,
    );
    expect(() =>
      sel(a, { time: "2000-03-10" }, { method: "nearest", tolerance: "2 weeks" }),
    ).toThrow(/options.tolerance "2 weeks" is not a duration/);
  });

  it("readSel on a lazy dataset is exact too", async () => {
    const ds = Dataset.fromDataArrays([a]);
    await expect(readSel(ds, "sst", { lat: 95 })).rejects.toThrow(/no 'lat' label equal to 95/);
    const one = await readSel(ds, "sst", { lat: 10, time: "2000-02-16" });
    expect(one.dims).toEqual(["lon"]);
  });

  it("time labels: ISO strings, Date, CF date-times, periods", () => {
    expect(sel(a, { time: "2000-02" }).shape[0]).toBe(1);
    expect(sel(a, { time: "2001" }).shape[0]).toBe(12);
    expect(sel(a, { time: { from: "2000-11", to: "2001-02" } }).shape[0]).toBe(4);
    const viaDate = sel(a, { time: new Date(Date.UTC(2000, 1, 16)) });
    const viaCf = sel(a, {
      time: { year: 2000, month: 2, day: 16, hour: 0, minute: 0, second: 0, calendar: "360_day" },
    });
    expect(viaDate.data).toEqual(viaCf.data);
    // 30 February exists in the 360-day calendar.
    expect(sel(a, { time: "2000-02-30" }, { method: "nearest" }).dims).toEqual(["lat", "lon"]);
    expect(() => sel(monthly(1), { time: "2000-13-01" })).toThrow(/does not exist/);
  });
});

describe("2. arguments are checked at run time", () => {
  const a = monthly(1);
  const js = <T>(x: unknown) => x as T; // what plain JavaScript passes through

  it("sel rejects {start, stop}, naming {from, to}", () => {
    expect(() => sel(a, { lat: js({ start: -10, stop: 0 }) })).toThrow(
      /unknown selection for 'lat' key 'start'.*\{ from, to \}/,
    );
    expect(() => sel(a, { lat: js(true) })).toThrow(/selection for 'lat' must be/);
    expect(() => sel(a, {}, js({ methd: "nearest" }))).toThrow(/unknown options key 'methd'/);
    expect(() => sel(a, { lat: 0 }, js({ method: "closest" }))).toThrow(
      /options.method must be one of "exact", "nearest", "pad", "backfill"/,
    );
  });

  it("isel takes steps and index arrays, and rejects what it does not understand", () => {
    expect(isel(a, { time: { step: 3 } }).shape[0]).toBe(4);
    expect(isel(a, { time: [0, 11] }).shape[0]).toBe(2);
    expect(isel(a, { time: { start: -1, step: -1 } }).coords.time.values[0]).toBe(345);
    expect(() => isel(a, { time: js({ from: 0, to: 3 }) })).toThrow(
      /unknown selection for 'time' key 'from'/,
    );
    expect(() => isel(a, { time: js("0") })).toThrow(/selection for 'time' must be an integer/);
  });

  it("Dataset.read rejects unknown options and honours steps and index lists", async () => {
    const ds = Dataset.fromDataArrays([a]);
    await expect(ds.read("sst", js({ sel: { lat: 0 } }))).rejects.toThrow(
      /unknown options key 'sel'/,
    );
    const every3 = await ds.read("sst", { isel: { time: { step: 3 } } });
    expect(every3.shape).toEqual([4, 3, 4]);
    const picked = await ds.read("sst", { isel: { time: [11, 0] } });
    expect(Array.from(picked.coords.time.values as Float64Array)).toEqual([345, 15]);
    expect(picked.get(0, 0, 0)).toBe(a.get(11, 0, 0));
  });

  it("reduce rejects unknown reductions instead of returning the standard deviation", () => {
    expect(() => reduce(a, ["time"], js("average"))).toThrow(/op must be one of "mean"/);
    const med = reduce(a, ["time"], "median");
    const std = reduce(a, ["time"], "std");
    expect(med.data).not.toEqual(std.data);
    expect(() => reduce(a, ["time"], "mean", js({ weight: a }))).toThrow(
      /unknown options key 'weight'/,
    );
  });
});

describe("3. a longitude range with from > to crosses the seam", () => {
  it("300 → 20 on a 0–360 grid is 300…359, 0…20", () => {
    const a = monthly(1, [0], [0, 10, 20, 30, 290, 300, 310, 350]);
    const box = sel(a, { lon: { from: 300, to: 20 } });
    expect(Array.from(box.coords.lon.values as Float64Array)).toEqual([300, 310, 350, 0, 10, 20]);
    const b = monthly(1, [0], [-170, -100, 0, 100, 170, 180]);
    const pacific = sel(b, { lon: { from: 160, to: -160 } });
    expect(Array.from(pacific.coords.lon.values as Float64Array)).toEqual([170, -180, -170]);
  });
});

describe("4. arrays combine by label, not by position", () => {
  const a = monthly(1);
  // The same land mask stored north-to-south.
  const flipped = new DataArray({
    name: "ocean",
    dims: ["lat", "lon"],
    shape: [3, 4],
    data: Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1]),
    coords: {
      lat: { dims: ["lat"], values: Float64Array.from([10, 0, -10]), attrs: {} },
      lon: a.coords.lon,
    },
  });

  it("where reads a north-to-south mask by latitude", () => {
    const w = where(a, flipped);
    // lat 0 is land (row 1 of the mask, row 1 of the data).
    expect(Number.isNaN(w.get(0, 1, 0))).toBe(true);
    // lat -10 is the mask's last row: 1 1 0 1.
    expect(Number.isNaN(w.get(0, 0, 2))).toBe(true);
    expect(w.get(0, 0, 1)).toBe(a.get(0, 0, 1));
    // lat 10 is the mask's first row: all ocean.
    expect(w.get(0, 2, 2)).toBe(a.get(0, 2, 2));
  });

  it("labels that differ are an error naming the dimension and the first label", () => {
    const shifted = new DataArray({
      ...flipped,
      dims: [...flipped.dims],
      shape: [...flipped.shape],
      coords: { lat: { dims: ["lat"], values: Float64Array.from([11, 0, -10]), attrs: {} } },
    });
    expect(() => where(a, shifted)).toThrow(
      /labels of 'lat' differ: 'sst' has 10 which 'ocean' lacks/,
    );
  });

  it("weights, anomaly and toTable align by label too", () => {
    const w = new DataArray({
      name: "w",
      dims: ["lat"],
      data: Float64Array.from([3, 2, 1]),
      coords: { lat: { dims: ["lat"], values: Float64Array.from([10, 0, -10]), attrs: {} } },
    });
    const byLabel = reduce(a, ["lat"], "mean", { weights: w });
    const wOrdered = new DataArray({
      ...w,
      dims: ["lat"],
      data: Float64Array.from([1, 2, 3]),
      coords: { lat: a.coords.lat },
    });
    expect(byLabel.data).toEqual(reduce(a, ["lat"], "mean", { weights: wOrdered }).data);

    const clim = climatology(a);
    const otherLon = new DataArray({
      ...clim,
      dims: [...clim.dims],
      shape: [...clim.shape],
      coords: {
        ...clim.coords,
        lon: { dims: ["lon"], values: Float64Array.from([0, 90, 180, 271]), attrs: {} },
      },
    });
    expect(() => anomaly(a, otherLon)).toThrow(/labels of 'lon' differ/);

    const t = toTable(a, { mask: flipped });
    const ocean = Array.from(where(a, flipped).data as Float64Array).filter(
      (v) => !Number.isNaN(v),
    );
    expect(Array.from(t.columns.sst)).toEqual(ocean);
  });
});

describe("5. metadata follow the operation", () => {
  const a = monthly(2);
  it("anomalies drop standard_name; counts drop units; reductions add cell_methods", () => {
    const an = anomaly(a);
    expect(an.attrs.standard_name).toBeUndefined();
    expect(an.attrs.units).toBe("degC");
    expect(an.attrs.long_name).toBe("SST anomaly");
    const n = reduce(a, ["time"], "count");
    expect(n.attrs.units).toBeUndefined();
    expect(reduce(a, ["time"], "mean").attrs.cell_methods).toBe("time: mean");
    expect(reduce(a, ["lat", "lon"], "var").attrs.units).toBe("degC2");
  });

  it("encoding is kept when the dtype is kept, dropped otherwise", () => {
    const packed = new DataArray({
      name: "p",
      dims: ["x"],
      data: Float32Array.of(1, Number.NaN, 3),
      encoding: { dtype: "int16", scale_factor: 0.1 },
    });
    expect(where(packed, packed).encoding).toEqual({ dtype: "int16", scale_factor: 0.1 });
    expect(packed.withData(Float64Array.of(1, 2, 3)).encoding).toEqual({});
  });
});
