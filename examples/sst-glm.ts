// Fit a Gaussian GLM of July SST on latitude, with the shipped SST climatology
// (this file fills land cells; see apps/sst-demo for masking them with a land–sea mask).
import { DataArray, toTable } from "@geoml/grid";
import { glm } from "@geoml/models";
import { openNetcdf } from "@geoml/netcdf";

const ds = await openNetcdf("datasets/netcdf/sstdata_netcdf.nc");
const lat = await ds.read("lat");
const july = await ds.read("sst", { isel: { time: 6 } }); // dims latitude, longitude
await ds.close();

// The file names its coordinate variables lat/lon; attach them to their dimensions.
const sst = new DataArray({
  name: "sst",
  dims: [...july.dims],
  shape: [...july.shape],
  data: july.data,
  coords: {
    latitude: {
      dims: ["latitude"],
      values: Float64Array.from(lat.data as Float32Array),
      attrs: {},
    },
  },
});
const table = toTable(sst, { coords: ["latitude"] });
const coslat = table.columns.latitude.map((phi) => Math.cos((phi * Math.PI) / 180));
const fit = glm({ family: "gaussian" }).fit({
  formula: "sst ~ coslat + I(coslat ** 2)",
  data: { ...table.columns, coslat },
  weights: coslat, // cell area ∝ cos(latitude)
});
console.log(fit.summary());
