#!/usr/bin/python3
"""Check the @geoml/netcdf NetCDF-4 writer against netCDF-C and xarray.

Runs `packages/netcdf/scripts/write-sample.ts --netcdf4` to write the sample model results
as NetCDF-4 (HDF5 through h5wasm: unlimited time, chunks, deflate, int16 packing), then
records what netCDF-C (`ncdump -k`, `ncdump -hs`) and xarray (decoded values, dtypes,
attributes, times and storage encoding: chunk sizes, zlib, level, unlimited dims) find in it.
Fails loudly if either cannot read the file.

Run: /usr/bin/python3 tools/oracles/netcdf4_writer.py
Writes packages/netcdf/src/__fixtures__/writer4_reference.json.
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "netcdf", "src", "__fixtures__", "writer4_reference.json")


def clean(a):
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype="f8").ravel()]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sample4.nc")
        subprocess.run(
            ["npx", "tsx", "packages/netcdf/scripts/write-sample.ts", "--netcdf4", path],
            cwd=ROOT,
            check=True,
        )
        kind = subprocess.run(["ncdump", "-k", path], capture_output=True, text=True, check=True).stdout.strip()
        ds = xr.open_dataset(path, use_cftime=True)
        variables = {}
        for name, v in ds.variables.items():
            enc = v.encoding
            entry = {
                "dims": list(v.dims),
                "encodingDtype": str(enc.get("dtype", v.dtype)),
                "attrs": {k: (val if isinstance(val, str) else clean(val)) for k, val in v.attrs.items()},
                "chunksizes": list(enc["chunksizes"]) if enc.get("chunksizes") else None,
                "zlib": bool(enc.get("zlib", False)),
                "complevel": int(enc.get("complevel", 0)),
            }
            if v.dtype.kind == "O":
                entry["times"] = [t.isoformat() for t in v.values.ravel()]
            else:
                entry["values"] = clean(v.values)
            variables[name] = entry
        ref = {
            "kind": kind,
            "unlimited": sorted(ds.encoding.get("unlimited_dims", [])),
            "globalAttrs": dict(ds.attrs),
            "coords": sorted(ds.coords),
            "variables": variables,
        }
        ds.close()
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
