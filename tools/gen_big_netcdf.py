#!/usr/bin/python3
"""Generate the NetCDF benchmark inputs (scratch data, never committed) in the system's
temporary folder (geoml-bench/ under $TMPDIR or /tmp), or in --out DIR.

A 240 x 720 x 1440 float32 SST-like field (995 MB uncompressed): a latitude profile, a
seasonal cycle, smooth anomalies and land (fill values) from a synthetic mask, quantised
to 0.01 K so deflate behaves as on real data. Written twice from the same values:

  big_nc3.nc        NetCDF-3 64-bit offset
  big_nc4_deflate.nc NetCDF-4, deflate level 4 + shuffle, one chunk per time step

Run: /usr/bin/python3 tools/gen_big_netcdf.py [--steps N] [--out DIR]   (N defaults to 240)
"""
import argparse
import os
import tempfile

import netCDF4
import numpy as np

OUT = os.path.join(tempfile.gettempdir(), "geoml-bench")


def field(t, lat, lon, land):
    month = t % 12
    base = 28 * np.cos(np.deg2rad(lat))[:, None] ** 2 - 1.5
    season = 4 * np.sin(2 * np.pi * (month - 3) / 12) * np.sin(np.deg2rad(lat))[:, None]
    waves = 0.8 * np.sin(np.deg2rad(3 * lon + 7 * t))[None, :] * np.cos(np.deg2rad(2 * lat + 5 * t))[:, None]
    v = np.round(base + season + waves, 2).astype("f4")
    v[land] = np.nan
    return v


def create(path, fmt, steps, lat, lon, compress):
    ds = netCDF4.Dataset(path, "w", format=fmt)
    ds.setncattr("Conventions", "CF-1.8")
    ds.setncattr("title", "synthetic SST benchmark field")
    ds.createDimension("time", steps)
    ds.createDimension("lat", len(lat))
    ds.createDimension("lon", len(lon))
    t = ds.createVariable("time", "f8", ("time",))
    t.units = "days since 2000-01-01"
    t.calendar = "noleap"
    t[:] = 15.5 + np.arange(steps) * 365 / 12
    ds.createVariable("lat", "f4", ("lat",))[:] = lat
    ds["lat"].units = "degrees_north"
    ds.createVariable("lon", "f4", ("lon",))[:] = lon
    ds["lon"].units = "degrees_east"
    kw = dict(zlib=True, complevel=4, shuffle=True, chunksizes=(1, len(lat), len(lon))) if compress else {}
    v = ds.createVariable("sst", "f4", ("time", "lat", "lon"), fill_value=np.float32(-999.0), **kw)
    v.units = "degC"
    v.standard_name = "sea_surface_temperature"
    return ds, v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=240)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    out = args.out
    os.makedirs(out, exist_ok=True)
    lat = np.linspace(-89.875, 89.875, 720).astype("f4")
    lon = np.linspace(0.125, 359.875, 1440).astype("f4")
    land = (np.sin(np.deg2rad(2 * lon))[None, :] * np.cos(np.deg2rad(3 * lat))[:, None]) > 0.55
    nc3, v3 = create(os.path.join(out, "big_nc3.nc"), "NETCDF3_64BIT_OFFSET", args.steps, lat, lon, False)
    nc4, v4 = create(os.path.join(out, "big_nc4_deflate.nc"), "NETCDF4", args.steps, lat, lon, True)
    for t in range(args.steps):
        f = field(t, lat, lon, land)
        v3[t] = f
        v4[t] = f
    nc3.close()
    nc4.close()
    for name in ["big_nc3.nc", "big_nc4_deflate.nc"]:
        p = os.path.join(out, name)
        print(f"{p}: {os.path.getsize(p) / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
