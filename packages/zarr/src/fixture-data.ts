import { DataArray } from "@geoml/grid";
import type { ZarrWriteOptions } from "./write.js";

/**
 * The small dataset the writer fixture (`__fixtures__/geoml_v2.zarr`) is made from: packed
 * int16 SST with missing cells, a float32 field, CF time. zarr-python and xarray read that
 * store in `tools/oracles/zarr_python.py`; the tests check the writer still makes it byte
 * for byte.
 */
export function fixtureArrays(): DataArray[] {
  const time = Float64Array.from([0, 31, 59]);
  const lat = Float64Array.from([-10, -5, 0, 5]);
  const lon = Float64Array.from([100, 110, 120, 130, 140]);
  const n = 3 * 4 * 5;
  const sst = Float64Array.from({ length: n }, (_, i) =>
    i % 7 === 3 ? Number.NaN : 25 + Math.sin(i) * 3,
  );
  const wind = Float32Array.from({ length: n }, (_, i) =>
    i % 11 === 5 ? Number.NaN : i * 0.25 - 4,
  );
  const coords = {
    time: {
      dims: ["time"],
      values: time,
      attrs: { units: "days since 2000-01-01", calendar: "standard" },
    },
    lat: { dims: ["lat"], values: lat, attrs: { units: "degrees_north" } },
    lon: { dims: ["lon"], values: lon, attrs: { units: "degrees_east" } },
  };
  const dims = ["time", "lat", "lon"];
  const shape = [3, 4, 5];
  return [
    new DataArray({
      name: "sst",
      dims,
      shape,
      data: sst,
      coords,
      attrs: { units: "degC", long_name: "sea surface temperature" },
    }),
    new DataArray({ name: "wind", dims, shape, data: wind, coords, attrs: { units: "m s-1" } }),
  ];
}

/** Writer options of the fixture: v2, zlib, packed SST, chunks with partial edges. */
export const FIXTURE_OPTIONS: ZarrWriteOptions = {
  format: 2,
  compressor: "zlib",
  attrs: { title: "geoml writer fixture", Conventions: "CF-1.8" },
  encoding: {
    sst: {
      dtype: "int16",
      scale_factor: 0.001,
      add_offset: 25,
      _FillValue: -32767,
      chunks: [2, 3, 5],
    },
    wind: { chunks: [1, 4, 3] },
  },
};
