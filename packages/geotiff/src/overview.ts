/**
 * Reduced-resolution images for COG overviews: each level halves the previous one,
 * averaging the valid cells of each 2×2 block (nodata and NaN left out; a block with
 * none stays nodata), or taking its top-left cell (`nearest`, for classes and codes).
 * Integer samples are averaged as stored and rounded, so scale/offset still apply.
 */
import type { TypedArray } from "@geoml/grid";

/** How overview cells are computed. */
export type Resampling = "average" | "nearest";

/** Halve one band plane of `width × height`. */
export function halve(
  plane: TypedArray,
  width: number,
  height: number,
  nodata: number | undefined,
  resampling: Resampling,
  integer: boolean,
): { plane: TypedArray; width: number; height: number } {
  const w = Math.ceil(width / 2);
  const h = Math.ceil(height / 2);
  const out = new (plane.constructor as new (n: number) => TypedArray)(w * h);
  const src = plane as unknown as ArrayLike<number>;
  const dst = out as unknown as { [i: number]: number };
  const fill = nodata ?? Number.NaN;
  const nanNodata = nodata === undefined || Number.isNaN(nodata);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (resampling === "nearest") {
        dst[y * w + x] = src[2 * y * width + 2 * x];
        continue;
      }
      let sum = 0;
      let n = 0;
      for (let dy = 0; dy < 2 && 2 * y + dy < height; dy++) {
        for (let dx = 0; dx < 2 && 2 * x + dx < width; dx++) {
          const v = src[(2 * y + dy) * width + 2 * x + dx];
          if (Number.isNaN(v) || (!nanNodata && v === nodata)) continue;
          sum += v;
          n++;
        }
      }
      dst[y * w + x] = n === 0 ? fill : integer ? Math.round(sum / n) : sum / n;
    }
  }
  return { plane: out, width: w, height: h };
}

/**
 * Number of overview levels GDAL's COG driver makes: halve until the image fits in one
 * tile.
 */
export function autoLevels(width: number, height: number, tile: number): number {
  let n = 0;
  while (width > tile || height > tile) {
    width = Math.ceil(width / 2);
    height = Math.ceil(height / 2);
    n++;
  }
  return n;
}
