import { areaWeights, DataArray, decodeTimes, fromTable, mean, sel, toTable } from "./index.js";

/** The README example, run by `readme.test.ts` so the documentation cannot go stale. */
export function readmeExample() {
  // A tiny monthly SST field on a 0–360° grid, with one land cell (NaN).
  const time = Float64Array.from([15.5, 45, 74.5]);
  const sst = new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [3, 2, 4],
    data: Float64Array.from({ length: 24 }, (_, i) => (i % 8 === 5 ? Number.NaN : 20 + (i % 8))),
    coords: {
      time: {
        dims: ["time"],
        values: time,
        attrs: { units: "days since 2000-01-01", calendar: "noleap" },
        times: decodeTimes(time, "days since 2000-01-01", "noleap").map((t) => t!),
      },
      lat: {
        dims: ["lat"],
        values: Float64Array.from([-30, 30]),
        attrs: { units: "degrees_north" },
      },
      lon: {
        dims: ["lon"],
        values: Float64Array.from([0, 90, 180, 270]),
        attrs: { units: "degrees_east" },
      },
    },
  });

  // Label selection wraps longitudes: −90…90 on a 0–360 grid.
  const atlantic = sel(sst, { lon: { from: -90, to: 90 } });

  // Area-weighted mean over the globe for each month (NaN cells skipped).
  const globalMean = mean(sst, ["lat", "lon"], areaWeights(sst));

  // Grid → table for a model, then predictions back onto the grid.
  const table = toTable(sst, { coords: ["lat", "lon"], features: ["doy_sin", "doy_cos"] });
  const predictions = table.columns.sst.map((v) => v + 0.5);
  const onGrid = fromTable(predictions, table.index, { name: "prediction" });

  return { atlantic, globalMean, table, onGrid };
}
