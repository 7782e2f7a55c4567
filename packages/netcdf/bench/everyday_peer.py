#!/usr/bin/python3
"""xarray side of the file-based everyday tasks (the others are in packages/grid/bench/peer.py,
whose data generator and loader this reuses).

  everyday_peer.py mkfile <data_dir> <scratch>       write <scratch>/field.nc (NetCDF-3 64-bit offset)
  everyday_peer.py <task> <data_dir> <reps> <scratch> run one task; print one JSON line like peer.py
  everyday_peer.py checksum <file>                    sum of |x| of 'sst' in a written file, decoded by xarray
"""
import json
import os
import resource
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grid", "bench"))
import peer  # noqa: E402  (the grid benchmark's generator and loader)


def mkfile(d, scratch):
    sst, mask = peer.load(d)
    ds = sst.to_dataset()
    ds["ocean"] = mask.astype("u1")
    ds.time.encoding.update(units="days since 1990-01-01", calendar="standard")
    ds.to_netcdf(os.path.join(scratch, "field.nc"), format="NETCDF3_64BIT", engine="netcdf4")


def main():
    import xarray as xr

    if sys.argv[1] == "mkfile":
        mkfile(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1] == "checksum":
        with xr.open_dataset(sys.argv[2]) as ds:
            v = ds[list(ds.data_vars)[0]]
            print(json.dumps({"sum": float(np.nansum(np.abs(v.values.astype("f8")))), "dims": list(v.dims), "shape": list(v.shape)}))
        return
    task, d, reps, scratch = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    nc = os.path.join(scratch, "field.nc")
    out = os.path.join(scratch, "anomaly-xarray.nc")

    def open_step():
        with xr.open_dataset(nc) as ds:
            return ds.sst.sel(time="2005-07").load().values

    anom = None
    if task == "write-back":
        sst, _ = peer.load(d)
        g = sst.groupby("time.month")
        # Drop the 'month' label xarray adds along time, so both sides write the same variables.
        anom = (g - g.mean("time")).drop_vars("month").rename("sst_anomaly")
        anom.time.encoding.update(units="days since 1990-01-01", calendar="standard")

    def write_back():
        anom.to_netcdf(out, format="NETCDF3_64BIT", engine="netcdf4")
        return anom.values

    f = {"open-file": open_step, "write-back": write_back}[task]
    r = f()
    n, t0 = 1, time.perf_counter()
    while n < 3 or time.perf_counter() - t0 < 0.3:
        r = f()
        n += 1
    times, walls = [], []
    spent = 0.0
    while len(times) < reps or spent < 0.3:
        c0, t0 = time.process_time(), time.perf_counter()
        r = f()
        walls.append(time.perf_counter() - t0)
        times.append(time.process_time() - c0)
        spent += walls[-1]
    times.sort()
    walls.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"warm": times[len(times) // 2], "wall": walls[len(walls) // 2], "rssMB": rss, "sum": float(np.nansum(np.abs(np.asarray(r, dtype="f8")))), "file": out if task == "write-back" else None}))


if __name__ == "__main__":
    main()
