/**
 * The arrays our writer's fixtures are made from: real corpus rasters read back and
 * written with different layouts. `write-samples.ts` writes them to
 * `src/__fixtures__/written/`, GDAL reads those in `tools/oracles/geotiff_gdal.py`, and
 * the tests check both the bytes and GDAL's view of them.
 */
import { fileURLToPath } from "node:url";
import type { DataArray } from "@geoml/grid";
import { readGeotiff } from "../read.js";
import type { WriteGeotiffOptions } from "../write.js";

/** Path of a corpus file in `datasets/geotiff/`. */
export function corpusPath(name: string): string {
  return fileURLToPath(new URL(`../../../../datasets/geotiff/${name}`, import.meta.url));
}

/** Path of a fixture in `src/__fixtures__/`. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));
}

/** One writer fixture: the file name, the array and the options it is written with. */
export interface WrittenSample {
  file: string;
  array: DataArray;
  options: WriteGeotiffOptions;
  /** Corpus file and bands whose GDAL statistics the written file must reproduce. */
  from: { file: string; bands: number[] };
}

/** Build the writer fixtures from the corpus. */
export async function writtenSamples(): Promise<WrittenSample[]> {
  // July SST, decoded (land NaN), written as float32 with nodata -999, deflated.
  const july = await readGeotiff(corpusPath("sst_f32_deflate_pred3_tiled.tif"), { band: 2 });
  // Web Mercator SST as float64 with NaN nodata, uncompressed.
  const merc = await readGeotiff(corpusPath("sst_f32_mercator.tif"), { band: 1 });
  // Three months of packed int16 SST, stored raw with GDAL scale/offset.
  const packed = await readGeotiff(corpusPath("sst_i16_scaled_lzw_pred2.tif"), {
    bands: [1, 2, 3],
    decode: false,
  });
  return [
    {
      file: "sst_july_f32.tif",
      array: july,
      options: { nodata: -999 },
      from: { file: "sst_f32_deflate_pred3_tiled.tif", bands: [2] },
    },
    {
      file: "sst_mercator_f64.tif",
      array: merc,
      options: { dtype: "float64", nodata: Number.NaN, compression: "none" },
      from: { file: "sst_f32_mercator.tif", bands: [1] },
    },
    {
      file: "sst_packed_i16.tif",
      array: packed,
      options: { nodata: -32768, scale: 0.001, offset: 15 },
      from: { file: "sst_i16_scaled_lzw_pred2.tif", bands: [1, 2, 3] },
    },
  ];
}
