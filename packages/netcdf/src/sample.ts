import { DataArray } from "@geoml/grid";
import type { WriteOptions } from "./nc3/writer.js";

/**
 * A small, deterministic set of model results used to check the writer against ncdump and
 * xarray: predictions over (time, lat, lon) with a masked cell and a noleap time axis,
 * per-cell coefficients packed to int16, and residuals on a curvilinear 2-D grid.
 */
export function sampleResults(): { arrays: DataArray[]; options: WriteOptions } {
  const nt = 3;
  const ny = 4;
  const nx = 5;
  const lat = Float64Array.from({ length: ny }, (_, i) => -45 + 30 * i);
  const lon = Float64Array.from({ length: nx }, (_, i) => 72 * i);
  const time = Float64Array.from([15.5, 45, 74.5]);
  const pred = new Float32Array(nt * ny * nx);
  for (let i = 0; i < pred.length; i++) pred[i] = 280 + Math.sin(i / 3) * 5;
  pred[7] = Number.NaN; // a land cell
  const coords = {
    time: {
      dims: ["time"],
      values: time,
      attrs: { units: "days since 2000-01-01 00:00:00", calendar: "noleap", standard_name: "time" },
    },
    lat: {
      dims: ["lat"],
      values: lat,
      attrs: { units: "degrees_north", standard_name: "latitude" },
    },
    lon: {
      dims: ["lon"],
      values: lon,
      attrs: { units: "degrees_east", standard_name: "longitude" },
    },
  };
  const prediction = new DataArray({
    name: "prediction",
    dims: ["time", "lat", "lon"],
    shape: [nt, ny, nx],
    data: pred,
    coords,
    attrs: { long_name: "predicted sea surface temperature", units: "K", model: "GAM" },
  });
  const coef = Float64Array.from({ length: ny * nx }, (_, i) =>
    i === 3 ? Number.NaN : 0.01 * i - 0.05,
  );
  const slope = new DataArray({
    name: "slope",
    dims: ["lat", "lon"],
    shape: [ny, nx],
    data: coef,
    coords: { lat: coords.lat, lon: coords.lon },
    attrs: { long_name: "fitted trend per grid cell", units: "K year-1" },
  });
  const nj = 2;
  const ni = 3;
  const lat2d = Float64Array.from({ length: nj * ni }, (_, k) => 10 + k);
  const lon2d = Float64Array.from({ length: nj * ni }, (_, k) => 200 + 2 * k);
  const residual = new DataArray({
    name: "residual",
    dims: ["nj", "ni"],
    shape: [nj, ni],
    data: Float64Array.from([0.5, -0.25, Number.NaN, 1.5, 0, -2]),
    coords: {
      lat2d: { dims: ["nj", "ni"], values: lat2d, attrs: { units: "degrees_north" } },
      lon2d: { dims: ["nj", "ni"], values: lon2d, attrs: { units: "degrees_east" } },
    },
    attrs: { long_name: "residual on the ocean model grid", units: "K" },
  });
  return {
    arrays: [prediction, slope, residual],
    options: {
      attrs: { Conventions: "CF-1.8", title: "geoml writer sample", institution: "geoml" },
      encoding: { slope: { dtype: "int16", scale_factor: 0.001, add_offset: 0 } },
      unlimited: "time",
    },
  };
}

/**
 * The same results as {@link sampleResults}, written as NetCDF-4: the prediction in
 * (1, 2, 5) chunks, every variable deflated at level 4, packed slope kept, time unlimited.
 */
export function sampleResults4(): { arrays: DataArray[]; options: WriteOptions } {
  const { arrays, options } = sampleResults();
  return {
    arrays,
    options: {
      ...options,
      format: "netcdf4",
      deflate: 4,
      encoding: { ...options.encoding, prediction: { chunks: [1, 2, 5] } },
    },
  };
}
