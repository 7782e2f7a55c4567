import {
  anomaly,
  areaWeights,
  assignAttrs,
  DataArray,
  fillna,
  groupby,
  interpolateNa,
  isGridError,
  resample,
  rolling,
  sel,
  sub,
  weighted,
  where,
} from "./index.js";

/** The analysis example of the README (kept verbatim there; run by readme.test.ts). */
export function readmeAnalysis() {
  // Three years of monthly SST (noleap calendar) on a 3 × 4 grid, in kelvin, one gap.
  const nt = 36;
  const sstK = new DataArray({
    name: "sst",
    dims: ["time", "lat", "lon"],
    shape: [nt, 3, 4],
    data: Float32Array.from({ length: nt * 12 }, (_, i) =>
      i === 40
        ? Number.NaN
        : 290 + 5 * Math.sin((2 * Math.PI * Math.floor(i / 12)) / 12) + (i % 12) / 10,
    ),
    coords: {
      time: {
        dims: ["time"],
        values: Float64Array.from({ length: nt }, (_, i) => (i * 365) / 12 + 15),
        attrs: { units: "days since 2000-01-01", calendar: "noleap" },
      },
      lat: {
        dims: ["lat"],
        values: Float64Array.of(-20, 0, 20),
        attrs: { units: "degrees_north" },
      },
      lon: {
        dims: ["lon"],
        values: Float64Array.of(0, 90, 180, 270),
        attrs: { units: "degrees_east" },
      },
    },
    attrs: { units: "K", standard_name: "sea_surface_temperature" },
  });

  // Arithmetic with scalars keeps float32 and, like xarray, drops attributes; typed data
  // need no cast.
  const sst = assignAttrs(sub(sstK, 273.15), {
    units: "degC",
    standard_name: "sea_surface_temperature",
  });
  const first: Float32Array = sst.data;

  // Selection is exact by default; ask for nearest explicitly (with a tolerance).
  let error = "";
  try {
    sel(sst, { time: "2000-03-15" });
  } catch (e) {
    if (isGridError(e, "INVALID_SELECTION")) error = e.message;
  }
  const march = sel(sst, { time: "2000-03-15" }, { method: "nearest", tolerance: 20 });
  const year2001 = sel(sst, { time: "2001" }); // a period keeps the dim: 12 steps

  // A land mask stored north-to-south still lines up: arrays combine by label.
  const ocean = new DataArray({
    name: "ocean",
    dims: ["lat", "lon"],
    shape: [3, 4],
    data: Uint8Array.of(1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1),
    coords: { lat: { dims: ["lat"], values: Float64Array.of(20, 0, -20), attrs: {} } },
  });
  const seaOnly = where(sst, ocean);

  // Seasons, yearly means, anomalies, weighted means and smoothing, gaps filled.
  const seasonal = groupby(seaOnly, "time.season").mean(); // dims (season, lat, lon)
  const yearly = resample(seaOnly, "year").mean(); // time labels 2000-01-01, 2001-01-01, …
  const anom = anomaly(seaOnly); // standard_name dropped, units kept
  const globalMean = weighted(seaOnly, areaWeights(seaOnly)).mean(["lat", "lon"]);
  const smooth = rolling(globalMean, { time: 12 }, { center: true, minPeriods: 6 }).mean();
  const filled = fillna(interpolateNa(seaOnly, "time"), -999);

  return {
    first,
    error,
    march,
    year2001,
    seaOnly,
    seasonal,
    yearly,
    anom,
    globalMean,
    smooth,
    filled,
  };
}
