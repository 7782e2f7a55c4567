#!/usr/bin/python3
"""Reference values for @geoml/grid's everyday operations, from xarray.

Two parts:

1. A generated multi-year monthly field with gaps (months missing from the time axis and
   NaN cells) on every CF calendar. The field itself goes into the fixture; so do xarray's
   results of groupby, resample, rolling, coarsen, reductions, weighted means, gap filling,
   date parts, selection and arithmetic. The full battery runs on two calendars
   (standard, 360_day); the calendar-sensitive operations run on all six.
2. The shipped files (datasets/netcdf/sst_packed.nc, hgt.nc): results of the same
   operations, sampled on a coarse sub-grid so the fixture stays small.

Everything is computed in float64 (packed shorts are unpacked in float64 by hand), so the
tests compare to 1e-12.

Run: /usr/bin/python3 tools/oracles/grid_ops_xarray.py
Writes packages/grid/src/__fixtures__/grid_ops.json and
packages/netcdf/src/__fixtures__/grid_ops_files.json.
"""
import json
import os

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "grid", "src", "__fixtures__", "grid_ops.json")
OUT_FILES = os.path.join(ROOT, "packages", "netcdf", "src", "__fixtures__", "grid_ops_files.json")
CALENDARS = ["standard", "noleap", "360_day", "all_leap", "julian", "proleptic_gregorian"]
FULL = {"standard", "360_day"}
UNITS = "days since 1990-01-01 00:00:00"


def clean(a):
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype="f8").ravel()]


def out(da, order=None):
    """A result as {dims, shape, data[, coord]} in the given dim order."""
    if order is not None:
        da = da.transpose(*order)
    res = {"dims": list(da.dims), "shape": list(da.shape), "data": clean(da.values)}
    return res


def field(calendar, rng):
    import cftime

    years, ny, nx = 6, 3, 4
    dates = [cftime.datetime(1990 + y, m, 15, calendar=calendar) for y in range(years) for m in range(1, 13)]
    keep = np.ones(len(dates), bool)
    keep[[3, 4, 17, 30, 31, 32, 50]] = False  # gaps, one of them a whole season
    dates = [d for d, k in zip(dates, keep) if k]
    num = cftime.date2num(dates, UNITS, calendar=calendar)
    nt = len(dates)
    lat = np.array([-30.0, 0.0, 30.0])
    lon = np.array([0.0, 90.0, 180.0, 270.0])
    month = np.array([d.month for d in dates])
    data = (
        15
        + 10 * np.cos(np.deg2rad(lat))[None, :, None]
        + 4 * np.sin(2 * np.pi * (month - 1) / 12)[:, None, None]
        + rng.normal(0, 1, size=(nt, ny, nx))
    )
    data[:, 2, 3] = np.nan  # a land cell
    data[rng.integers(0, nt, 12), rng.integers(0, ny, 12), rng.integers(0, nx, 12)] = np.nan
    data[10:14, 0, 0] = np.nan  # a run of 4 missing months
    da = xr.DataArray(
        data,
        dims=("time", "lat", "lon"),
        coords={"time": dates, "lat": lat, "lon": lon},
        name="tas",
        attrs={"units": "degC"},
    )
    return da, num


def battery(da, num, full):
    r = {}
    g = da.groupby("time.month")
    r["groupby_month_mean"] = out(g.mean("time"), ("month", "lat", "lon"))
    r["groupby_season_mean"] = out(da.groupby("time.season").mean("time"), ("season", "lat", "lon"))
    r["groupby_year_mean"] = out(da.groupby("time.year").mean("time"), ("year", "lat", "lon"))
    r["resample_month_mean"] = out(da.resample(time="MS").mean("time"))
    r["resample_season_mean"] = out(da.resample(time="QS-DEC").mean("time"))
    r["resample_year_mean"] = out(da.resample(time="YS").mean("time"))
    r["resample_season_count"] = out(da.resample(time="QS-DEC").count("time"))
    r["resample_season_labels"] = [t.strftime("%Y-%m-%d") for t in da.resample(time="QS-DEC").mean("time").time.values]
    r["dayofyear"] = clean(da.time.dt.dayofyear.values)
    r["season"] = [str(s) for s in da.time.dt.season.values]
    anom = da.groupby("time.month") - da.groupby("time.month").mean("time")
    r["anomaly"] = out(anom.drop_vars("month", errors="ignore"))
    if not full:
        return r
    r["groupby_month_std"] = out(g.std("time"), ("month", "lat", "lon"))
    r["groupby_month_median"] = out(g.median("time"), ("month", "lat", "lon"))
    r["groupby_month_count"] = out(g.count("time"), ("month", "lat", "lon"))
    r["groupby_month_max"] = out(g.max("time"), ("month", "lat", "lon"))
    r["groupby_season_var"] = out(da.groupby("time.season").var("time"), ("season", "lat", "lon"))
    r["rolling12_center_mean"] = out(da.rolling(time=12, center=True).mean())
    r["rolling3_minp2_mean"] = out(da.rolling(time=3, min_periods=2).mean())
    r["rolling5_center_std"] = out(da.rolling(time=5, center=True, min_periods=3).std())
    r["rolling4_max"] = out(da.rolling(time=4, min_periods=1).max())
    r["rolling3_median"] = out(da.rolling(time=3, center=True, min_periods=1).median())
    r["coarsen_time6_mean"] = out(da.isel(time=slice(0, 60)).coarsen(time=6).mean())
    r["coarsen_lonlat_sum"] = out(da.isel(lat=slice(0, 2)).coarsen(lat=2, lon=2).sum())
    r["median_time"] = out(da.median("time"))
    r["quantile_time"] = out(da.quantile([0.1, 0.5, 0.9], dim="time"), ("quantile", "lat", "lon"))
    r["var_time_ddof1"] = out(da.var("time", ddof=1))
    r["std_space"] = out(da.std(("lat", "lon")))
    r["argmax_time"] = out(da.fillna(-1e9).argmax("time"))
    r["argmin_time"] = out(da.fillna(1e9).argmin("time"))
    r["cumsum_time"] = out(da.cumsum("time"))
    r["diff_time"] = out(da.diff("time"))
    r["shift_time"] = out(da.shift(time=2))
    w = np.cos(np.deg2rad(da.lat))
    r["weighted_mean_space"] = out(da.weighted(w).mean(("lat", "lon")))
    r["weighted_sum_space"] = out(da.weighted(w).sum(("lat", "lon")))
    r["weighted_std_space"] = out(da.weighted(w).std(("lat", "lon")))
    r["fillna0"] = out(da.fillna(0))
    r["ffill_limit1"] = out(da.ffill("time", limit=1))
    r["bfill_limit2"] = out(da.bfill("time", limit=2))
    # This xarray cannot interpolate against a cftime index on the standard calendar
    # (it subtracts dates of two calendar types); against the numeric times in UNITS it is
    # the same linear-in-time interpolation.
    dn = da.assign_coords(time=num)
    r["interpolate_na"] = out(dn.interpolate_na("time"))
    r["interpolate_na_limit2"] = out(dn.interpolate_na("time", limit=2))
    r["dropna_all_time"] = {"n": int(da.isel(lat=0, lon=0).dropna("time", how="all").sizes["time"])}
    r["sub_scalar"] = out(da - 273.15)
    clim = da.groupby("time.month").mean("time")
    r["scaled"] = out((da * w) / w.sum())
    r["gt20_where"] = out(da.where(da > 20))
    import cftime

    cal = da.time.values[0].calendar
    r["sel_nearest"] = out(da.sel(time=cftime.datetime(1992, 6, 3, calendar=cal), method="nearest"))
    r["sel_pad"] = out(da.sel(time=cftime.datetime(1990, 4, 20, calendar=cal), method="pad"))
    r["sel_backfill"] = out(da.sel(time=cftime.datetime(1990, 4, 20, calendar=cal), method="backfill"))
    # Partial date strings on a non-standard CFTimeIndex fail in this xarray; the same periods
    # as explicit date-times (data sit on the 15th, so any end day from the 15th on works).
    d = lambda *a: cftime.datetime(*a, calendar=cal)  # noqa: E731
    r["sel_range"] = out(da.sel(time=slice(d(1991, 11, 1), d(1992, 2, 28))))
    r["sel_year"] = out(da.sel(time=slice(d(1993, 1, 1), d(1993, 12, 28))))
    with xr.set_options(arithmetic_join="outer"):
        r["outer_add"] = out(da.isel(lon=slice(0, 3)) + da.isel(lon=slice(1, 4)))
    r["inner_add"] = out(da.isel(lat=[0, 1]) + da.isel(lat=[1, 2]))
    r["sortby_lat_desc"] = out(da.sortby("lat", ascending=False))
    r["roll_lon"] = out(da.roll(lon=1, roll_coords=True))
    r["roll_lon_labels"] = da.roll(lon=1, roll_coords=True).lon.values.tolist()
    r["transpose"] = out(da.transpose("lon", "time", "lat"))
    r["groupby_doy_mean"] = out(da.groupby("time.dayofyear").mean("time"), ("dayofyear", "lat", "lon"))
    r["where_other"] = out(da.where(da > 20, -1.0))
    r["coarsen_trim_max"] = out(da.coarsen(time=5, boundary="trim").max())
    r["concat_time"] = out(xr.concat([da.isel(time=slice(10, 20)), da.isel(time=slice(0, 10), lon=[3, 2, 1, 0])], "time"))
    merged = xr.merge([da.isel(lat=[0, 1]).rename("a"), da.isel(lat=[1, 2]).rename("b")], join="outer")
    r["merge_outer_a"] = out(merged.a)
    r["merge_outer_b"] = out(merged.b)
    r["clim_lon_reversed_anomaly"] = out(
        (da.groupby("time.month") - clim.isel(lon=slice(None, None, -1))).drop_vars("month", errors="ignore")
    )
    return r


def files():
    res = {}
    # sst_packed.nc: unpack the shorts in float64 by hand, so the reference is float64.
    raw = xr.open_dataset(os.path.join(ROOT, "datasets", "netcdf", "sst_packed.nc"), mask_and_scale=False, use_cftime=True)
    v = raw.sst
    x = v.values.astype("f8")
    fill = v.attrs.get("_FillValue", v.encoding.get("_FillValue"))
    miss = v.attrs.get("missing_value")
    for f in [fill, miss]:
        if f is not None:
            x[v.values == f] = np.nan
    x = x * float(v.attrs.get("scale_factor", 1)) + float(v.attrs.get("add_offset", 0))
    sst = xr.DataArray(x, dims=v.dims, coords={k: raw[k] for k in v.dims}, name="sst")
    sst = sst.assign_coords(lat=sst.lat.astype("f8"), lon=sst.lon.astype("f8"))
    sub = dict(lat=slice(None, None, 10), lon=slice(None, None, 20))
    w = np.cos(np.deg2rad(sst.lat))
    band = sst.sel(lat=slice(-20, 20))
    seam = xr.concat([band.sel(lon=slice(300, 359)), band.sel(lon=slice(0, 20))], "lon")
    res["sst"] = {
        "weighted_mean": clean(sst.weighted(w).mean(("lat", "lon")).values),
        "season_mean": out(sst.groupby("time.season").mean("time").isel(**sub), ("season", "lat", "lon")),
        "quantile90": out(sst.quantile(0.9, dim="time").isel(**sub)),
        "rolling3": out(sst.rolling(time=3, center=True).mean().isel(**sub)),
        "anomaly": out((sst.groupby("time.month") - sst.groupby("time.month").mean("time")).isel(**sub)),
        "std_time": out(sst.std("time").isel(**sub)),
        # The box 300°E → 20°E across the seam; the file stores the seam twice (0 and 360),
        # the box holds it once, as 0.
        "seam_box_mean": clean(seam.mean(("lat", "lon")).values),
        "seam_box_lon": seam.lon.values.tolist(),
    }
    import cftime

    # xarray cannot decode "months since"; CF reads whole calendar months, as geoml does.
    hds = xr.open_dataset(os.path.join(ROOT, "datasets", "netcdf", "hgt.nc"), decode_times=False)
    months = hds.time.values.astype(int)
    times = [cftime.datetime(1958 + m // 12, 1 + m % 12, 1, calendar="standard") for m in months]
    hgt = hds.HGT.astype("f8").assign_coords(time=times, lat=hds.lat.astype("f8"), lon=hds.lon.astype("f8"))
    hsub = dict(lat=slice(None, None, 12), lon=slice(None, None, 24))
    res["hgt"] = {
        "times": [t.strftime("%Y-%m-%d") for t in hgt.time.values],
        "season_mean": out(hgt.groupby("time.season").mean("time").isel(**hsub), ("season", "lat", "lon")),
        "resample_year_max": out(hgt.resample(time="YS").max("time").isel(**hsub)),
        "median_time": out(hgt.median("time").isel(**hsub)),
    }
    return res


def main():
    rng = np.random.default_rng(2024)
    ref = {"units": UNITS, "calendars": {}}
    for cal in CALENDARS:
        da, num = field(cal, rng)
        ref["calendars"][cal] = {
            "time": [float(t) for t in num],
            "lat": da.lat.values.tolist(),
            "lon": da.lon.values.tolist(),
            "data": clean(da.values),
            "results": battery(da, num, cal in FULL),
        }
    with open(OUT, "w") as f:
        json.dump(ref, f)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
    with open(OUT_FILES, "w") as f:
        json.dump(files(), f)
        f.write("\n")
    print(f"wrote {OUT_FILES} ({os.path.getsize(OUT_FILES)} bytes)")


if __name__ == "__main__":
    main()
