"""One peer measurement in a fresh process: xarray (decoded) or netCDF4-python (raw).
Usage: python3 peers.py xarray|netcdf4 FILE full|step"""
import json
import resource
import sys
import time

lib, path, mode = sys.argv[1:]
t0 = time.perf_counter()
if lib == "xarray":
    import xarray as xr

    ds = xr.open_dataset(path, decode_times=False)
    v = ds["sst"].isel(time=120).values if mode == "step" else ds["sst"].values
else:
    import netCDF4

    ds = netCDF4.Dataset(path)
    var = ds["sst"]
    var.set_auto_maskandscale(False)
    v = var[120] if mode == "step" else var[:]
seconds = time.perf_counter() - t0
import numpy as np

s = float(np.nansum(v.ravel()[::997]))
print(json.dumps({"seconds": seconds, "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "bytes": v.nbytes, "sum": s}))
