#!/usr/bin/python3
"""Reference values for @geoml/grid `interp` from xarray's `DataArray.interp`.

A small field over (time, lat, lon) with descending latitudes, a global 0-355 longitude
axis and a few NaN cells is interpolated linearly and by nearest neighbour onto new
latitudes and longitudes (some beyond 355 or below 0, some outside the latitude range).
xarray does not treat longitude as periodic, so the reference pads the field with the
first longitude repeated at 360 and brings targets into [0, 360) first: that is the
periodic interpolation geoml does. Targets avoid nodes next to NaN cells, where xarray
(SciPy) returns NaN even for a point that lies on a valid node.

Run: /usr/bin/python3 tools/oracles/grid_interp_xarray.py
Writes packages/grid/src/__fixtures__/interp_xarray.json.
"""
import json
import os

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "grid", "src", "__fixtures__", "interp_xarray.json")


def clean(a):
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype="f8").ravel()]


def main():
    rng = np.random.default_rng(7)
    lat = np.array([80.0, 50.0, 20.0, -10.0, -40.0, -70.0])
    lon = np.arange(0.0, 360.0, 5.0)
    data = 280 + rng.normal(0, 3, size=(2, lat.size, lon.size))
    data[0, 2, 10] = np.nan
    data[1, 4, 70] = np.nan
    da = xr.DataArray(data, dims=("time", "lat", "lon"), coords={"lat": lat, "lon": lon})
    padded = xr.concat([da, da.isel(lon=[0]).assign_coords(lon=[360.0])], dim="lon")

    new_lat = np.array([75.0, 61.3, 33.3, 0.7, -12.5, -55.55, -69.9, 85.0, -80.0])
    new_lon = np.array([1.25, 47.6, 52.5, 181.1, 352.2, 357.5, 359.9, -2.5, 725.0])
    wrapped = np.mod(new_lon, 360.0)
    out = {
        "data": clean(data),
        "lat": lat.tolist(),
        "lon": lon.tolist(),
        "new_lat": new_lat.tolist(),
        "new_lon": new_lon.tolist(),
    }
    for method in ("linear", "nearest"):
        r = padded.interp(lat=new_lat, lon=wrapped, method=method)
        out[method] = clean(r.transpose("time", "lat", "lon").values)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
