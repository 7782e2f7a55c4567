#!/usr/bin/python3
"""What xarray (with zarr-python 2) reads from @geoml/batch's Zarr v2 outputs.

The stores packages/batch/src/__fixtures__/fit_v2.zarr (a per-cell fit: coef and se
(term, lat, lon), nobs, deviance, scale, the term labels) and pred_v2.zarr (predictions
over time with a CF time coordinate) are written by @geoml/batch's writers
(packages/batch/scripts/write-zarr-fixtures.ts). This script opens them with
xr.open_zarr (consolidated metadata, CF decoding) and records what it reads: the term
coordinate (and that it is a string dtype), the grid coordinates and their attributes, every
value, the decoded times as ISO dates, and the global attributes. The tests compare that
with what @geoml/batch computes in memory.

Run: /usr/bin/python3 tools/oracles/batch_zarr_xarray.py
Writes packages/batch/src/__fixtures__/zarr_xarray.json.
"""
import json
import os

import numpy as np
import xarray as xr
import zarr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "packages", "batch", "src", "__fixtures__")


def values(a):
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype="f8").ravel()]


def attrs(d):
    return {k: (v.tolist() if hasattr(v, "tolist") else v) for k, v in d.items()}


def main():
    fit = xr.open_zarr(os.path.join(FIX, "fit_v2.zarr"), consolidated=True)
    term = fit["term"].values
    out = {
        "versions": {"xarray": xr.__version__, "zarr": zarr.__version__, "numpy": np.__version__},
        "fit": {
            "term": [str(t) for t in term],
            "term_dtype_kind": term.dtype.kind,
            "coords": sorted(fit.coords),
            "data_vars": sorted(fit.data_vars),
            "dims": {k: int(v) for k, v in fit.sizes.items()},
            "coef_dims": list(fit["coef"].dims),
            "lat": values(fit["lat"]),
            "lon": values(fit["lon"]),
            "lat_attrs": attrs(fit["lat"].attrs),
            "attrs": attrs(fit.attrs),
        },
    }
    for name in ["coef", "se", "nobs", "deviance", "scale"]:
        out["fit"][name] = values(fit[name])
    # Selecting by label works: the term coordinate is an index of strings.
    out["fit"]["coef_t_sel"] = values(fit["coef"].sel(term="t"))
    pred = xr.open_zarr(os.path.join(FIX, "pred_v2.zarr"), consolidated=True)
    out["pred"] = {
        "dims": list(pred["prediction"].dims),
        "time": [str(t)[:19] for t in pred["time"].values],
        "time_dtype": str(pred["time"].dtype),
        "time_encoding": {k: str(v) for k, v in pred["time"].encoding.items() if k in ("units", "calendar")},
        "prediction": values(pred["prediction"]),
        "prediction_dtype": str(pred["prediction"].dtype),
    }
    path = os.path.join(FIX, "zarr_xarray.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
