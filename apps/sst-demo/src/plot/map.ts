import type { Colormap } from "./colormap.js";
import { encodePng } from "./png.js";

/** What {@link renderMap} needs to draw a field on a regular latitude–longitude grid. */
export interface MapOptions {
  /** Values in row-major order, `lat.length` rows of `lon.length` cells; NaN is drawn as "no data". */
  values: ArrayLike<number>;
  lat: ArrayLike<number>;
  lon: ArrayLike<number>;
  colormap: Colormap;
  /** Colour range; values outside are clamped. */
  vmin: number;
  vmax: number;
  /** Pixels per grid cell. */
  scale?: number;
}

const NO_DATA: [number, number, number] = [205, 205, 205];

/** Draws a gridded field as a PNG, north at the top whatever the latitude order of the file. */
export function renderMap(options: MapOptions): Uint8Array {
  const { values, lat, lon, colormap, vmin, vmax } = options;
  const scale = options.scale ?? 4;
  const ny = lat.length;
  const nx = lon.length;
  if (values.length !== nx * ny) {
    throw new RangeError(`renderMap: ${values.length} values for a ${ny}×${nx} grid`);
  }
  const northFirst = ny < 2 || lat[0] > lat[ny - 1];
  const width = nx * scale;
  const height = ny * scale;
  const pixels = new Uint8Array(width * height * 4);
  const span = vmax - vmin || 1;
  for (let row = 0; row < ny; row++) {
    const j = northFirst ? row : ny - 1 - row;
    for (let i = 0; i < nx; i++) {
      const v = values[j * nx + i];
      const [r, g, b] = Number.isNaN(v) ? NO_DATA : colormap((v - vmin) / span);
      for (let dy = 0; dy < scale; dy++) {
        let p = ((row * scale + dy) * width + i * scale) * 4;
        for (let dx = 0; dx < scale; dx++, p += 4) {
          pixels[p] = r;
          pixels[p + 1] = g;
          pixels[p + 2] = b;
          pixels[p + 3] = 255;
        }
      }
    }
  }
  return encodePng({ width, height, pixels });
}
