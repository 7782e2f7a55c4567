#!/usr/bin/python3
"""Reference stores and values for @geoml/zarr, from zarr-python 2.13 and xarray.

Makes the small Zarr stores under packages/zarr/src/__fixtures__/ and records what
zarr-python (raw stored values) and xarray (CF-decoded values) read from them:

- xr_packed_blosc.zarr, xr_packed_zlib.zarr: written by xarray's to_zarr (Zarr v2) with
  int16 packing (scale_factor/add_offset; the fill value only in .zarray), Blosc (xarray's
  default) or Zlib, consolidated metadata, CF time.
- zp_raw.zarr: written by zarr-python directly: Fortran order, "/" dimension separator,
  big-endian int32, bool, fixed-width unicode, no compressor, partial edge chunks, a
  missing chunk (reads as the fill value), an array without _ARRAY_DIMENSIONS.
- v3_hand.zarr: Zarr v3, made byte by byte here from the v3 specification (no v3 library
  is available): bytes+gzip, big-endian bytes, and sharding_indexed with a crc32c-checked
  index and an empty inner chunk.
- xr_packed_blosc.zarr.zip, xr_packed_blosc_deflate.zip: the Blosc store zipped by
  zarr-python's ZipStore (stored, keys at the root) and by zipfile (deflate, one top folder).
- zp_raw.zarr/sub: a nested group (opened with { group: "sub" }).
- geoml_v2.zarr: written by the @geoml/zarr writer (packages/zarr/scripts/write-fixture.ts);
  this script checks zarr-python and xarray read it, and records what they read.

Run: /usr/bin/python3 tools/oracles/zarr_python.py
Writes packages/zarr/src/__fixtures__/zarr_reference.json.
"""
import gzip
import json
import os
import shutil
import struct
import subprocess

import numpy as np
import xarray as xr
import zarr
from numcodecs import Blosc, Zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "packages", "zarr", "src", "__fixtures__")


def clean(a):
    a = np.asarray(a)
    if a.dtype.kind in "US":
        return [str(x) for x in a.ravel()]
    if a.dtype.kind == "b":
        return [int(x) for x in a.ravel()]
    if a.dtype.kind == "M":
        return [str(x)[:19] for x in a.ravel()]
    return [None if not np.isfinite(x) else float(x) for x in a.astype("f8").ravel()]


def sample_dataset():
    rng = np.random.default_rng(13)
    time = np.array(["2001-01-01", "2001-01-02", "2001-01-03"], dtype="datetime64[ns]")
    lat = np.array([-7.5, -2.5, 2.5, 7.5])
    lon = np.arange(5) * 10.0 + 150
    sst = 20 + 8 * rng.random((3, 4, 5))
    sst[0, 1, 2] = np.nan
    sst[2, 3, :] = np.nan
    ds = xr.Dataset(
        {"sst": (("time", "lat", "lon"), sst, {"units": "degC", "long_name": "sea surface temperature"})},
        coords={"time": time, "lat": ("lat", lat, {"units": "degrees_north"}), "lon": ("lon", lon, {"units": "degrees_east"})},
        attrs={"title": "packed sst", "history": "tools/oracles/zarr_python.py"},
    )
    return ds


def write_xarray(name, compressor):
    path = os.path.join(FIX, name)
    shutil.rmtree(path, ignore_errors=True)
    enc = {"sst": {"dtype": "int16", "scale_factor": 0.01, "add_offset": 20.0, "_FillValue": -32767, "chunks": (2, 3, 5)}}
    if compressor is not None:
        enc["sst"]["compressor"] = compressor
    sample_dataset().to_zarr(path, encoding=enc, consolidated=True, mode="w")
    zarray = json.load(open(os.path.join(path, "sst", ".zarray")))
    zattrs = json.load(open(os.path.join(path, "sst", ".zattrs")))
    assert zarray["fill_value"] == -32767 and "_FillValue" not in zattrs, "fill value must be in .zarray only"
    return path


def write_zarr_python():
    path = os.path.join(FIX, "zp_raw.zarr")
    shutil.rmtree(path, ignore_errors=True)
    g = zarr.open_group(zarr.DirectoryStore(path), mode="w")
    g.attrs["source"] = "zarr-python"
    f = g.create("ford", shape=(5, 7), chunks=(2, 3), dtype="<f8", order="F", compressor=Zlib(level=3),
                 fill_value=-1.5, dimension_separator="/")
    f[:] = np.arange(35, dtype="f8").reshape(5, 7) / 4
    f.attrs["_ARRAY_DIMENSIONS"] = ["y", "x"]
    b = g.create("bigend", shape=(5, 7), chunks=(3, 4), dtype=">i4", compressor=Blosc(cname="zstd", clevel=3, shuffle=Blosc.BITSHUFFLE))
    b[:] = (np.arange(35).reshape(5, 7) - 17) * 100003
    b.attrs["_ARRAY_DIMENSIONS"] = ["y", "x"]
    m = g.create("mask", shape=(5, 7), chunks=(5, 7), dtype="|b1", compressor=None)
    m[:] = (np.arange(35).reshape(5, 7) % 3) == 0
    m.attrs["_ARRAY_DIMENSIONS"] = ["y", "x"]
    s = g.create("names", shape=(7,), chunks=(4,), dtype="<U5", compressor=Zlib())
    s[:] = ["a", "bb", "ccc", "dddd", "eeeee", "é", ""]
    s.attrs["_ARRAY_DIMENSIONS"] = ["x"]
    u = g.create("sparse", shape=(6,), chunks=(2,), dtype="|u1", fill_value=9, compressor=None)
    u[0:2] = [1, 2]
    u[4:6] = [5, 6]
    u.attrs["flag"] = True
    u.attrs["scales"] = [1.5, 2.5]
    sub = g.create_group("sub")
    sub.attrs["level"] = "ocean"
    d = sub.create("depth", shape=(3,), chunks=(2,), dtype="<f4", compressor=Zlib())
    d[:] = [5.0, 15.0, 25.0]
    d.attrs["_ARRAY_DIMENSIONS"] = ["z"]
    return path


def crc32c(data):
    poly = 0x82F63B78
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def put(path, key, data):
    full = os.path.join(path, key)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else json.dumps(data, indent=2).encode())


def gz(b):
    return gzip.compress(b, compresslevel=5, mtime=0)


def write_v3_hand():
    """A Zarr v3 store written from the specification, with the expected arrays returned."""
    path = os.path.join(FIX, "v3_hand.zarr")
    shutil.rmtree(path, ignore_errors=True)
    put(path, "zarr.json", {"zarr_format": 3, "node_type": "group", "attributes": {"title": "hand-made v3"}})
    expected = {}

    # temp: float32 (4, 6), chunks (3, 4) with partial edges, bytes(little) + gzip.
    temp = (np.arange(24, dtype="<f4").reshape(4, 6) * 0.5 - 3).astype("<f4")
    temp[1, 4] = np.nan
    put(path, "temp/zarr.json", {
        "zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "float32",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [3, 4]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": "NaN",
        "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 5}}],
        "attributes": {"units": "K"}, "dimension_names": ["y", "x"]})
    for ci in range(2):
        for cj in range(2):
            block = np.full((3, 4), np.nan, dtype="<f4")
            part = temp[ci * 3:ci * 3 + 3, cj * 4:cj * 4 + 4]
            block[:part.shape[0], :part.shape[1]] = part
            put(path, f"temp/c/{ci}/{cj}", gz(block.tobytes()))
    expected["temp"] = temp

    # counts: int16 big-endian, chunks (2, 6), chunk (1, 0) missing -> fill_value -1.
    counts = np.arange(24, dtype="i2").reshape(4, 6) * 3 - 20
    counts[2:4, :] = -1
    put(path, "counts/zarr.json", {
        "zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "int16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2, 6]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": -1,
        "codecs": [{"name": "bytes", "configuration": {"endian": "big"}}],
        "attributes": {}, "dimension_names": ["y", "x"]})
    put(path, "counts/c/0/0", counts[0:2].astype(">i2").tobytes())
    expected["counts"] = counts

    # sharded: uint16 (4, 6) in one shard (4, 6) of inner chunks (2, 3); inner chunk (1, 1)
    # absent (index entry 2^64-1) -> fill_value 7. Index: bytes(little) + crc32c, at the end.
    sharded = (np.arange(24).reshape(4, 6) * 11).astype("<u2")
    sharded[2:4, 3:6] = 7
    inner = [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "gzip", "configuration": {"level": 5}}]
    put(path, "sharded/zarr.json", {
        "zarr_format": 3, "node_type": "array", "shape": [4, 6], "data_type": "uint16",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 6]}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 7,
        "codecs": [{"name": "sharding_indexed", "configuration": {
            "chunk_shape": [2, 3], "codecs": inner,
            "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
            "index_location": "end"}}],
        "attributes": {"long_name": "sharded counts"}, "dimension_names": ["y", "x"]})
    body = b""
    index = []
    for ci in range(2):
        for cj in range(2):
            if (ci, cj) == (1, 1):
                index += [2**64 - 1, 2**64 - 1]
                continue
            chunk = gz(sharded[ci * 2:ci * 2 + 2, cj * 3:cj * 3 + 3].astype("<u2").tobytes())
            index += [len(body), len(chunk)]
            body += chunk
    idx = struct.pack("<8Q", *index)
    put(path, "sharded/c/0/0", body + idx + struct.pack("<I", crc32c(idx)))
    expected["sharded"] = sharded
    return path, expected


def describe_xarray(path):
    ds = xr.open_zarr(path, consolidated=None, mask_and_scale=True, decode_times=True)
    out = {"attrs": {k: v for k, v in ds.attrs.items()}, "variables": {}}
    for name in list(ds.variables):
        v = ds[name]
        out["variables"][name] = {"dims": list(v.dims), "shape": list(v.shape), "decoded": clean(v.values)}
    ds.close()
    return out


def describe_zarr(path):
    g = zarr.open_group(path, mode="r")
    out = {}
    for name, a in g.arrays():
        out[name] = {"shape": list(a.shape), "dtype": a.dtype.str, "fill_value": None if a.fill_value is None else clean([a.fill_value])[0] if a.dtype.kind not in "USb" else str(a.fill_value),
                     "raw": clean(a[...]), "attrs": dict(a.attrs)}
    return out


def write_zips():
    """The Blosc store zipped two ways: zarr-python's ZipStore (stored, keys at the root) and
    Python's zipfile with deflate under a top-level folder (as `zip -r` makes it)."""
    import zipfile
    src = os.path.join(FIX, "xr_packed_blosc.zarr")
    dst = os.path.join(FIX, "xr_packed_blosc.zarr.zip")
    if os.path.exists(dst):
        os.remove(dst)
    zs = zarr.ZipStore(dst, mode="w")
    zarr.copy_store(zarr.DirectoryStore(src), zs)
    zs.close()
    dst2 = os.path.join(FIX, "xr_packed_blosc_deflate.zip")
    with zipfile.ZipFile(dst2, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for dirpath, _, files in sorted(os.walk(src)):
            for f in sorted(files):
                full = os.path.join(dirpath, f)
                z.write(full, os.path.join("xr_packed_blosc.zarr", os.path.relpath(full, src)))
    # zarr-python reads its own zip back like the directory.
    g = zarr.open_consolidated(zarr.ZipStore(dst, mode="r"))
    assert (g["sst"][...] == zarr.open_group(src, mode="r")["sst"][...]).all()


def main():
    ref = {"zarr_python": zarr.__version__, "xarray": xr.__version__, "stores": {}}
    for name, comp in [("xr_packed_blosc.zarr", None), ("xr_packed_zlib.zarr", Zlib(level=4))]:
        p = write_xarray(name, comp)
        ref["stores"][name] = {"zarr": describe_zarr(p), "xarray": describe_xarray(p)}
        assert ref["stores"][name]["zarr"]["sst"]["dtype"] == "<i2"
    write_zips()
    p = write_zarr_python()
    ref["stores"]["zp_raw.zarr"] = {"zarr": describe_zarr(p), "sub": {"zarr": describe_zarr(os.path.join(p, "sub"))}}
    _, expected = write_v3_hand()
    ref["stores"]["v3_hand.zarr"] = {"expected": {k: {"shape": list(v.shape), "raw": clean(v)} for k, v in expected.items()}}
    subprocess.run(["npx", "tsx", os.path.join(ROOT, "packages", "zarr", "scripts", "write-fixture.ts")], check=True, cwd=ROOT)
    p = os.path.join(FIX, "geoml_v2.zarr")
    ref["stores"]["geoml_v2.zarr"] = {"zarr": describe_zarr(p), "xarray": describe_xarray(p)}
    with open(os.path.join(FIX, "zarr_reference.json"), "w") as fh:
        json.dump(ref, fh, indent=1, default=lambda o: o.item() if hasattr(o, "item") else str(o))
        fh.write("\n")
    print("wrote", os.path.join(FIX, "zarr_reference.json"))


if __name__ == "__main__":
    main()
