/**
 * Writing a labelled 2-D (`y, x`) or 3-D (`band, y, x`) array as a GeoTIFF that GDAL
 * reads: georeferencing from the x/y coordinates (or a given geotransform), the CRS as
 * an EPSG GeoKey, nodata in GDAL_NODATA, scale/offset/units/band descriptions in
 * GDAL_METADATA. Classic little-endian TIFF, band-separate, deflate or zstd with an
 * optional predictor; either strips of about 64 KiB or a Cloud-Optimized GeoTIFF
 * (tiles, overviews, directories before the data).
 */
import { writeFile } from "node:fs/promises";
import {
  type Attrs,
  attrNumber,
  attrString,
  type DataArray,
  type DType,
  decodeTimes,
  formatCFDatetime,
  isTimeUnits,
  type TypedArray,
} from "@geoml/grid";
import {
  applyPredictor,
  COMPRESSION_CODE,
  type Compression,
  compressBlock,
  loadEncoders,
} from "./compress.js";
import { GeotiffError } from "./errors.js";
import type { GeoTransform } from "./georef.js";
import { formatGdalMetadata, formatNodata, type GdalItem } from "./metadata.js";
import { autoLevels, halve, type Resampling } from "./overview.js";
import { TAG } from "./structure.js";
import { type ImageSpec, type TagValue, writeTiff } from "./tiff-layout.js";

/** Options of {@link writeGeotiff} and {@link encodeGeotiff}. */
export interface WriteGeotiffOptions {
  /** EPSG code of the CRS; default the array's `epsg` attribute or `crs: "EPSG:<n>"`. */
  epsg?: number;
  /** Geotransform; default derived from regularly spaced `x`/`y` coordinates, or the `geotransform` attribute. */
  geoTransform?: GeoTransform;
  /**
   * Nodata value (GDAL_NODATA); NaN cells of float data are written as it. Default the
   * array's `_FillValue` encoding or attribute, else NaN for float data that holds NaN.
   */
  nodata?: number;
  /**
   * Stored sample type; default the data's own (float64 data stays float64). Converting
   * to integers rounds and clamps; NaN cells then need `nodata`.
   */
  dtype?: Exclude<DType, "char" | "string" | "int64" | "uint64">;
  /** Block compression: `"deflate"` (default), `"zstd"` or `"none"`. */
  compression?: Compression;
  /** Compression level: deflate 1–9 (default 6), zstd 1–22 (default 9). */
  level?: number;
  /**
   * TIFF predictor applied before compressing: 1 none (default), 2 horizontal
   * differencing (integer types), 3 floating point (float types). Often halves the size
   * of smooth fields.
   */
  predictor?: 1 | 2 | 3;
  /** GDAL scale/offset metadata to record (values are written as given, not packed). */
  scale?: number;
  offset?: number;
  /**
   * Write a Cloud-Optimized GeoTIFF: square tiles, overviews, every directory before
   * the data, the layout GDAL's COG driver writes (GDAL reports `LAYOUT=COG`). Default
   * false: a plain GeoTIFF in strips.
   */
  cog?: boolean;
  /** COG tile width and height in pixels, a multiple of 16 (default 512). */
  tileSize?: number;
  /** COG overview levels, each half the previous; default until the image fits one tile. */
  overviews?: number;
  /** How COG overviews are computed: `"average"` of valid cells (default) or `"nearest"`. */
  resampling?: Resampling;
  /**
   * One description per band, shown by GDAL as the band description (e.g. a term's
   * label or an ISO date). Default from the band dimension's coordinate when it holds
   * text (used as is) or CF times (as ISO dates); else the array's `long_name`.
   */
  bandDescriptions?: string[];
}

const SAMPLE: Record<string, { format: number; bits: number }> = {
  uint8: { format: 1, bits: 8 },
  int8: { format: 2, bits: 8 },
  uint16: { format: 1, bits: 16 },
  int16: { format: 2, bits: 16 },
  uint32: { format: 1, bits: 32 },
  int32: { format: 2, bits: 32 },
  float32: { format: 3, bits: 32 },
  float64: { format: 3, bits: 64 },
};

const CTORS = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

/** Range of each integer sample type. */
const RANGE: Record<string, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  uint32: [0, 4294967295],
  int32: [-2147483648, 2147483647],
};

function hasNaN(data: ArrayLike<number | bigint>): boolean {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return false;
  for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i])) return true;
  return false;
}

/** Target uncompressed strip size. */
const STRIP_BYTES = 65536;

/**
 * Write `array` to `path` as a GeoTIFF, or a Cloud-Optimized GeoTIFF with `cog: true`
 * (see {@link encodeGeotiff}).
 *
 * @throws GeotiffError `INVALID_WRITE`, `TOO_LARGE`, `IO_ERROR`
 */
export async function writeGeotiff(
  path: string,
  array: DataArray,
  options: WriteGeotiffOptions = {},
): Promise<void> {
  const bytes = await encodeGeotiff(array, options, path);
  try {
    await writeFile(path, bytes);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new GeotiffError("IO_ERROR", `cannot write: ${detail}`, { file: path });
  }
}

/**
 * Encode `array` (dims `[y, x]` or `[band, y, x]`, any names) as GeoTIFF bytes: a plain
 * GeoTIFF in strips, or with `cog: true` a Cloud-Optimized GeoTIFF (tiles, overviews,
 * directories first). Bands are stored band-separate.
 *
 * @param file - name used in error messages
 * @throws GeotiffError `INVALID_WRITE` for a wrong rank, irregular coordinates,
 *   unsupported dtype or invalid options; `TOO_LARGE` beyond the 4 GiB of a classic TIFF
 */
export async function encodeGeotiff(
  array: DataArray,
  options: WriteGeotiffOptions = {},
  file = "<memory>",
): Promise<Uint8Array> {
  const ctx = { file, variable: array.name };
  const plan = prepare(array, options, ctx);
  await loadEncoders(plan.compression);
  const base = baseTags(array, plan, options, ctx);
  if (!options.cog) return writeTiff([stripImage(plan, base)], false, ctx);

  const tile = plan.tileSize;
  const levels = options.overviews ?? autoLevels(plan.width, plan.height, tile);
  const images: ImageSpec[] = [tiledImage(plan, plan.planes, plan.width, plan.height, base)];
  let planes = plan.planes;
  let width = plan.width;
  let height = plan.height;
  const integer = SAMPLE[plan.dtype].format !== 3;
  for (let level = 1; level <= levels && (width > 1 || height > 1); level++) {
    const halves = planes.map((p) =>
      halve(p, width, height, plan.nodata, options.resampling ?? "average", integer),
    );
    planes = halves.map((h) => h.plane);
    width = halves[0].width;
    height = halves[0].height;
    // Overviews carry the layout tags and nodata; the metadata lives on the full image.
    const tags = base.filter((t) => OVERVIEW_TAGS.has(t.tag)).map((t) => ({ ...t }));
    tags.push({ tag: TAG.NewSubfileType, type: 4, values: [1] });
    images.push(tiledImage(plan, planes, width, height, tags));
  }
  return writeTiff(images, true, ctx);
}

/** Tags every resolution level repeats. */
const OVERVIEW_TAGS = new Set<number>([
  TAG.BitsPerSample,
  TAG.Compression,
  262,
  TAG.SamplesPerPixel,
  TAG.PlanarConfiguration,
  TAG.Predictor,
  TAG.SampleFormat,
  338,
  TAG.GdalNodata,
]);

/** What is written: sample planes in the stored type, and how they are encoded. */
interface Plan {
  bands: number;
  width: number;
  height: number;
  dtype: keyof typeof CTORS;
  nodata: number | undefined;
  /** One full-resolution plane per band, in the stored type, NaN already replaced. */
  planes: TypedArray[];
  compression: Compression;
  predictor: 1 | 2 | 3;
  level: number | undefined;
  tileSize: number;
}

function prepare(
  array: DataArray,
  options: WriteGeotiffOptions,
  ctx: { file: string; variable: string },
): Plan {
  if (array.ndim !== 2 && array.ndim !== 3) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `expected dims (y, x) or (band, y, x), got (${array.dims.join(", ")})`,
      ctx,
    );
  }
  if (Array.isArray(array.data)) {
    throw new GeotiffError("INVALID_WRITE", "text data cannot be written to a GeoTIFF", ctx);
  }
  const bands = array.ndim === 3 ? array.shape[0] : 1;
  const height = array.shape[array.ndim - 2];
  const width = array.shape[array.ndim - 1];
  if (bands < 1 || height < 1 || width < 1) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `empty array of shape [${array.shape.join(", ")}]`,
      ctx,
    );
  }
  const dtype = (options.dtype ?? array.dtype) as keyof typeof CTORS;
  const sample = SAMPLE[dtype];
  if (sample === undefined) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `dtype ${dtype} cannot be stored (use 8–32-bit integers or floats)`,
      ctx,
    );
  }
  const isFloat = sample.format === 3;
  const compression = options.compression ?? "deflate";
  if (!(compression in COMPRESSION_CODE)) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `compression "${String(compression)}" is not one of none, deflate, zstd`,
      ctx,
    );
  }
  const predictor = options.predictor ?? 1;
  if (![1, 2, 3].includes(predictor) || (predictor === 3 && !isFloat)) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `predictor ${predictor} does not suit ${dtype} (2 for integers, 3 for floats)`,
      ctx,
    );
  }
  if (predictor === 2 && sample.bits === 64) {
    throw new GeotiffError("INVALID_WRITE", "predictor 2 needs 8–32-bit samples", ctx);
  }
  const level = options.level;
  const maxLevel = compression === "zstd" ? 22 : 9;
  if (level !== undefined && (!Number.isInteger(level) || level < 1 || level > maxLevel)) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `${compression} level ${level} is outside 1–${maxLevel}`,
      ctx,
    );
  }
  const tileSize = options.tileSize ?? 512;
  if (!Number.isInteger(tileSize) || tileSize < 16 || tileSize % 16 !== 0 || tileSize > 4096) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `tileSize ${tileSize} must be a multiple of 16 from 16 to 4096`,
      ctx,
    );
  }
  const ov = options.overviews;
  if (ov !== undefined && (!Number.isInteger(ov) || ov < 0 || ov > 30)) {
    throw new GeotiffError("INVALID_WRITE", `overviews ${ov} must be an integer 0–30`, ctx);
  }
  if (options.resampling !== undefined && !["average", "nearest"].includes(options.resampling)) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `resampling "${options.resampling}" is not average or nearest`,
      ctx,
    );
  }
  const nodata = options.nodata ?? fillValueOf(array, isFloat);
  if (nodata !== undefined && Number.isNaN(nodata) && !isFloat) {
    throw new GeotiffError("INVALID_WRITE", `nodata NaN needs a float dtype, not ${dtype}`, ctx);
  }
  const src = array.data;
  const replaceNaN = nodata !== undefined && !Number.isNaN(nodata);
  const [lo, hi] = RANGE[dtype] ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  if (!isFloat && !replaceNaN && hasNaN(src)) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `NaN cells need a nodata value to be stored as ${dtype}`,
      ctx,
    );
  }
  const Ctor = CTORS[dtype];
  const n = width * height;
  const planes: TypedArray[] = [];
  for (let b = 0; b < bands; b++) {
    const typed = new Ctor(n);
    for (let i = 0; i < n; i++) {
      const v = Number(src[b * n + i]);
      if (Number.isNaN(v)) typed[i] = replaceNaN ? (nodata as number) : v;
      else if (isFloat) typed[i] = v;
      // integers are rounded and clamped to the type's range, as GDAL converts them
      else typed[i] = Math.min(hi, Math.max(lo, Math.round(v)));
    }
    planes.push(typed);
  }
  return {
    bands,
    width,
    height,
    dtype,
    nodata,
    planes,
    compression,
    predictor: predictor as 1 | 2 | 3,
    level,
    tileSize,
  };
}

/** Tags shared by every layout: sample layout, georeferencing, metadata, nodata. */
function baseTags(
  array: DataArray,
  plan: Plan,
  options: WriteGeotiffOptions,
  ctx: { file: string; variable: string },
): TagValue[] {
  const sample = SAMPLE[plan.dtype];
  const { bands } = plan;
  const gt = options.geoTransform ?? geoTransformFor(array, ctx);
  const epsg = options.epsg ?? epsgFor(array.attrs);
  const tags: TagValue[] = [
    { tag: TAG.BitsPerSample, type: 3, values: new Array(bands).fill(sample.bits) },
    { tag: TAG.Compression, type: 3, values: [COMPRESSION_CODE[plan.compression]] },
    { tag: 262, type: 3, values: [1] }, // PhotometricInterpretation: BlackIsZero
    { tag: TAG.SamplesPerPixel, type: 3, values: [bands] },
    { tag: TAG.PlanarConfiguration, type: 3, values: [bands > 1 ? 2 : 1] },
    { tag: TAG.SampleFormat, type: 3, values: new Array(bands).fill(sample.format) },
  ];
  if (plan.predictor !== 1) tags.push({ tag: TAG.Predictor, type: 3, values: [plan.predictor] });
  // Bands beyond the first are "unspecified" extra samples, as GDAL writes them.
  if (bands > 1) tags.push({ tag: 338, type: 3, values: new Array(bands - 1).fill(0) });
  if (gt !== undefined) {
    if (gt[2] === 0 && gt[4] === 0) {
      tags.push({ tag: TAG.ModelPixelScale, type: 12, values: [gt[1], -gt[5], 0] });
      tags.push({ tag: TAG.ModelTiepoint, type: 12, values: [0, 0, 0, gt[0], gt[3], 0] });
    } else {
      const m = [gt[1], gt[2], 0, gt[0], gt[4], gt[5], 0, gt[3], 0, 0, 0, 0, 0, 0, 0, 1];
      tags.push({ tag: TAG.ModelTransformation, type: 12, values: m });
    }
  }
  if (epsg !== undefined || gt !== undefined) {
    tags.push({ tag: TAG.GeoKeyDirectory, type: 3, values: geoKeys(epsg) });
  }
  const items = metadataItems(array, bands, options, ctx);
  if (items.length > 0)
    tags.push({ tag: TAG.GdalMetadata, type: 2, text: formatGdalMetadata(items) });
  if (plan.nodata !== undefined) {
    tags.push({ tag: TAG.GdalNodata, type: 2, text: formatNodata(plan.nodata) });
  }
  return tags;
}

/** Raw little-endian bytes of a block, predicted and compressed. */
function encodeBlock(plan: Plan, typed: TypedArray, rowSamples: number): Uint8Array {
  const raw = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  applyPredictor(raw, plan.predictor, rowSamples, SAMPLE[plan.dtype].bits / 8);
  return compressBlock(raw, plan.compression, plan.level);
}

/** The full image in strips of about 64 KiB, band after band. */
function stripImage(plan: Plan, base: TagValue[]): ImageSpec {
  const { width, height } = plan;
  const bytesPerSample = SAMPLE[plan.dtype].bits / 8;
  const rowsPerStrip = Math.max(
    1,
    Math.min(height, Math.floor(STRIP_BYTES / (width * bytesPerSample))),
  );
  const blocks: Uint8Array[] = [];
  for (const plane of plan.planes) {
    for (let row0 = 0; row0 < height; row0 += rowsPerStrip) {
      const rows = Math.min(rowsPerStrip, height - row0);
      // a copy: the predictor works in place
      const strip = plane.slice(row0 * width, (row0 + rows) * width) as TypedArray;
      blocks.push(encodeBlock(plan, strip, width));
    }
  }
  return {
    tags: [
      ...base,
      { tag: TAG.ImageWidth, type: 4, values: [width] },
      { tag: TAG.ImageLength, type: 4, values: [height] },
      { tag: TAG.StripOffsets, type: 4, values: [] },
      { tag: TAG.RowsPerStrip, type: 4, values: [rowsPerStrip] },
      { tag: TAG.StripByteCounts, type: 4, values: [] },
    ],
    blocks,
    offsetsTag: TAG.StripOffsets,
    countsTag: TAG.StripByteCounts,
  };
}

/** One resolution level in square tiles, row-major, band after band; edges padded with nodata. */
function tiledImage(
  plan: Plan,
  planes: TypedArray[],
  width: number,
  height: number,
  base: TagValue[],
): ImageSpec {
  const t = plan.tileSize;
  const Ctor = CTORS[plan.dtype];
  const pad = plan.nodata !== undefined && !Number.isNaN(plan.nodata) ? plan.nodata : 0;
  const blocks: Uint8Array[] = [];
  for (const plane of planes) {
    for (let ty = 0; ty * t < height; ty++) {
      for (let tx = 0; tx * t < width; tx++) {
        const tile = new Ctor(t * t);
        const cols = Math.min(t, width - tx * t);
        const rows = Math.min(t, height - ty * t);
        if (cols < t || rows < t) tile.fill(pad as never);
        for (let r = 0; r < rows; r++) {
          const from = (ty * t + r) * width + tx * t;
          tile.set(plane.subarray(from, from + cols) as never, r * t);
        }
        blocks.push(encodeBlock(plan, tile, t));
      }
    }
  }
  return {
    tags: [
      ...base,
      { tag: TAG.ImageWidth, type: 4, values: [width] },
      { tag: TAG.ImageLength, type: 4, values: [height] },
      { tag: TAG.TileWidth, type: 3, values: [t] },
      { tag: TAG.TileLength, type: 3, values: [t] },
      { tag: TAG.TileOffsets, type: 4, values: [] },
      { tag: TAG.TileByteCounts, type: 4, values: [] },
    ],
    blocks,
    offsetsTag: TAG.TileOffsets,
    countsTag: TAG.TileByteCounts,
  };
}

/** GeoKeyDirectory: model type, PixelIsArea, and the EPSG code as geographic or projected CRS. */
function geoKeys(epsg: number | undefined): number[] {
  const keys: number[][] = [];
  // EPSG codes 4000–4999 are geographic 2-D CRSs; GDAL writes those as GeographicTypeGeoKey.
  const geographic = epsg !== undefined && epsg >= 4000 && epsg < 5000;
  if (epsg !== undefined) keys.push([1024, 0, 1, geographic ? 2 : 1]);
  keys.push([1025, 0, 1, 1]);
  if (epsg !== undefined) keys.push([geographic ? 2048 : 3072, 0, 1, epsg]);
  return [1, 1, 0, keys.length, ...keys.flat()];
}

function fillValueOf(array: DataArray, isFloat: boolean): number | undefined {
  const fill = attrNumber(array.encoding, "_FillValue") ?? attrNumber(array.attrs, "_FillValue");
  if (fill !== undefined) return fill;
  if (!isFloat) return undefined;
  const d = array.data as ArrayLike<number>;
  for (let i = 0; i < d.length; i++) if (Number.isNaN(d[i])) return Number.NaN;
  return undefined;
}

function epsgFor(attrs: Readonly<Attrs>): number | undefined {
  const n = attrNumber(attrs, "epsg");
  if (n !== undefined && Number.isInteger(n) && n > 0) return n;
  const crs = attrString(attrs, "crs");
  const m = crs === undefined ? null : /^EPSG:(\d+)$/i.exec(crs.trim());
  return m === null ? undefined : Number(m[1]);
}

/** The geotransform of regularly spaced 1-D x and y coordinates, else the `geotransform` attribute. */
function geoTransformFor(
  array: DataArray,
  ctx: { file: string; variable: string },
): GeoTransform | undefined {
  const xd = array.dims[array.ndim - 1];
  const yd = array.dims[array.ndim - 2];
  const xc = array.coord(xd);
  const yc = array.coord(yd);
  if (xc !== undefined && yc !== undefined && xc.dims.length === 1 && yc.dims.length === 1) {
    const dx = step(xc.values, xd, ctx);
    const dy = step(yc.values, yd, ctx);
    const x0 = Number(xc.values[0]);
    const y0 = Number(yc.values[0]);
    return [x0 - dx / 2, dx, 0, y0 - dy / 2, 0, dy];
  }
  const gt = array.attrs.geotransform;
  if (Array.isArray(gt) && gt.length === 6 && gt.every((v) => typeof v === "number")) {
    return gt as GeoTransform;
  }
  return undefined;
}

function step(
  values: Float64Array | string[],
  dim: string,
  ctx: { file: string; variable: string },
): number {
  if (Array.isArray(values)) {
    throw new GeotiffError("INVALID_WRITE", `coordinate '${dim}' is text, not numbers`, ctx);
  }
  if (values.length < 2) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `coordinate '${dim}' needs 2 values to give a pixel size`,
      ctx,
    );
  }
  const d = (values[values.length - 1] - values[0]) / (values.length - 1);
  for (let i = 1; i < values.length; i++) {
    if (Math.abs(values[i] - values[i - 1] - d) > 1e-6 * Math.abs(d)) {
      throw new GeotiffError(
        "INVALID_WRITE",
        `coordinate '${dim}' is not regularly spaced (step ${values[i] - values[i - 1]} at ${i}, mean ${d}); pass geoTransform`,
        ctx,
      );
    }
  }
  return d;
}

function metadataItems(
  array: DataArray,
  bands: number,
  options: WriteGeotiffOptions,
  ctx: { file: string; variable: string },
): GdalItem[] {
  const items: GdalItem[] = [];
  const units = attrString(array.attrs, "units");
  const longName = attrString(array.attrs, "long_name");
  const descriptions = bandDescriptions(array, bands, options, ctx);
  for (let s = 0; s < bands; s++) {
    if (options.offset !== undefined)
      items.push({ name: "OFFSET", sample: s, role: "offset", value: String(options.offset) });
    if (options.scale !== undefined)
      items.push({ name: "SCALE", sample: s, role: "scale", value: String(options.scale) });
    if (units !== undefined)
      items.push({ name: "UNITTYPE", sample: s, role: "unittype", value: units });
    const description = descriptions?.[s] ?? longName;
    if (description !== undefined)
      items.push({ name: "DESCRIPTION", sample: s, role: "description", value: description });
  }
  return items;
}

/** Band descriptions: given, or from a text or CF-time coordinate of the band dimension. */
function bandDescriptions(
  array: DataArray,
  bands: number,
  options: WriteGeotiffOptions,
  ctx: { file: string; variable: string },
): string[] | undefined {
  const given = options.bandDescriptions;
  if (given !== undefined) {
    if (
      !Array.isArray(given) ||
      given.length !== bands ||
      given.some((d) => typeof d !== "string")
    ) {
      throw new GeotiffError(
        "INVALID_WRITE",
        `bandDescriptions must be ${bands} string(s), one per band`,
        ctx,
      );
    }
    return given;
  }
  if (array.ndim !== 3) return undefined;
  const coord = array.coord(array.dims[0]);
  if (coord === undefined || coord.dims.length !== 1) return undefined;
  if (Array.isArray(coord.values)) return coord.values.map(String);
  const units = attrString(coord.attrs, "units");
  if (units === undefined || !isTimeUnits(units)) return undefined;
  const times = decodeTimes(coord.values, units, attrString(coord.attrs, "calendar"));
  return times.map((t) => {
    if (t === undefined) return "";
    const iso = formatCFDatetime(t);
    return t.hour === 0 && t.minute === 0 && t.second === 0 ? iso.slice(0, iso.indexOf("T")) : iso;
  });
}
