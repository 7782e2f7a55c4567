#!/usr/bin/python3
"""Reference values for @geoml/grid operations from xarray.

A small deterministic field (36 months x 5 lat x 6 lon, noleap calendar, some NaN) is
written into the fixture together with xarray's results for: cos(lat)-weighted mean over
(lat, lon), monthly climatology, anomalies, label selection with longitude wrap-around,
nearest selection, and the NaN-dropping flatten to a table.

Run: /usr/bin/python3 tools/oracles/netcdf_grid_xarray.py
Writes packages/grid/src/__fixtures__/grid_reference.json.
"""
import json
import os

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "grid", "src", "__fixtures__", "grid_reference.json")


def clean(a):
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype="f8").ravel()]


def main():
    rng = np.random.default_rng(42)
    nt, ny, nx = 36, 5, 6
    lat = np.array([-60.0, -30.0, 0.0, 30.0, 60.0])
    lon = np.array([0.0, 60.0, 120.0, 180.0, 240.0, 300.0])
    # Mid-month days of a 365-day calendar, three years.
    mid = np.array([15.5, 45, 74.5, 105, 135.5, 166, 196.5, 227.5, 258, 288.5, 319, 349.5])
    time = np.concatenate([mid + 365 * y for y in range(3)])
    month = np.tile(np.arange(12), 3)
    field = (
        20
        + 8 * np.cos(np.deg2rad(lat))[None, :, None]
        + 3 * np.sin(2 * np.pi * month / 12)[:, None, None]
        + rng.normal(0, 0.5, size=(nt, ny, nx))
    )
    field[:, 0, 1] = np.nan  # a land cell
    field[5, 2, 3] = np.nan  # one missing value
    units = "days since 2000-01-01 00:00:00"
    da = xr.DataArray(
        field,
        dims=("time", "lat", "lon"),
        coords={
            "time": xr.coding.times.decode_cf_datetime(time, units, calendar="noleap", use_cftime=True),
            "lat": lat,
            "lon": lon,
        },
        name="sst",
    )
    w = np.cos(np.deg2rad(da.lat))
    wmean = da.weighted(w).mean(("lat", "lon"))
    clim = da.groupby("time.month").mean("time")
    anom = da.groupby("time.month") - clim
    wrapped = da.assign_coords(lon=((da.lon + 180) % 360) - 180).sortby("lon").sel(lon=slice(-90, 90))
    near = da.sel(lat=17.0, lon=350.0, method="nearest")
    table = da.isel(time=slice(0, 2)).to_dataframe().dropna().reset_index()
    ref = {
        "field": {
            "dims": ["time", "lat", "lon"],
            "shape": [nt, ny, nx],
            "data": clean(field),
            "time": time.tolist(),
            "timeUnits": units,
            "calendar": "noleap",
            "lat": lat.tolist(),
            "lon": lon.tolist(),
        },
        "weightedMean": clean(wmean.values),
        "climatology": clean(clim.values),
        "anomaly": clean(anom.values),
        "wrapLon": {"lon": wrapped.lon.values.tolist(), "data": clean(wrapped.isel(time=0).values)},
        "nearest": clean(near.values),
        "table": {"lat": table["lat"].tolist(), "lon": table["lon"].tolist(), "sst": table["sst"].tolist()},
    }
    with open(OUT, "w") as f:
        json.dump(ref, f)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
