#!/usr/bin/python3
"""Peer side of packages/zarr/bench/index.ts: zarr-python and xarray on in-memory stores.

Loads every store under argv[1] into a dict once (outside the clock), then answers one JSON
command per stdin line with the seconds the operation took. Single-threaded like the
JavaScript side: Blosc threads off, xarray without dask (chunks=None).
"""
import json
import os
import sys
import time

import numcodecs.blosc
import numpy as np
import xarray as xr
import zarr

numcodecs.blosc.use_threads = False
numcodecs.blosc.set_nthreads(1)


def load(path):
    store = {}
    for dirpath, _, files in os.walk(path):
        for f in files:
            full = os.path.join(dirpath, f)
            with open(full, "rb") as fh:
                store[os.path.relpath(full, path).replace(os.sep, "/")] = fh.read()
    return store


stores = {name: load(os.path.join(sys.argv[1], name)) for name in sorted(os.listdir(sys.argv[1]))}
print(json.dumps({"ready": True, "zarr": zarr.__version__, "xarray": xr.__version__, "numpy": np.__version__}), flush=True)

for line in sys.stdin:
    cmd = json.loads(line)
    store = stores[cmd["store"]]
    peer, case = cmd["peer"], cmd["case"]
    t0 = time.perf_counter()
    if peer == "xarray":
        ds = xr.open_zarr(store, consolidated=True, chunks=None)
        if case == "full":
            out = ds["sst"].values
        elif case == "step":
            out = ds["sst"].isel(time=7).values
        elif case == "window":
            out = ds["sst"].isel(time=7, lat=slice(40, 56), lon=slice(100, 116)).values
        else:
            out = np.zeros(1)
    else:
        g = zarr.open_consolidated(store, mode="r")
        a = g["sst"]
        if case == "full":
            out = a[...]
        elif case == "step":
            out = a[7]
        elif case == "window":
            out = a[7, 40:56, 100:116]
        else:
            out = np.zeros(1)
    dt = time.perf_counter() - t0
    check = float(np.nansum(out.astype("f8"))) if out.dtype.kind == "f" else float(out.astype("f8").sum())
    print(json.dumps({"seconds": dt, "check": check}), flush=True)
