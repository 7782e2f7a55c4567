#!/usr/bin/python3
"""A small archive of NetCDF files and xarray's open_mfdataset of it, for @geoml/io.

Writes packages/io/src/__fixtures__/archive/ (four yearly files of monthly float32 `sst`
on a 3 x 4 grid, int16-packed `count`, noleap calendar; one file stores its times in
different units, and the file names do not sort in time order) and malformed archives
beside it (a different grid or grid size, a missing variable, a repeated time, overlapping times, backwards times, a
different calendar). Then runs xarray.open_mfdataset on the good archive and stores the
joined arrays in packages/io/src/__fixtures__/mfdataset_xarray.json.

Run: /usr/bin/python3 tools/oracles/io_mfdataset_xarray.py
"""
import glob
import json
import os
import shutil

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "packages", "io", "src", "__fixtures__")

LAT = np.array([-30.0, 0.0, 30.0])
LON = np.array([0.0, 90.0, 180.0, 270.0])
MID = np.array([15.5, 45, 74.5, 105, 135.5, 166, 196.5, 227.5, 258, 288.5, 319, 349.5])


def year_file(path, year, rng, units="days since 2000-01-01", lat=LAT, calendar="noleap",
              drop=None, times=None):
    t = MID + 365 * (year - 2000) if times is None else times
    if units != "days since 2000-01-01":
        t = t - 365 * (year - 2000)  # days since <year>-01-01 in a noleap calendar
    sst = (15 + 10 * np.cos(np.deg2rad(lat))[None, :, None]
           + 3 * np.sin(2 * np.pi * np.arange(12) / 12)[:, None, None]
           + rng.normal(0, 0.5, size=(12, len(lat), 4))).astype("f4")
    sst[rng.random(sst.shape) < 0.1] = np.nan
    count = rng.poisson(4.0, size=(12, len(lat), 4)).astype("f8")
    ds = xr.Dataset(
        {"sst": (("time", "lat", "lon"), sst, {"units": "degC", "long_name": "sea surface temperature"}),
         "count": (("time", "lat", "lon"), count, {"units": "1"})},
        coords={"time": ("time", t, {"units": units, "calendar": calendar}),
                "lat": ("lat", lat, {"units": "degrees_north"}),
                "lon": ("lon", LON, {"units": "degrees_east"})},
    )
    if drop:
        ds = ds.drop_vars(drop)
    enc = {"sst": {"_FillValue": np.float32(-999.0)},
           "time": {"dtype": "f8"}}
    if "count" in ds:
        enc["count"] = {"dtype": "i2", "scale_factor": 0.5, "_FillValue": np.int16(-1)}
    ds.to_netcdf(path, format="NETCDF3_64BIT", encoding=enc)


def grid_rows_ols(path):
    """statsmodels OLS on the rows of one file, as `geoml fit --grid FILE --var sst` builds
    them: valid cells only, t = days since the first step / 365 (noleap calendar)."""
    import statsmodels.api as sm
    ds = xr.open_dataset(path, use_cftime=True)
    df = ds.sst.to_dataframe().reset_index().dropna(subset=["sst"])
    first = ds.time.values[0]
    days = np.array([(t - first).days + (t - first).seconds / 86400 for t in df.time])
    month = np.array([t.month for t in df.time], dtype="f8")
    X = np.column_stack([np.ones(len(df)), days / 365.0, np.cos(2 * np.pi * month / 12), df.lat.values])
    r = sm.OLS(df.sst.values.astype("f8"), X).fit()
    return {"formula": "sst ~ t + cos(2*pi*month/12) + lat", "nobs": int(r.nobs),
            "params": r.params.tolist(), "bse": r.bse.tolist()}


def main():
    if os.path.isdir(FIX):
        for d in glob.glob(os.path.join(FIX, "archive*")):
            shutil.rmtree(d)
    good = os.path.join(FIX, "archive")
    os.makedirs(good)
    # Names chosen so that name order is not time order.
    names = {2000: "b_2000.nc", 2001: "a_2001.nc", 2002: "d_2002.nc", 2003: "c_2003.nc"}
    for year, name in names.items():
        units = "days since 2002-01-01" if year == 2002 else "days since 2000-01-01"
        year_file(os.path.join(good, name), year, np.random.default_rng(year), units=units)

    bad = {
        "grid": lambda d: year_file(os.path.join(d, "y2001.nc"), 2001, np.random.default_rng(1),
                                    lat=np.array([-30.0, 0.0, 31.0])),
        "size": lambda d: year_file(os.path.join(d, "y2001.nc"), 2001, np.random.default_rng(1),
                                    lat=np.array([-30.0, 0.0, 30.0, 60.0])),
        "variable": lambda d: year_file(os.path.join(d, "y2001.nc"), 2001, np.random.default_rng(1),
                                        drop=["count"]),
        "overlap": lambda d: year_file(os.path.join(d, "y2001.nc"), 2001, np.random.default_rng(1),
                                       times=MID + 300),
        "backwards": lambda d: year_file(os.path.join(d, "y2001.nc"), 2001, np.random.default_rng(1),
                                         times=(MID + 365)[::-1]),
        "repeat": lambda d: year_file(os.path.join(d, "y2001.nc"), 2001, np.random.default_rng(1),
                                      times=np.concatenate([MID[:6], MID[5:11]]) + 365),
        "calendar": lambda d: year_file(os.path.join(d, "y2001.nc"), 2001, np.random.default_rng(1),
                                        calendar="360_day"),
    }
    for key, make in bad.items():
        d = os.path.join(FIX, f"archive_bad_{key}")
        os.makedirs(d)
        year_file(os.path.join(d, "y2000.nc"), 2000, np.random.default_rng(0))
        make(d)

    ds = xr.open_mfdataset(os.path.join(good, "*.nc"), combine="by_coords", use_cftime=True)
    out = {
        "files_in_order": [os.path.basename(p) for p in
                           sorted(glob.glob(os.path.join(good, "*.nc")),
                                  key=lambda p: float(xr.open_dataset(p, use_cftime=True).time.values[0].toordinal()))],
        "time": [t.isoformat() for t in ds.time.values],
        "lat": ds.lat.values.tolist(),
        "lon": ds.lon.values.tolist(),
        "shape": list(ds.sst.shape),
        "sst": [None if not np.isfinite(x) else float(x) for x in ds.sst.values.astype("f8").ravel()],
        "count": [None if not np.isfinite(x) else float(x) for x in ds["count"].values.ravel()],
        "xarray": xr.__version__,
        "grid_rows_ols": grid_rows_ols(os.path.join(good, "a_2001.nc")),
    }
    with open(os.path.join(FIX, "mfdataset_xarray.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
