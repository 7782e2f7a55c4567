/**
 * Georeferencing: the affine geotransform (GDAL's six numbers), the CRS from the GeoKey
 * directory, and pixel-centre x/y coordinates.
 */

/** GeoKey ids used here (GeoTIFF 1.1 §7). */
export const GEOKEY = {
  GTModelType: 1024,
  GTRasterType: 1025,
  GTCitation: 1026,
  GeographicType: 2048,
  ProjectedCSType: 3072,
} as const;

/** GeoKey value meaning "user-defined", i.e. no EPSG code. */
const USER_DEFINED = 32767;

/**
 * GDAL's geotransform `[x0, dx, rx, y0, ry, dy]`: the map position of pixel corner
 * `(col, row)` is `x = x0 + col*dx + row*rx`, `y = y0 + col*ry + row*dy`.
 */
export type GeoTransform = [number, number, number, number, number, number];

/** Parsed GeoKeys: numbers, or text for ASCII keys. */
export type GeoKeys = Map<number, number | number[] | string>;

/**
 * Parse the GeoKeyDirectory (tag 34735) with its double and ASCII parameter tags.
 * Malformed entries are skipped rather than trusted.
 */
export function parseGeoKeys(directory: number[], doubles: number[], ascii: string): GeoKeys {
  const keys: GeoKeys = new Map();
  if (directory.length < 4) return keys;
  const n = Math.min(directory[3], Math.floor((directory.length - 4) / 4));
  for (let i = 0; i < n; i++) {
    const [id, location, count, value] = directory.slice(4 + i * 4, 8 + i * 4);
    if (location === 0) keys.set(id, value);
    else if (location === 34736) {
      const v = doubles.slice(value, value + count);
      keys.set(id, v.length === 1 ? v[0] : v);
    } else if (location === 34737) {
      keys.set(id, ascii.slice(value, value + count).replace(/\|$/, ""));
    }
  }
  return keys;
}

/** The EPSG code of the CRS (projected first, then geographic), or undefined if user-defined. */
export function epsgOf(keys: GeoKeys): number | undefined {
  for (const id of [GEOKEY.ProjectedCSType, GEOKEY.GeographicType]) {
    const v = keys.get(id);
    if (typeof v === "number" && v > 0 && v !== USER_DEFINED) return v;
  }
  return undefined;
}

/** True when the raster is PixelIsPoint (values sample the corner positions, GeoKey 1025 = 2). */
export function isPixelIsPoint(keys: GeoKeys): boolean {
  return keys.get(GEOKEY.GTRasterType) === 2;
}

/**
 * The geotransform from ModelTransformation (4×4 matrix), or from ModelTiepoint plus
 * ModelPixelScale. PixelIsPoint rasters are shifted by half a pixel so the transform
 * describes pixel corners, as GDAL does. Undefined when the file has no georeferencing.
 */
export function geoTransformOf(
  tiepoint: number[] | undefined,
  scale: number[] | undefined,
  matrix: number[] | undefined,
  pixelIsPoint: boolean,
): GeoTransform | undefined {
  let gt: GeoTransform | undefined;
  if (matrix !== undefined && matrix.length >= 16) {
    gt = [matrix[3], matrix[0], matrix[1], matrix[7], matrix[4], matrix[5]];
  } else if (
    tiepoint !== undefined &&
    tiepoint.length >= 6 &&
    scale !== undefined &&
    scale.length >= 2
  ) {
    const [i, j, , x, y] = tiepoint;
    const [sx, sy] = scale;
    gt = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  }
  if (gt === undefined || !gt.every(Number.isFinite)) return undefined;
  if (pixelIsPoint) {
    gt[0] -= 0.5 * gt[1] + 0.5 * gt[2];
    gt[3] -= 0.5 * gt[4] + 0.5 * gt[5];
  }
  return gt;
}

/** The geotransform of a reduced-resolution image of `width × height` over the same extent. */
export function scaleGeoTransform(
  gt: GeoTransform,
  fullWidth: number,
  fullHeight: number,
  width: number,
  height: number,
): GeoTransform {
  const fx = fullWidth / width;
  const fy = fullHeight / height;
  return [gt[0], gt[1] * fx, gt[2] * fy, gt[3], gt[4] * fx, gt[5] * fy];
}

/**
 * Pixel-centre coordinates of columns `[x0, x0+width)` and rows `[y0, y0+height)` of a
 * north-up (unrotated) grid: `x = gt0 + (col + ½)·dx`, `y = gt3 + (row + ½)·dy`.
 */
export function pixelCentres(
  gt: GeoTransform,
  x0: number,
  width: number,
  y0: number,
  height: number,
): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(width);
  const y = new Float64Array(height);
  for (let i = 0; i < width; i++) x[i] = gt[0] + (x0 + i + 0.5) * gt[1];
  for (let j = 0; j < height; j++) y[j] = gt[3] + (y0 + j + 0.5) * gt[5];
  return { x, y };
}

/** True when the transform has no rotation or shear terms, so x depends on the column only. */
export function isNorthUp(gt: GeoTransform): boolean {
  return gt[2] === 0 && gt[4] === 0;
}
