#!/usr/bin/python3
"""Build the committed NetCDF test corpus in datasets/netcdf/.

Originals come from Debian's libncarg-data (NCL example data, /usr/share/ncarg/data/cdf);
variants are made from them with nccopy (format kinds, deflate+shuffle, chunking) and
netCDF4-python (packed shorts, _Unsigned bytes, calendars). Deterministic: re-running
rewrites identical content (nccopy/HDF5 may differ in bookkeeping bytes only).

Run: /usr/bin/python3 tools/gen_netcdf_corpus.py
"""
import os
import shutil
import subprocess

import netCDF4
import numpy as np

NCL = "/usr/share/ncarg/data/cdf"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "datasets", "netcdf")


def out(name):
    return os.path.join(OUT, name)


def nccopy(args, src, dst):
    if os.path.exists(dst):
        os.remove(dst)
    subprocess.run(["nccopy", *args, src, dst], check=True)


def copy_originals():
    for name in ["sstdata_netcdf.nc", "landsea.nc", "hgt.nc", "uv300.nc"]:
        shutil.copyfile(os.path.join(NCL, name), out(name))


def format_variants():
    # 64-bit offset and CDF-5 kinds of the same grids.
    nccopy(["-k", "64-bit offset"], out("uv300.nc"), out("uv300_64bit.nc"))
    nccopy(["-k", "cdf5"], out("landsea.nc"), out("landsea_cdf5.nc"))
    # NetCDF-4 with deflate level 4, shuffle, and one chunk per time step.
    nccopy(
        ["-k", "nc4", "-d", "4", "-s", "-c", "time/1,latitude/46,longitude/91"],
        out("sstdata_netcdf.nc"),
        out("sst_nc4_deflate.nc"),
    )
    # The curvilinear POP ocean grid (2-D lat/lon), compressed to keep the corpus small.
    nccopy(["-k", "nc4", "-d", "5", "-s"], os.path.join(NCL, "pop.nc"), out("pop_nc4.nc"))
    # The NCL NetCDF-4 sample (groups, string attributes), temperature only, recompressed.
    nccopy(
        ["-k", "nc4", "-d", "5", "-s", "-V", "T,time,lev,lat,lon"],
        os.path.join(NCL, "nc4uvt.nc"),
        out("nc4uvt.nc"),
    )


def packed_sst():
    """sst as packed shorts with scale_factor/add_offset/_FillValue and a CF time axis."""
    src = netCDF4.Dataset(out("sstdata_netcdf.nc"))
    sst = src["sst"][:].filled(np.nan).astype("f8")
    lat = src["lat"][:]
    lon = src["lon"][:]
    src.close()
    dst_path = out("sst_packed.nc")
    dst = netCDF4.Dataset(dst_path, "w", format="NETCDF3_CLASSIC")
    dst.setncattr("Conventions", "CF-1.8")
    dst.setncattr("source", "sstdata_netcdf.nc (NCL), packed to int16")
    dst.createDimension("time", None)
    dst.createDimension("lat", len(lat))
    dst.createDimension("lon", len(lon))
    t = dst.createVariable("time", "f8", ("time",))
    t.units = "days since 1950-01-01 00:00:00"
    t.calendar = "noleap"
    t.standard_name = "time"
    # Mid-month of a 365-day year.
    t[:] = np.array([15.5, 45, 74.5, 105, 135.5, 166, 196.5, 227.5, 258, 288.5, 319, 349.5])
    la = dst.createVariable("lat", "f4", ("lat",))
    la.units = "degrees_north"
    la.standard_name = "latitude"
    la[:] = lat
    lo = dst.createVariable("lon", "f4", ("lon",))
    lo.units = "degrees_east"
    lo.standard_name = "longitude"
    lo[:] = lon
    v = dst.createVariable("sst", "i2", ("time", "lat", "lon"), fill_value=np.int16(-32767))
    v.set_auto_maskandscale(False)
    scale, offset = np.float32(0.001), np.float32(15.0)
    v.scale_factor = scale
    v.add_offset = offset
    v.units = "degC"
    v.standard_name = "sea_surface_temperature"
    v.missing_value = np.int16(-32767)
    packed = np.where(np.isnan(sst), -32767, np.round((sst - offset) / scale)).astype("i2")
    v[:] = packed
    dst.close()


def unsigned_mask():
    """The land-sea mask as _Unsigned bytes above 127, with a fill value, as HDF-EOS products store it."""
    src = netCDF4.Dataset(out("landsea.nc"))
    mask = np.asarray(src["LSMASK"][:]).astype("i2")
    lat = src["lat"][:]
    lon = src["lon"][:]
    src.close()
    dst = netCDF4.Dataset(out("landsea_unsigned.nc"), "w", format="NETCDF3_CLASSIC")
    dst.createDimension("lat", len(lat))
    dst.createDimension("lon", len(lon))
    dst.createVariable("lat", "f4", ("lat",))[:] = lat
    dst["lat"].units = "degrees_north"
    dst.createVariable("lon", "f4", ("lon",))[:] = lon
    dst["lon"].units = "degrees_east"
    # A fill of -1 is 255 once the bytes are read as unsigned.
    v = dst.createVariable("mask", "i1", ("lat", "lon"), fill_value=np.int8(-1))
    v.set_auto_maskandscale(False)
    v.setncattr("_Unsigned", "true")
    v.long_name = "land_sea_mask * 50 + 2, 255 = fill"
    stored = (mask * 50 + 2).astype("u1")
    stored[0, :] = 255  # the southernmost row is fill
    v[:] = stored.view("i1")
    dst.close()


def calendars():
    """One coordinate per CF calendar, including dates before the 1582 Gregorian switch."""
    cals = {
        "standard": ("days since 1582-10-01 12:00:00", [0, 3, 4, 5, 365.25, -1000.5]),
        "gregorian": ("hours since 1900-01-01", [0, 24 * 59, 24 * 60, 1e6, 876576.5]),
        "proleptic_gregorian": ("days since 1582-10-01", [0, 3, 4, 14, -730000]),
        "julian": ("days since 1900-01-01", [0, 59, 60, 36524, -5]),
        "noleap": ("days since 0001-01-01", [0, 58, 59, 364, 365, 730000.25]),
        "365_day": ("minutes since 2000-02-28 23:00", [0, 60, 120, 1440 * 400]),
        "all_leap": ("days since 1900-01-01", [0, 59, 60, 365, 366]),
        "366_day": ("seconds since 1999-12-31 23:59:59", [0, 1, 86400 * 366, 1.5]),
        "360_day": ("days since 2000-01-01", [0, 29, 30, 359, 360, 719.75]),
    }
    dst = netCDF4.Dataset(out("calendars.nc"), "w", format="NETCDF3_64BIT_OFFSET")
    for cal, (units, values) in cals.items():
        dim = f"t_{cal}"
        dst.createDimension(dim, len(values))
        t = dst.createVariable(dim, "f8", (dim,))
        t.units = units
        t.calendar = cal
        t[:] = np.array(values, dtype="f8")
        d = dst.createVariable(f"x_{cal}", "f4", (dim,))
        d[:] = np.arange(len(values), dtype="f4")
    dst.close()


def all_types():
    """Every CDF-5 external type (byte … uint64) with fills, in the 64-bit data format."""
    dst = netCDF4.Dataset(out("types_cdf5.nc"), "w", format="NETCDF3_64BIT_DATA")
    dst.createDimension("rec", None)
    dst.createDimension("x", 5)
    specs = {
        "i1": [-128, -1, 0, 1, 127],
        "u1": [0, 1, 128, 254, 255],
        "i2": [-32768, -1, 0, 1, 32767],
        "u2": [0, 1, 32768, 65534, 65535],
        "i4": [-2147483648, -1, 0, 1, 2147483647],
        "u4": [0, 1, 2147483648, 4294967294, 4294967295],
        "i8": [-(2**53), -1, 0, 1, 2**53],
        "u8": [0, 1, 2**32, 2**52, 2**53],
        "f4": [-1.5, 0.0, 3.25, 1e30, -1e-30],
        "f8": [-1.5, 0.0, 3.25, 1e300, -1e-300],
    }
    for code, values in specs.items():
        v = dst.createVariable(f"v_{code}", code, ("rec", "x"), fill_value=np.array(values[1], dtype=code))
        v.set_auto_maskandscale(False)
        v[0, :] = np.array(values, dtype=code)
        v[1, :] = np.array(values[::-1], dtype=code)
    dst.close()


def main():
    os.makedirs(OUT, exist_ok=True)
    copy_originals()
    format_variants()
    packed_sst()
    unsigned_mask()
    calendars()
    all_types()
    for name in sorted(os.listdir(OUT)):
        if name.endswith(".nc"):
            kind = subprocess.run(["ncdump", "-k", out(name)], capture_output=True, text=True)
            print(f"{name:28s} {os.path.getsize(out(name)):>9d}  {kind.stdout.strip()}")


if __name__ == "__main__":
    main()
