// Writes the writer sample for tools/oracles/netcdf_writer.py (NetCDF-3) and
// tools/oracles/netcdf4_writer.py (with --netcdf4) to check with ncdump and xarray.
import { writeNetcdf } from "../src/nc3/writer.js";
import { sampleResults, sampleResults4 } from "../src/sample.js";

const args = process.argv.slice(2);
const netcdf4 = args.includes("--netcdf4");
const path = args.find((a) => !a.startsWith("--"));
if (path === undefined) {
  console.error("usage: tsx scripts/write-sample.ts [--netcdf4] OUT.nc");
  process.exit(2);
}
const { arrays, options } = netcdf4 ? sampleResults4() : sampleResults();
await writeNetcdf(path, arrays, options);
