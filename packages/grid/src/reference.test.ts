import { describe, expect, it } from "vitest";
import ref from "./__fixtures__/grid_reference.json" with { type: "json" };
import {
  anomaly,
  areaWeights,
  climatology,
  DataArray,
  decodeTimes,
  fromTable,
  isel,
  mean,
  sel,
  toTable,
} from "./index.js";

function field(): DataArray {
  const f = ref.field;
  const times = decodeTimes(f.time, f.timeUnits, f.calendar);
  return new DataArray({
    name: "sst",
    dims: f.dims,
    shape: f.shape,
    data: Float64Array.from(f.data, (x) => (x === null ? Number.NaN : x)),
    coords: {
      time: {
        dims: ["time"],
        values: Float64Array.from(f.time),
        attrs: { units: f.timeUnits, calendar: f.calendar },
        times: times.map((t) => t!),
      },
      lat: { dims: ["lat"], values: Float64Array.from(f.lat), attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: Float64Array.from(f.lon), attrs: { units: "degrees_east" } },
    },
  });
}

function expectClose(actual: ArrayLike<number>, expected: Array<number | null>, tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (e === null) expect(Number.isNaN(actual[i]), `[${i}] should be NaN`).toBe(true);
    else
      expect(Math.abs(actual[i] - e), `[${i}]`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
}

describe("grid operations match xarray", () => {
  it("cos(lat)-weighted mean over lat/lon skips NaN cells", () => {
    const a = field();
    const m = mean(a, ["lat", "lon"], areaWeights(a));
    expect(m.dims).toEqual(["time"]);
    expectClose(m.data as Float64Array, ref.weightedMean);
  });

  it("monthly climatology and anomalies", () => {
    const a = field();
    const clim = climatology(a);
    expect(clim.dims).toEqual(["month", "lat", "lon"]);
    expectClose(clim.data as Float64Array, ref.climatology);
    expectClose(anomaly(a, clim).data as Float64Array, ref.anomaly);
  });

  it("longitude ranges wrap across the 0/360 seam", () => {
    const w = sel(isel(field(), { time: 0 }), { lon: { from: -90, to: 90 } });
    expect(Array.from(w.coords.lon.values as Float64Array)).toEqual(ref.wrapLon.lon);
    expectClose(w.data as Float64Array, ref.wrapLon.data);
  });

  it("nearest selection, with a longitude outside the grid's convention", () => {
    const n = sel(field(), { lat: 17, lon: -10 }, { method: "nearest" });
    expect(n.dims).toEqual(["time"]);
    expectClose(n.data as Float64Array, ref.nearest);
  });

  it("grid → table drops NaN cells like to_dataframe().dropna(), table → grid restores them", () => {
    const a = field();
    const two = sel(a, { time: { from: 0, to: 50 } });
    const t = toTable(two, { coords: ["lat", "lon"], features: ["doy_sin", "lon_cos"] });
    expect(t.nrows).toBe(ref.table.sst.length);
    expectClose(t.columns.sst, ref.table.sst);
    expectClose(t.columns.lat, ref.table.lat);
    expectClose(t.columns.lon, ref.table.lon);
    const back = fromTable(t.columns.sst, t.index, { name: "sst" });
    expect(back.shape).toEqual(two.shape);
    const orig = two.data as Float64Array;
    const restored = back.data as Float64Array;
    for (let i = 0; i < orig.length; i++) {
      if (Number.isNaN(orig[i])) expect(Number.isNaN(restored[i])).toBe(true);
      else expect(restored[i]).toBe(orig[i]);
    }
  });
});
