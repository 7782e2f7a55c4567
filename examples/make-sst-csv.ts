// Writes datasets/csv/sst_cells.csv: every ocean cell of the STR SST climatology for
// January and July, with latitude, longitude, month, SST and whether the water is warm
// (SST ≥ 26.5 °C). A small table for the command-line examples (`geoml fit --data`).
// Run from the repository root: npx tsx examples/make-sst-csv.ts
import { writeFileSync } from "node:fs";
import { openNetcdf } from "@geoml/netcdf";

const ds = await openNetcdf("datasets/netcdf/sstdata_netcdf.nc");
const lat = Float64Array.from((await ds.read("lat")).data as Float32Array);
const lon = Float64Array.from((await ds.read("lon")).data as Float32Array);
const sst = await ds.read("sst");
await ds.close();
const mask = await openNetcdf("datasets/netcdf/landsea.nc");
const ls = await mask.read("LSMASK");
await mask.close();
const lsLat = ls.coords.lat.values as Float64Array;
const lsLon = ls.coords.lon.values as Float64Array;
const nearest = (values: Float64Array, v: number) => {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if (Math.abs(values[i] - v) < Math.abs(values[best] - v)) best = i;
  return best;
};

const [, ny, nx] = sst.shape;
const rows = ["lat,lon,month,coslat,sst,warm"];
for (const month of [1, 7]) {
  for (let i = 0; i < ny; i++) {
    // Every other column keeps the file small; the last column repeats the first.
    for (let j = 0; j < nx - 1; j += 2) {
      const a = nearest(lsLat, lat[i]);
      const b = nearest(lsLon, lon[j]); // both grids run 0…360°E
      if ((ls.data as ArrayLike<number>)[a * lsLon.length + b] !== 0) continue; // not ocean
      const v = (sst.data as ArrayLike<number>)[((month - 1) * ny + i) * nx + j];
      if (!Number.isFinite(v)) continue;
      const coslat = Math.cos((lat[i] * Math.PI) / 180);
      rows.push(
        `${lat[i]},${lon[j]},${month},${coslat.toFixed(6)},${v.toFixed(2)},${v >= 26.5 ? 1 : 0}`,
      );
    }
  }
}
writeFileSync("datasets/csv/sst_cells.csv", `${rows.join("\n")}\n`);
console.log(`datasets/csv/sst_cells.csv: ${rows.length - 1} rows`);
