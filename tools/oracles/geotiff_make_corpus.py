"""Build the GeoTIFF test corpus in datasets/geotiff/ from NCL example NetCDF files.

The sources are Debian's libncarg-data files in /usr/share/ncarg/data/cdf/: the STR
SST climatology (sst30e_netcdf.nc, 2° grid, 12 months), the 1° land-sea mask
(landsea.nc) and a sea-ice concentration series (fice.nc). Every variant is written
with GDAL (gdal.Translate / gdal.Warp take the same options as gdal_translate /
gdalwarp) and exercises one storage feature a reader must handle; see
datasets/geotiff/README.md.

    /usr/bin/python3 tools/oracles/geotiff_make_corpus.py

Re-running rewrites the same files. Then run tools/oracles/geotiff_gdal.py to refresh
the reference values.
"""

import os
import shutil
import tempfile

import netCDF4
import numpy as np
from osgeo import gdal

gdal.UseExceptions()
gdal.SetConfigOption("GDAL_PAM_ENABLED", "NO")  # no .aux.xml side files

CDF = "/usr/share/ncarg/data/cdf"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "datasets", "geotiff")
TMP = tempfile.mkdtemp()


def out(name):
    return os.path.join(OUT, name)


def tmp(name):
    return os.path.join(TMP, name)


def masked_sst():
    """SST (12, 91, 181) north-up with land cells (from landsea.nc) set to -999."""
    with netCDF4.Dataset(f"{CDF}/sst30e_netcdf.nc") as nc:
        nc.set_auto_mask(False)
        sst = nc["sst"][:].astype(np.float32)  # (time, lat, lon), lat south→north
        lat = nc["lat"][:].astype(np.float64)
        lon = nc["lon"][:].astype(np.float64)
    with netCDF4.Dataset(f"{CDF}/landsea.nc") as nc:
        nc.set_auto_mask(False)
        mask = nc["LSMASK"][:]  # (180, 360), 1° cells, lat centres -89.5..89.5, lon 0.5..359.5
    # the 1° cell holding each 2° SST centre (clamped at the poles)
    i = np.clip(np.floor(lat + 90).astype(int), 0, 179)
    j = np.floor(lon % 360).astype(int) % 360
    land = mask[np.ix_(i, j)] != 0
    sst[:, land] = -999.0
    return sst[:, ::-1, :]  # north-up


def write(path, data, geotransform, nodata, options, scale=None, offset=None, dtype=None):
    bands, rows, cols = data.shape
    gtype = dtype or gdal.GDT_Float32
    ds = gdal.GetDriverByName("GTiff").Create(path, cols, rows, bands, gtype, options)
    ds.SetGeoTransform(geotransform)
    ds.SetProjection("EPSG:4326")
    for k in range(bands):
        band = ds.GetRasterBand(k + 1)
        band.SetNoDataValue(nodata)
        if scale is not None:
            band.SetScale(scale)
            band.SetOffset(offset)
        band.WriteArray(data[k])
    ds = None


def main():
    os.makedirs(OUT, exist_ok=True)
    # 2° cells whose centres run 30..390 °E and 90 °N..90 °S
    gt = (29.0, 2.0, 0.0, 91.0, 0.0, -2.0)
    sst = masked_sst()
    base = tmp("sst_masked.tif")
    write(base, sst, gt, -999.0, [])

    # 1. float32, deflate + floating-point predictor, tiled, two bands (Jan, Jul), band-interleaved
    gdal.Translate(
        out("sst_f32_deflate_pred3_tiled.tif"),
        base,
        options="-b 1 -b 7 -co COMPRESS=DEFLATE -co PREDICTOR=3 -co TILED=YES "
        "-co BLOCKXSIZE=64 -co BLOCKYSIZE=32 -co INTERLEAVE=BAND",
    )
    # 2. float32, LZW, striped (8 rows per strip), one band (March)
    gdal.Translate(
        out("sst_f32_lzw_striped.tif"), base, options="-b 3 -co COMPRESS=LZW -co BLOCKYSIZE=8"
    )
    # 3. int16 packed with GDAL scale/offset metadata (physical = raw * 0.001 + 15),
    #    LZW + horizontal differencing predictor, 12 bands pixel-interleaved, tiled
    packed = np.where(sst == -999.0, -32768, np.round((sst - 15.0) / 0.001)).astype(np.int16)
    write(
        out("sst_i16_scaled_lzw_pred2.tif"),
        packed,
        gt,
        -32768,
        ["COMPRESS=LZW", "PREDICTOR=2", "INTERLEAVE=PIXEL", "TILED=YES", "BLOCKXSIZE=32", "BLOCKYSIZE=32"],
        scale=0.001,
        offset=15.0,
        dtype=gdal.GDT_Int16,
    )
    # 4. land-sea mask, uint8, PackBits, striped (landsea.nc is a georeferenced 1° grid)
    landsea = f"NETCDF:{CDF}/landsea.nc:LSMASK"
    gdal.Translate(
        out("landsea_u8_packbits.tif"), landsea, options="-a_srs EPSG:4326 -ot Byte -co COMPRESS=PACKBITS"
    )
    # 5. Zstandard + floating-point predictor, tiled, one band (September)
    gdal.Translate(
        out("sst_f32_zstd.tif"),
        base,
        options="-b 9 -co COMPRESS=ZSTD -co PREDICTOR=3 -co TILED=YES -co BLOCKXSIZE=32 -co BLOCKYSIZE=32",
    )
    # 6. uncompressed BigTIFF, three bands
    gdal.Translate(out("sst_f32_bigtiff.tif"), base, options="-b 1 -b 2 -b 3 -co BIGTIFF=YES")
    # 7. Cloud-Optimized GeoTIFF: land-sea mask at 0.5° (nearest), 128x128 blocks, deflate,
    #    nearest-neighbour overviews 360x180, 180x90, …
    half = tmp("landsea_half.tif")
    gdal.Translate(half, landsea, options="-a_srs EPSG:4326 -ot Byte -outsize 720 360 -r near")
    gdal.Translate(
        out("landsea_cog.tif"),
        half,
        options="-of COG -co BLOCKSIZE=128 -co COMPRESS=DEFLATE -co OVERVIEW_RESAMPLING=NEAREST",
    )
    # 8. projected CRS: July SST warped to Web Mercator (EPSG:3857), 200 km cells, ±70°
    july = tmp("sst_july.tif")
    gdal.Translate(july, base, options="-b 7 -projwin 29 85 391 -85")  # web mercator stops short of the poles
    gdal.Warp(
        out("sst_f32_mercator.tif"),
        july,
        options="-t_srs EPSG:3857 -te -20037508 -11000000 20037508 11000000 "
        "-tr 200000 200000 -r near -dstnodata -9999 -co COMPRESS=DEFLATE -co PREDICTOR=3",
    )
    # 9. float64, pixel-interleaved, two bands, deflate + floating-point predictor (which then
    #    differences across the samples of a pixel), nodata NaN (sea-ice concentration, land NaN)
    with netCDF4.Dataset(f"{CDF}/fice.nc") as nc:
        nc.set_auto_mask(False)
        fice = nc["fice"][[0, 59]].astype(np.float64)
        hlat = nc["hlat"][:]
        hlon = nc["hlon"][:]
    fice[fice >= 1e35] = np.nan
    # ice concentration means nothing over land: mask land cells of landsea.nc as NaN
    with netCDF4.Dataset(f"{CDF}/landsea.nc") as nc:
        nc.set_auto_mask(False)
        mask = nc["LSMASK"][:]
    i = np.clip(np.floor(hlat + 90).astype(int), 0, 179)
    j = np.floor(hlon % 360).astype(int) % 360
    fice[:, mask[np.ix_(i, j)] == 1] = np.nan
    if hlat[0] < hlat[-1]:
        fice = fice[:, ::-1, :]
    dlat = float(abs(hlat[1] - hlat[0]))
    dlon = float(hlon[1] - hlon[0])
    write(
        out("fice_f64_nan.tif"),
        fice,
        (float(hlon[0]) - dlon / 2, dlon, 0.0, float(max(hlat[0], hlat[-1])) + dlat / 2, 0.0, -dlat),
        float("nan"),
        ["INTERLEAVE=PIXEL", "COMPRESS=DEFLATE", "PREDICTOR=3"],
        dtype=gdal.GDT_Float64,
    )
    # 10. big-endian (Motorola byte order), deflate, tiled, one band (November)
    gdal.Translate(
        out("sst_f32_bigendian.tif"),
        base,
        options="-b 11 -co ENDIANNESS=BIG -co COMPRESS=DEFLATE -co TILED=YES -co BLOCKXSIZE=64 -co BLOCKYSIZE=64",
    )
    # 11. PixelIsPoint: the land-sea mask with AREA_OR_POINT=Point (GeoKey GTRasterType = 2);
    #     GDAL shifts the tie point by half a pixel and so must we
    gdal.Translate(
        out("landsea_u8_pixelispoint.tif"),
        out("landsea_u8_packbits.tif"),
        options="-mo AREA_OR_POINT=Point -co COMPRESS=PACKBITS",
    )
    for f in sorted(os.listdir(OUT)):
        if f.endswith(".tif"):
            print(f, os.path.getsize(out(f)))


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)  # the intermediate files
    os._exit(0)  # skip GDAL's teardown, which can crash the interpreter at exit
