// Writes the writer sample for tools/oracles/netcdf_writer.py to check with ncdump and xarray.
import { writeNetcdf } from "../src/nc3/writer.js";
import { sampleResults } from "../src/sample.js";

const path = process.argv[2];
if (path === undefined) {
  console.error("usage: tsx scripts/write-sample.ts OUT.nc");
  process.exit(2);
}
const { arrays, options } = sampleResults();
await writeNetcdf(path, arrays, options);
