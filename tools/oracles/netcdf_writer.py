#!/usr/bin/python3
"""Check the @geoml/netcdf writer against ncdump and xarray.

Runs packages/netcdf/scripts/write-sample.ts to write a NetCDF-3 file of sample model
results, then records: the file's SHA-256 (so the test knows it produces exactly the bytes
checked here), `ncdump -h` output, and xarray's decoded values, dtypes, attributes and
times. Fails loudly if ncdump or xarray cannot read the file.

Run: /usr/bin/python3 tools/oracles/netcdf_writer.py
Writes packages/netcdf/src/__fixtures__/writer_reference.json.
"""
import hashlib
import json
import os
import subprocess
import tempfile

import numpy as np
import xarray as xr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "netcdf", "src", "__fixtures__", "writer_reference.json")


def clean(a):
    return [None if not np.isfinite(x) else float(x) for x in np.asarray(a, dtype="f8").ravel()]


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sample.nc")
        subprocess.run(
            ["npx", "tsx", "packages/netcdf/scripts/write-sample.ts", path], cwd=ROOT, check=True
        )
        sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
        header = subprocess.run(["ncdump", "-h", path], capture_output=True, text=True, check=True).stdout
        kind = subprocess.run(["ncdump", "-k", path], capture_output=True, text=True, check=True).stdout.strip()
        ds = xr.open_dataset(path, use_cftime=True)
        variables = {}
        for name, v in ds.variables.items():
            entry = {
                "dims": list(v.dims),
                "encodingDtype": str(v.encoding.get("dtype", v.dtype)),
                "attrs": {k: (val if isinstance(val, str) else clean(val)) for k, val in v.attrs.items()},
            }
            if v.dtype.kind == "O":
                entry["times"] = [t.isoformat() for t in v.values.ravel()]
            else:
                entry["values"] = clean(v.values)
            variables[name] = entry
        ref = {
            "sha256": sha,
            "kind": kind,
            "unlimited": sorted(ds.encoding.get("unlimited_dims", [])),
            "globalAttrs": dict(ds.attrs),
            "coords": sorted(ds.coords),
            "variables": variables,
            "ncdumpHeader": header,
        }
        ds.close()
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
