"""Generate the larger-than-memory archive of the batch benchmark (never committed).

N yearly files of daily 0.25-degree float32 SST (365 x 720 x 1440, 1.5 GB each) with a land
mask (NaN everywhere on land) and 5 % of ocean steps missing, NETCDF3_64BIT, written one
year at a time so the generator itself stays small.

Run: python3 make_archive.py DIR N [ROWS]   (ROWS latitude rows from the south, default 720)
"""
import os
import sys

import numpy as np
import xarray as xr

out, n = sys.argv[1], int(sys.argv[2])
ny, nx = (int(sys.argv[3]) if len(sys.argv) > 3 else 720), 1440
lat = -89.875 + 0.25 * np.arange(ny)
lon = 0.125 + 0.25 * np.arange(nx)
X, Y = np.meshgrid(np.arange(nx), np.arange(ny))
land = (np.sin(X / 92.0) * np.cos(Y / 68.0) + 0.3 * np.sin((X + Y) / 28.0)) > 0.45
base = (15 + 10 * np.cos(np.deg2rad(lat)))[:, None].astype("f4")
rng = np.random.default_rng(7)
for k in range(n):
    year = 2000 + k
    days = np.arange(365)
    time = days + 365 * k
    sst = np.empty((365, ny, nx), dtype="f4")
    for d in days:
        f = base + np.float32(3 * np.cos(2 * np.pi * d / 365) + 0.02 * (k + d / 365))
        f = f + rng.standard_normal((ny, nx), dtype="f4") * np.float32(0.5)
        f[land] = np.nan
        f[rng.random((ny, nx)) < 0.05] = np.nan
        sst[d] = f
    ds = xr.Dataset(
        {"sst": (("time", "lat", "lon"), sst, {"units": "degC"})},
        coords={"time": ("time", time.astype("f8"), {"units": "days since 2000-01-01", "calendar": "noleap"}),
                "lat": ("lat", lat, {"units": "degrees_north"}),
                "lon": ("lon", lon, {"units": "degrees_east"})},
    )
    ds.to_netcdf(os.path.join(out, f"sst_{year}.nc"), format="NETCDF3_64BIT",
                 encoding={"sst": {"_FillValue": np.float32(-999)}})
    del sst, ds
