"""Reference values for @geoml/geotiff, read with GDAL.

For every file of the corpus in datasets/geotiff/ (made by geotiff_make_corpus.py) this
records what GDAL reads: size, band count, data type, geotransform, EPSG code, nodata,
scale/offset, overview sizes, and per band — after masking nodata and applying
scale/offset — the valid count, sum, min, max and mean, sample cells (raw and decoded),
and the same statistics over a fixed window and on each overview level.

It also reads back the files our writer produced (packages/geotiff/src/__fixtures__/
written/*.tif, made by `npx tsx packages/geotiff/src/testing/write-samples.ts`), so the
tests can check that GDAL sees exactly what we meant to write.

    /usr/bin/python3 tools/oracles/geotiff_gdal.py

Output: packages/geotiff/src/__fixtures__/gdal_reference.json (deterministic).
"""

import json
import math
import os

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "datasets", "geotiff")
FIXTURES = os.path.join(ROOT, "packages", "geotiff", "src", "__fixtures__")
WINDOW = (10, 5, 40, 30)  # x, y, width, height

DTYPES = {
    gdal.GDT_Byte: "uint8",
    gdal.GDT_Int8 if hasattr(gdal, "GDT_Int8") else -1: "int8",
    gdal.GDT_UInt16: "uint16",
    gdal.GDT_Int16: "int16",
    gdal.GDT_UInt32: "uint32",
    gdal.GDT_Int32: "int32",
    gdal.GDT_Float32: "float32",
    gdal.GDT_Float64: "float64",
}


def num(v):
    """A JSON-safe float: NaN becomes None."""
    v = float(v)
    return None if math.isnan(v) else v


def decode(raw, band):
    """Values as GDAL users see them: nodata and NaN masked, then raw * scale + offset."""
    nodata = band.GetNoDataValue()
    data = raw.astype(np.float64)
    valid = ~np.isnan(data)
    if nodata is not None and not math.isnan(nodata):
        if raw.dtype == np.float32:
            nodata = float(np.float32(nodata))
        valid &= data != nodata
    scale = band.GetScale()
    offset = band.GetOffset()
    scale = 1.0 if scale is None else scale
    offset = 0.0 if offset is None else offset
    return np.where(valid, data * scale + offset, np.nan), valid


def stats(decoded, valid):
    n = int(valid.sum())
    vals = decoded[valid]
    if n == 0:
        return {"validCount": 0, "sum": 0.0, "min": None, "max": None, "mean": None}
    # math.fsum: an exactly rounded sum, so float-precision comparisons are meaningful
    s = math.fsum(vals.tolist())
    return {"validCount": n, "sum": s, "min": float(vals.min()), "max": float(vals.max()), "mean": s / n}


def epsg_of(ds):
    wkt = ds.GetProjection()
    if not wkt:
        return None
    srs = osr.SpatialReference(wkt=wkt)
    srs.AutoIdentifyEPSG()
    code = srs.GetAuthorityCode("PROJCS") or srs.GetAuthorityCode("GEOGCS") or srs.GetAuthorityCode(None)
    return int(code) if code else None


def describe(path, samples=16):
    ds = gdal.Open(path)
    rng = np.random.default_rng(20240601)
    w, h = ds.RasterXSize, ds.RasterYSize
    rows = rng.integers(0, h, samples).tolist()
    cols = rng.integers(0, w, samples).tolist()
    gt = list(ds.GetGeoTransform(can_return_null=True) or [])
    out = {
        "width": w,
        "height": h,
        "bands": ds.RasterCount,
        "geotransform": gt or None,
        "epsg": epsg_of(ds),
        "x": [gt[0] + (j + 0.5) * gt[1] for j in (0, w - 1)] if gt else None,
        "y": [gt[3] + (i + 0.5) * gt[5] for i in (0, h - 1)] if gt else None,
        "band": [],
    }
    b1 = ds.GetRasterBand(1)
    out["overviews"] = [
        [b1.GetOverview(k).XSize, b1.GetOverview(k).YSize] for k in range(b1.GetOverviewCount())
    ]
    for k in range(1, ds.RasterCount + 1):
        band = ds.GetRasterBand(k)
        raw = band.ReadAsArray()
        decoded, valid = decode(raw, band)
        x, y, ww, wh = WINDOW
        wd, wv = decoded[y : y + wh, x : x + ww], valid[y : y + wh, x : x + ww]
        entry = {
            "dtype": DTYPES[band.DataType],
            "nodata": None if band.GetNoDataValue() is None else (
                "nan" if math.isnan(band.GetNoDataValue()) else band.GetNoDataValue()
            ),
            "scale": band.GetScale(),
            "offset": band.GetOffset(),
            "units": band.GetUnitType() or None,
            "stats": stats(decoded, valid),
            "window": stats(wd, wv),
            "samples": [
                [r, c, num(raw[r, c]), num(decoded[r, c])] for r, c in zip(rows, cols)
            ],
            "overviewStats": [],
        }
        for o in range(band.GetOverviewCount()):
            ov = band.GetOverview(o)
            # overview bands carry no nodata/scale of their own; GDAL applies the parent's
            od, ovv = decode(ov.ReadAsArray(), band)
            entry["overviewStats"].append(stats(od, ovv))
        out["band"].append(entry)
    ds = None
    return out


def main():
    ref = {"window": dict(zip(["x", "y", "width", "height"], WINDOW)), "corpus": {}, "written": {}}
    for f in sorted(os.listdir(CORPUS)):
        if f.endswith(".tif"):
            ref["corpus"][f] = describe(os.path.join(CORPUS, f))
    written = os.path.join(FIXTURES, "written")
    if os.path.isdir(written):
        for f in sorted(os.listdir(written)):
            if f.endswith(".tif"):
                ref["written"][f] = describe(os.path.join(written, f))
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "gdal_reference.json"), "w") as fh:
        json.dump(ref, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print("wrote", len(ref["corpus"]), "corpus and", len(ref["written"]), "written files")


if __name__ == "__main__":
    main()
    os._exit(0)  # skip GDAL's teardown, which can crash the interpreter at exit
