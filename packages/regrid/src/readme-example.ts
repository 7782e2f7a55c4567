import { DataArray } from "@geoml/grid";
import { globalGrid, gridOf, Regridder, toScrip } from "./index.js";

/** The README example, run by `readme.test.ts` so the documentation cannot go stale. */
export function readmeExample() {
  // A 30° field over (time, lat, lon) with one missing (land) cell.
  const lat = Float64Array.from([-75, -45, -15, 15, 45, 75]);
  const lon = Float64Array.from({ length: 12 }, (_, i) => 15 + 30 * i);
  const data = Float64Array.from(
    { length: 2 * 72 },
    (_, k) => 280 + (k % 72) / 10 + 5 * Math.floor(k / 72),
  );
  data[30] = Number.NaN;
  const sst = new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [2, 6, 12],
    data,
    coords: {
      time: {
        dims: ["time"],
        values: Float64Array.from([0, 31]),
        attrs: { units: "days since 2000-01-01" },
      },
      lat: { dims: ["lat"], values: lat, attrs: { units: "degrees_north" } },
      lon: { dims: ["lon"], values: lon, attrs: { units: "degrees_east" } },
    },
    attrs: { units: "K" },
  });

  // Weights are computed once (a sparse matrix) and applied to every time step.
  const regridder = new Regridder(gridOf(sst), globalGrid(10), { method: "conservative" });
  const { data: onTenDegrees, fraction } = regridder.regridWithFraction(sst);

  // Cells partly over land keep the mean of their valid part; ask for 60 % cover instead.
  const strict = regridder.regrid(sst, { minCoverage: 0.6 });

  // SCRIP weights for `cdo remap` (write them with @geoml/netcdf's writeNetcdf).
  const scrip = toScrip(regridder.weights, regridder.source, regridder.target);

  return { onTenDegrees, fraction, strict, scrip };
}
