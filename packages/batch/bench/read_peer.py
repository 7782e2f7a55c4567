"""Peer of the archive benchmark: read every value of the archive with xarray + dask
(open_mfdataset, chunks of whole rows over all steps, like geoml's chunks) and reduce it,
so the time is the reading and decoding. Prints JSON: seconds, peak RSS bytes."""
import json
import resource
import sys
import time

import dask
import xarray as xr

dask.config.set(scheduler="threads", num_workers=int(sys.argv[3]))
t = time.perf_counter()
ds = xr.open_mfdataset(sys.argv[1], combine="by_coords", chunks={"lat": int(sys.argv[2]), "time": -1})
n = int(ds.sst.count().compute())
dt = time.perf_counter() - t
print(json.dumps({"seconds": dt, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "valid": n, "dask": dask.__version__}))
