// Everyday operations against xarray on a generated six-year monthly field with gaps, on
// every CF calendar (tools/oracles/grid_ops_xarray.py). Tolerance 1e-12 (relative above 1).
import { describe, expect, it } from "vitest";
import ref from "./__fixtures__/grid_ops.json" with { type: "json" };
import {
  add,
  anomaly,
  argmax,
  argmin,
  bfill,
  climatology,
  coarsen,
  concat,
  cumsum,
  DataArray,
  datePart,
  diff,
  div,
  dropna,
  ffill,
  fillna,
  groupby,
  gt,
  interpolateNa,
  isel,
  merge,
  mul,
  quantile,
  reduce,
  rename,
  resample,
  roll,
  rolling,
  sel,
  shift,
  sortby,
  sub,
  transpose,
  weighted,
  where,
} from "./index.js";

interface Result {
  dims: string[];
  shape: number[];
  data: Array<number | null>;
}

const TOL = 1e-12;

function expectResult(actual: DataArray, expected: Result, what: string): void {
  expect(actual.dims, `${what} dims`).toEqual(expected.dims);
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const a = actual.data as ArrayLike<number>;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    if (e === null)
      expect(Number.isNaN(a[i]), `${what}[${i}] should be NaN, got ${a[i]}`).toBe(true);
    else
      expect(Math.abs(a[i] - e), `${what}[${i}]: ${a[i]} vs ${e}`).toBeLessThanOrEqual(
        TOL * Math.max(1, Math.abs(e)),
      );
  }
}

interface Cal {
  time: number[];
  lat: number[];
  lon: number[];
  data: Array<number | null>;
  results: Record<string, unknown>;
}
const cals = ref.calendars as unknown as Record<string, Cal>;

function field(name: string): DataArray {
  const f = cals[name];
  return new DataArray({
    name: "tas",
    dims: ["time", "lat", "lon"],
    shape: [f.time.length, f.lat.length, f.lon.length],
    data: Float64Array.from(f.data, (x) => (x === null ? Number.NaN : x)),
    coords: {
      time: {
        dims: ["time"],
        values: Float64Array.from(f.time),
        attrs: { units: ref.units, calendar: name },
      },
      lat: { dims: ["lat"], values: Float64Array.from(f.lat), attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: Float64Array.from(f.lon), attrs: { units: "degrees_east" } },
    },
    attrs: { units: "degC" },
  });
}

const calendars = Object.keys(ref.calendars);

describe.each(calendars)("calendar %s", (cal) => {
  const a = field(cal);
  const r = cals[cal].results as unknown as Record<string, Result>;

  it("groupby month, season and year", () => {
    expectResult(groupby(a, "time.month").mean(), r.groupby_month_mean, "month mean");
    const seasons = groupby(a, "time.season");
    expect(seasons.labels).toEqual(["DJF", "JJA", "MAM", "SON"]);
    expectResult(seasons.mean(), r.groupby_season_mean, "season mean");
    expectResult(groupby(a, "time.year").mean(), r.groupby_year_mean, "year mean");
  });

  it("resample by month, season (DJF…) and year, gaps included", () => {
    expectResult(resample(a, "month").mean(), r.resample_month_mean, "MS");
    const seasons = resample(a, "QS-DEC");
    expectResult(seasons.mean(), r.resample_season_mean, "QS-DEC");
    expectResult(seasons.count(), r.resample_season_count, "QS-DEC count");
    expectResult(resample(a, "year").mean(), r.resample_year_mean, "YS");
    const labels = seasons
      .mean()
      .coords.time.times!.map((t) => `${t.year}-${String(t.month).padStart(2, "0")}-01`);
    expect(labels).toEqual(r.resample_season_labels as unknown as string[]);
  });

  it("date parts and anomalies", () => {
    expect(Array.from(datePart(a, "dayofyear").data as Float64Array)).toEqual(
      r.dayofyear as unknown as number[],
    );
    expect(datePart(a, "season").data).toEqual(r.season as unknown as string[]);
    expectResult(anomaly(a), r.anomaly, "anomaly");
    const viaMap = groupby(a, "time.month").map((g) => sub(g, reduce(g, ["time"], "mean")));
    expectResult(viaMap, r.anomaly, "groupby map anomaly");
  });
});

describe.each(["standard", "360_day"])("full battery, calendar %s", (cal) => {
  const a = field(cal);
  const r = cals[cal].results as unknown as Record<string, Result>;
  const w = new DataArray({
    name: "w",
    dims: ["lat"],
    data: Float64Array.from(a.coords.lat.values as Float64Array, (x) =>
      Math.cos((x * Math.PI) / 180),
    ),
    coords: { lat: a.coords.lat },
  });

  it("grouped reductions", () => {
    const g = groupby(a, "time.month");
    expectResult(g.std(), r.groupby_month_std, "std");
    expectResult(g.median(), r.groupby_month_median, "median");
    expectResult(g.count(), r.groupby_month_count, "count");
    expectResult(g.max(), r.groupby_month_max, "max");
    expectResult(groupby(a, "time.season").var(), r.groupby_season_var, "season var");
  });

  it("rolling and coarsen", () => {
    expectResult(
      rolling(a, { time: 12 }, { center: true }).mean(),
      r.rolling12_center_mean,
      "rolling 12",
    );
    expectResult(
      rolling(a, { time: 3 }, { minPeriods: 2 }).mean(),
      r.rolling3_minp2_mean,
      "rolling 3",
    );
    expectResult(
      rolling(a, { time: 5 }, { center: true, minPeriods: 3 }).std(),
      r.rolling5_center_std,
      "rolling std",
    );
    expectResult(rolling(a, { time: 4 }, { minPeriods: 1 }).max(), r.rolling4_max, "rolling max");
    expectResult(
      rolling(a, { time: 3 }, { center: true, minPeriods: 1 }).median(),
      r.rolling3_median,
      "rolling median",
    );
    expectResult(
      coarsen(isel(a, { time: { stop: 60 } }), { time: 6 }),
      r.coarsen_time6_mean,
      "coarsen time",
    );
    expectResult(
      coarsen(isel(a, { lat: { stop: 2 } }), { lat: 2, lon: 2 }, "sum"),
      r.coarsen_lonlat_sum,
      "coarsen sum",
    );
  });

  it("reductions", () => {
    expectResult(reduce(a, ["time"], "median"), r.median_time, "median");
    expectResult(quantile(a, [0.1, 0.5, 0.9], "time"), r.quantile_time, "quantile");
    expectResult(reduce(a, ["time"], "var", { ddof: 1 }), r.var_time_ddof1, "var ddof 1");
    expectResult(reduce(a, ["lat", "lon"], "std"), r.std_space, "std");
    expectResult(argmax(fillna(a, -1e9), "time"), r.argmax_time, "argmax");
    expectResult(argmin(fillna(a, 1e9), "time"), r.argmin_time, "argmin");
    expectResult(cumsum(a, "time"), r.cumsum_time, "cumsum");
    expectResult(diff(a, "time"), r.diff_time, "diff");
    expectResult(shift(a, { time: 2 }), r.shift_time, "shift");
  });

  it("weighted reductions renormalise over NaN", () => {
    expectResult(weighted(a, w).mean(["lat", "lon"]), r.weighted_mean_space, "weighted mean");
    expectResult(weighted(a, w).sum(["lat", "lon"]), r.weighted_sum_space, "weighted sum");
    expectResult(weighted(a, w).std(["lat", "lon"]), r.weighted_std_space, "weighted std");
  });

  it("missing data", () => {
    expectResult(fillna(a, 0), r.fillna0, "fillna");
    expectResult(ffill(a, "time", { limit: 1 }), r.ffill_limit1, "ffill");
    expectResult(bfill(a, "time", { limit: 2 }), r.bfill_limit2, "bfill");
    expectResult(interpolateNa(a, "time"), r.interpolate_na, "interpolate");
    expectResult(
      interpolateNa(a, "time", { limit: 2 }),
      r.interpolate_na_limit2,
      "interpolate limit",
    );
    const cell = isel(a, { lat: 0, lon: 0 });
    expect(dropna(cell, "time", { how: "all" }).shape[0]).toBe(
      (r.dropna_all_time as unknown as { n: number }).n,
    );
  });

  it("arithmetic, comparisons and where", () => {
    expectResult(sub(a, 273.15), r.sub_scalar, "a - 273.15");
    const wsum = reduce(w, ["lat"], "sum").get();
    expectResult(div(mul(a, w), wsum), r.scaled, "a * w / sum(w)");
    expectResult(where(a, gt(a, 20)), r.gt20_where, "where a > 20");
  });

  it("selection by date with nearest, pad, backfill; ranges and periods", () => {
    expectResult(sel(a, { time: "1992-06-03" }, { method: "nearest" }), r.sel_nearest, "nearest");
    expectResult(sel(a, { time: "1990-04-20" }, { method: "pad" }), r.sel_pad, "pad");
    expectResult(
      sel(a, { time: "1990-04-20" }, { method: "backfill" }),
      r.sel_backfill,
      "backfill",
    );
    expectResult(sel(a, { time: { from: "1991-11", to: "1992-02" } }), r.sel_range, "range");
    expectResult(sel(a, { time: "1993" }), r.sel_year, "year");
  });

  it("joins, layout operations, dayofyear groups, where with other, trimmed blocks", () => {
    expectResult(
      add(isel(a, { lon: { stop: 3 } }), isel(a, { lon: { start: 1 } }), { join: "outer" }),
      r.outer_add,
      "outer join",
    );
    expectResult(
      add(isel(a, { lat: [0, 1] }), isel(a, { lat: [1, 2] }), { join: "inner" }),
      r.inner_add,
      "inner join",
    );
    expectResult(sortby(a, "lat", { ascending: false }), r.sortby_lat_desc, "sortby");
    const rolled = roll(a, { lon: 1 }, { rollCoords: true });
    expectResult(rolled, r.roll_lon, "roll");
    expect(Array.from(rolled.coords.lon.values as Float64Array)).toEqual(
      r.roll_lon_labels as unknown as number[],
    );
    expectResult(transpose(a, "lon", "time", "lat"), r.transpose, "transpose");
    expectResult(groupby(a, "time.dayofyear").mean(), r.groupby_doy_mean, "dayofyear");
    expectResult(where(a, gt(a, 20), -1), r.where_other, "where other");
    expectResult(
      coarsen(a, { time: 5 }, "max", { boundary: "trim" }),
      r.coarsen_trim_max,
      "coarsen trim",
    );
  });

  it("concat along time (other dims matched by label) and an outer merge", () => {
    const c = concat(
      [
        isel(a, { time: { start: 10, stop: 20 } }),
        isel(a, { time: { stop: 10 }, lon: [3, 2, 1, 0] }),
      ],
      "time",
    );
    expectResult(c, r.concat_time, "concat");
    const m = merge(
      [rename(isel(a, { lat: [0, 1] }), "a"), rename(isel(a, { lat: [1, 2] }), "b")],
      { join: "outer" },
    );
    expectResult(m.a, r.merge_outer_a, "merge a");
    expectResult(m.b, r.merge_outer_b, "merge b");
  });

  it("anomaly against a climatology stored with reversed longitudes", () => {
    const clim = climatology(a);
    const reversed = isel(clim, { lon: { step: -1 } });
    expectResult(anomaly(a, reversed), r.clim_lon_reversed_anomaly, "reversed clim");
  });
});
