#!/usr/bin/python3
"""Reference values for @geoml/netcdf from xarray (decode_cf) and netCDF4-python.

For every file in datasets/netcdf/ and every variable: dims, shape, stored dtype, and
after decoding (xarray: scale/offset, _FillValue/missing_value, _Unsigned; netCDF4:
the same plus valid_min/valid_max/valid_range) the valid count, sum, min, max, mean and
sample cells; raw stored samples; decoded times (cftime, every calendar) as ISO text.

Run: /usr/bin/python3 tools/oracles/netcdf_xarray.py
Writes packages/netcdf/src/__fixtures__/xarray_reference.json.
"""
import json
import os
import subprocess

import cftime
import netCDF4
import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "datasets", "netcdf")
OUT = os.path.join(ROOT, "packages", "netcdf", "src", "__fixtures__", "xarray_reference.json")


def num(x):
    x = float(x)
    return None if not np.isfinite(x) else x


def stats(values):
    v = np.asarray(values, dtype="f8").ravel()
    ok = v[np.isfinite(v)]
    if ok.size == 0:
        return {"validCount": 0, "sum": 0.0, "min": None, "max": None, "mean": None}
    return {
        "validCount": int(ok.size),
        "sum": float(ok.sum()),
        "min": float(ok.min()),
        "max": float(ok.max()),
        "mean": float(ok.mean()),
    }


def sample_indices(n):
    if n == 0:
        return []
    rng = np.random.default_rng(n)
    idx = {0, n - 1, n // 2}
    idx.update(int(i) for i in rng.integers(0, n, size=min(9, n)))
    return sorted(idx)


def attr_json(v):
    if isinstance(v, (bytes, str)):
        return v if isinstance(v, str) else v.decode()
    a = np.asarray(v)
    if a.ndim == 0 or a.size == 1:
        return num(a.ravel()[0]) if a.dtype.kind == "f" else int(a.ravel()[0])
    return [num(x) if a.dtype.kind == "f" else int(x) for x in a.ravel()]


def iso(t):
    s = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    return s + (f".{t.microsecond:06d}" if t.microsecond else "")


def describe_group(path, group):
    xds = xr.open_dataset(path, group=group, decode_times=False, mask_and_scale=True)
    nc = netCDF4.Dataset(path)
    g = nc if group is None else nc.groups[group]
    variables = {}
    for name, var in g.variables.items():
        if var.dtype == str or var.dtype.kind not in "iuf":
            continue
        raw_var = g.variables[name]
        raw_var.set_auto_maskandscale(False)
        raw = np.asarray(raw_var[:])
        raw_var.set_auto_maskandscale(True)
        nc4 = np.ma.filled(np.ma.asarray(raw_var[:]).astype("f8"), np.nan)
        xa = np.asarray(xds[name].values, dtype="f8")
        n = raw.size
        idx = sample_indices(n)
        entry = {
            "dims": list(var.dimensions),
            "shape": list(raw.shape),
            "dtype": str(raw.dtype),
            "attrs": {k: attr_json(var.getncattr(k)) for k in var.ncattrs()},
            "xarray": stats(xa),
            "netcdf4": stats(nc4),
            "samples": [[i, num(xa.ravel()[i])] for i in idx],
            "rawSamples": [[i, raw.ravel()[i].item()] for i in idx],
        }
        units = var.getncattr("units") if "units" in var.ncattrs() else None
        if isinstance(units, str) and " since " in units:
            cal = var.getncattr("calendar") if "calendar" in var.ncattrs() else "standard"
            try:
                times = cftime.num2date(raw.astype("f8"), units, calendar=cal, only_use_cftime_datetimes=True)
                entry["times"] = [iso(t) for t in np.ravel(times)]
            except ValueError as e:  # e.g. "months since" outside 360_day
                entry["timesError"] = str(e)
        variables[name] = entry
    out = {
        "dims": {k: len(d) for k, d in g.dimensions.items()},
        "unlimited": [k for k, d in g.dimensions.items() if d.isunlimited()],
        "attrs": {k: attr_json(g.getncattr(k)) for k in g.ncattrs()},
        "variables": variables,
    }
    nc.close()
    xds.close()
    return out


def integration():
    """Ocean-only SST: a 1° land-sea mask regridded (nearest) onto the 2° SST grid."""
    ds = xr.open_dataset(os.path.join(CORPUS, "sst_packed.nc"), use_cftime=True)
    # Interior longitudes only: xarray's nearest does not wrap at the 0/360 seam.
    sst = ds.sst.isel(time=0, lon=slice(1, -1))
    lsm = xr.open_dataset(os.path.join(CORPUS, "landsea.nc")).LSMASK
    ocean = lsm.sel(lat=sst.lat, lon=sst.lon, method="nearest")
    masked = sst.where(ocean.values == 0)
    # float64 weights: cos of the float32 latitudes in float32 would cost 3e-6 relative.
    w = np.cos(np.deg2rad(sst.lat.astype("f8")))
    return {
        "validCount": int(masked.notnull().sum()),
        "weightedMean": float(masked.weighted(w).mean()),
        "oceanCells": int((ocean.values == 0).sum()),
    }


def main():
    ref = {"_integration": integration()}
    for name in sorted(os.listdir(CORPUS)):
        if not name.endswith(".nc"):
            continue
        path = os.path.join(CORPUS, name)
        kind = subprocess.run(["ncdump", "-k", path], capture_output=True, text=True).stdout.strip()
        entry = {"kind": kind, **describe_group(path, None)}
        if name == "nc4uvt.nc":
            entry["groups"] = {"grp1": describe_group(path, "grp1")}
        ref[name] = entry
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
