/**
 * Reading a GeoTIFF into a labelled array: bands × rows × columns with pixel-centre
 * coordinates, CF-decoded (GDAL nodata → NaN, scale/offset applied) unless asked not to.
 */
import {
  type Attrs,
  type Coordinate,
  DataArray,
  type DecodeOptions,
  decode,
  type TypedArray,
} from "@geoml/grid";
import { GeotiffError } from "./errors.js";
import { isNorthUp, pixelCentres } from "./georef.js";
import {
  type GeotiffSource,
  type OpenGeotiffOptions,
  openGeotiff,
  type PixelWindow,
} from "./open.js";

/** Options of {@link readGeotiff}. */
export interface ReadGeotiffOptions extends OpenGeotiffOptions {
  /**
   * One band (1-based): the result is 2-D with dims `["y", "x"]` and carries that band's
   * attributes. Mutually exclusive with `bands`.
   */
  band?: number;
  /** Bands to read (1-based), in this order; default all. The result has dims `["band", "y", "x"]`. */
  bands?: number[];
  /** Pixel window; only the tiles or strips under it are read. Default the whole image. */
  window?: PixelWindow;
  /**
   * Apply nodata, scale and offset (default true). `false` returns the stored values;
   * an object passes options to the grid's `decode`.
   */
  decode?: boolean | DecodeOptions;
  /** Name of the result (default `band<N>` for one band, else `band_data`). */
  name?: string;
}

/**
 * Read a GeoTIFF (path, bytes, or an already open {@link GeotiffSource}) into a
 * {@link DataArray} with coordinates `x`, `y` (pixel centres, when georeferenced
 * north-up) and `band`. Global attributes (`crs`, `epsg`, `geotransform`, …) are kept;
 * packing attributes move to `encoding`.
 *
 * @throws GeotiffError `OUT_OF_RANGE` for a band or window outside the image, and any
 *   error of {@link openGeotiff}
 */
export async function readGeotiff(
  input: string | Uint8Array | GeotiffSource,
  options: ReadGeotiffOptions = {},
): Promise<DataArray> {
  const owned = typeof input === "string" || input instanceof Uint8Array;
  const source = owned ? await openGeotiff(input, options) : (input as GeotiffSource);
  try {
    return await readFrom(source, options);
  } finally {
    if (owned) await source.close();
  }
}

async function readFrom(source: GeotiffSource, options: ReadGeotiffOptions): Promise<DataArray> {
  const ctx = { file: source.path };
  if (options.band !== undefined && options.bands !== undefined) {
    throw new GeotiffError("OUT_OF_RANGE", "pass either `band` or `bands`, not both", ctx);
  }
  const single = options.band !== undefined;
  const bands = single
    ? [options.band!]
    : (options.bands ?? Array.from({ length: source.bandCount }, (_, i) => i + 1));
  if (bands.length === 0) throw new GeotiffError("OUT_OF_RANGE", "no bands selected", ctx);
  const { width, height } = source.image;
  const window = options.window ?? { x: 0, y: 0, width, height };
  const raw = await source.readBands(bands, window);
  const variables = bands.map((b) => source.variables[b - 1]);

  const decodeOpt = options.decode ?? true;
  const n = window.width * window.height;
  let data: TypedArray;
  let encoding: Attrs = { dtype: source.image.dtype };
  let bandAttrs: Attrs = { ...variables[0]?.attrs };
  if (decodeOpt === false) {
    data = concat(raw, n);
  } else {
    // The raw arrays are ours alone, so decoding may overwrite them: half the peak memory.
    const opts: DecodeOptions = decodeOpt === true ? {} : decodeOpt;
    const decoded = raw.map((r, i) => decode(r, variables[i].attrs, { inPlace: true, ...opts }));
    // One output type for all bands: the decoded type when all agree, else float64.
    const first = decoded[0].data.constructor;
    data = concat(
      decoded.map((d) => d.data as TypedArray),
      n,
      decoded.some((d) => d.data.constructor !== first),
    );
    encoding = { ...decoded[0]?.encoding, dtype: source.image.dtype };
    bandAttrs = decoded[0]?.attrs ?? {};
  }

  const coords: Record<string, Coordinate> = {};
  const gt = source.geoTransform;
  if (gt !== undefined && isNorthUp(gt)) {
    const { x, y } = pixelCentres(gt, window.x, window.width, window.y, window.height);
    const xv = source.variables.find((v) => v.name === "x");
    const yv = source.variables.find((v) => v.name === "y");
    coords.x = { dims: ["x"], values: x, attrs: { ...xv?.attrs } };
    coords.y = { dims: ["y"], values: y, attrs: { ...yv?.attrs } };
  }
  const attrs: Attrs = { ...source.attrs };
  if (gt !== undefined) {
    // The geotransform of the window, so writing the array back lands in the same place.
    attrs.geotransform = [
      gt[0] + window.x * gt[1] + window.y * gt[2],
      gt[1],
      gt[2],
      gt[3] + window.x * gt[4] + window.y * gt[5],
      gt[4],
      gt[5],
    ];
  }
  if (single) {
    return new DataArray({
      name: options.name ?? `band${bands[0]}`,
      dims: ["y", "x"],
      shape: [window.height, window.width],
      data,
      coords,
      attrs: { ...attrs, ...bandAttrs },
      encoding,
    });
  }
  coords.band = { dims: ["band"], values: Float64Array.from(bands), attrs: {} };
  // GDAL band descriptions (a term's label, a date), one per band read
  const descriptions = variables.map((v) => v.attrs.long_name);
  if (descriptions.some((d) => typeof d === "string")) {
    attrs.band_descriptions = descriptions.map((d) => (typeof d === "string" ? d : ""));
  }
  return new DataArray({
    name: options.name ?? "band_data",
    dims: ["band", "y", "x"],
    shape: [bands.length, window.height, window.width],
    data,
    coords,
    attrs,
    encoding,
  });
}

function concat(parts: TypedArray[], n: number, float64 = false): TypedArray {
  const first = parts[0];
  if (parts.length === 1 && (!float64 || first instanceof Float64Array)) return first;
  const Ctor = float64 ? Float64Array : (first.constructor as new (n: number) => TypedArray);
  const out = new Ctor(n * parts.length);
  parts.forEach((p, i) => {
    if (out instanceof Float64Array && !(p instanceof Float64Array)) {
      for (let k = 0; k < n; k++) out[i * n + k] = Number(p[k]);
    } else {
      (out as Float32Array).set(p as Float32Array, i * n);
    }
  });
  return out;
}
