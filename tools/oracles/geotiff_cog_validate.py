"""GDAL's verdict on the Cloud-Optimized GeoTIFFs @geoml/geotiff writes.

For every file in packages/geotiff/src/__fixtures__/cog/ (made by
`npx tsx packages/geotiff/src/testing/write-samples.ts`) this runs GDAL's own COG
validator (osgeo_utils.samples.validate_cloud_optimized_geotiff, with the full check
of block leaders and trailers) and records what GDAL reads: layout, compression,
predictor, block and overview sizes, per band the description, nodata, scale, offset,
and on every resolution level the valid count, min, max and mean of the decoded values
(nodata masked, scale/offset applied).

    /usr/bin/python3 tools/oracles/geotiff_cog_validate.py

Output: packages/geotiff/src/__fixtures__/cog_validation.json (deterministic).
"""

import json
import os

import numpy as np
from osgeo import gdal
from osgeo_utils.samples import validate_cloud_optimized_geotiff as cog

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "packages", "geotiff", "src", "__fixtures__")


def stats(band, scale, offset):
    raw = band.ReadAsArray().astype(np.float64)
    valid = band.GetMaskBand().ReadAsArray() != 0
    values = raw[valid] * scale + offset
    return {
        "valid": int(values.size),
        "min": float(values.min()),
        "max": float(values.max()),
        "mean": float(values.mean()),
    }


def describe(path):
    warnings, errors, details = cog.validate(path, full_check=True)
    ds = gdal.Open(path)
    structure = ds.GetMetadata("IMAGE_STRUCTURE")
    bands = []
    for i in range(1, ds.RasterCount + 1):
        b = ds.GetRasterBand(i)
        scale = b.GetScale() or 1.0
        offset = b.GetOffset() or 0.0
        nodata = b.GetNoDataValue()
        levels = [stats(b, scale, offset)]
        levels += [stats(b.GetOverview(k), scale, offset) for k in range(b.GetOverviewCount())]
        bands.append(
            {
                "description": b.GetDescription(),
                "nodata": "nan" if nodata is not None and nodata != nodata else nodata,
                "scale": scale,
                "offset": offset,
                "block": list(b.GetBlockSize()),
                "overviews": [
                    [b.GetOverview(k).XSize, b.GetOverview(k).YSize]
                    for k in range(b.GetOverviewCount())
                ],
                "levels": levels,
            }
        )
    return {
        "valid_cog": len(errors) == 0,
        "errors": errors,
        "warnings": warnings,
        "ifd_offsets": details.get("ifd_offsets"),
        "layout": structure.get("LAYOUT"),
        "compression": structure.get("COMPRESSION"),
        "predictor": structure.get("PREDICTOR"),
        "size": [ds.RasterXSize, ds.RasterYSize],
        "geotransform": list(ds.GetGeoTransform()),
        "bands": bands,
    }


def main():
    folder = os.path.join(FIXTURES, "cog")
    out = {f: describe(os.path.join(folder, f)) for f in sorted(os.listdir(folder)) if f.endswith(".tif")}
    with open(os.path.join(FIXTURES, "cog_validation.json"), "w") as fh:
        json.dump(out, fh, indent=1, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
