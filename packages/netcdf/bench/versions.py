"""Prints the versions of the Python peers of the NetCDF benchmarks on one line."""
import subprocess

import netCDF4
import numpy
import xarray

v = xarray.__version__
if v == "999":  # Debian's package does not record its version in the module
    q = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-xarray"], capture_output=True, text=True)
    v = q.stdout.split("-")[0] or v
print(f"xarray {v}, NumPy {numpy.__version__}, netCDF4-python {netCDF4.__version__} (libnetcdf {netCDF4.__netcdf4libversion__})")
