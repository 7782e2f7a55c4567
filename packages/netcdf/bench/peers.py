"""One peer measurement in a fresh process: xarray (decoded) or netCDF4-python (raw).
Usage: python3 peers.py xarray|netcdf4 FILE full|step"""
import json
import resource
import sys
import time

import netCDF4
import numpy as np
import xarray as xr

lib, path, mode = sys.argv[1:]
# Libraries are imported before timing, like the wasm module on our side.
t0 = time.perf_counter()
if lib == "xarray":
    ds = xr.open_dataset(path, decode_times=False)
    v = ds["sst"].isel(time=120).values if mode == "step" else ds["sst"].values
else:
    ds = netCDF4.Dataset(path)
    var = ds["sst"]
    var.set_auto_maskandscale(False)
    v = var[120] if mode == "step" else var[:]
seconds = time.perf_counter() - t0
warm = None
if mode == "step":  # a second, different step in the same process
    t1 = time.perf_counter()
    if lib == "xarray":
        ds["sst"].isel(time=121).values
    else:
        var[121]
    warm = time.perf_counter() - t1

s = float(np.nansum(v.ravel()[::997]))
print(json.dumps({"seconds": seconds, "warmSeconds": warm, "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "bytes": v.nbytes, "sum": s}))
