/**
 * Arrays written as Cloud-Optimized GeoTIFFs in the tests and in the committed COG
 * fixtures (`src/__fixtures__/cog/`, checked by GDAL's COG validator in
 * `tools/oracles/geotiff_cog_validate.py`). Deterministic synthetic fields: smooth,
 * with a disc of missing cells.
 */
import { type Coordinate, DataArray } from "@geoml/grid";
import type { WriteGeotiffOptions } from "../write.js";

/** A field of `bands × height × width` on a 0.25° grid, NaN inside a disc. */
export function field(bands: number, height: number, width: number, time = false): DataArray {
  const data = new Float32Array(bands * height * width);
  for (let b = 0; b < bands; b++) {
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        const missing = (i - height / 3) ** 2 + (j - width / 2) ** 2 < (height / 6) ** 2;
        const v = 285 + 10 * Math.sin(i / 9 + b) * Math.cos(j / 13) + 0.01 * (i - j) + b;
        data[(b * height + i) * width + j] = missing ? Number.NaN : v;
      }
    }
  }
  const x = Float64Array.from({ length: width }, (_, j) => -30 + 0.25 * j + 0.125);
  const y = Float64Array.from({ length: height }, (_, i) => 60 - 0.25 * i - 0.125);
  const coords: Record<string, Coordinate> = {
    x: { dims: ["x"], values: x, attrs: { units: "degrees_east" } },
    y: { dims: ["y"], values: y, attrs: { units: "degrees_north" } },
  };
  if (bands > 1) {
    coords.time = time
      ? {
          dims: ["time"],
          values: Float64Array.from({ length: bands }, (_, b) => 31 * b + 14),
          attrs: { units: "days since 2000-01-01", calendar: "standard" },
        }
      : { dims: ["time"], values: Float64Array.from({ length: bands }, (_, b) => b), attrs: {} };
  }
  return new DataArray({
    name: "t2m",
    dims: bands > 1 ? ["time", "y", "x"] : ["y", "x"],
    shape: bands > 1 ? [bands, height, width] : [height, width],
    data,
    coords,
    attrs: { units: "K", epsg: 4326 },
  });
}

/** One COG fixture: file name, array and options. */
export interface CogSample {
  file: string;
  array: DataArray;
  options: WriteGeotiffOptions;
}

/** The committed COG fixtures. */
export function cogSamples(): CogSample[] {
  return [
    {
      // float32, NaN nodata, floating-point predictor, two overview levels
      file: "t2m_f32_deflate.tif",
      array: field(1, 150, 200),
      options: { cog: true, tileSize: 64, predictor: 3 },
    },
    {
      // three monthly bands packed as int16 with GDAL scale/offset, zstd, dated bands
      file: "t2m_i16_zstd_monthly.tif",
      array: packed(field(3, 90, 130, true), 0.01, 280),
      options: {
        cog: true,
        tileSize: 64,
        compression: "zstd",
        predictor: 2,
        dtype: "int16",
        nodata: -32768,
        scale: 0.01,
        offset: 280,
      },
    },
  ];
}

/**
 * Values packed for the int16 sample: `round((v - offset) / scale)`, as a user packs
 * before writing with GDAL scale/offset.
 */
export function packed(array: DataArray, scale: number, offset: number): DataArray {
  const src = array.data as Float32Array;
  const data = Float64Array.from(src, (v) =>
    Number.isNaN(v) ? v : Math.round((v - offset) / scale),
  );
  return new DataArray({
    name: array.name,
    dims: [...array.dims],
    shape: [...array.shape],
    data,
    coords: { ...array.coords },
    attrs: array.attrs,
  });
}
