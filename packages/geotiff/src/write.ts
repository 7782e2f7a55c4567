/**
 * Writing a labelled 2-D (`y, x`) or 3-D (`band, y, x`) array as a GeoTIFF that GDAL
 * reads: georeferencing from the x/y coordinates (or a given geotransform), the CRS as
 * an EPSG GeoKey, nodata in GDAL_NODATA, scale/offset/units in GDAL_METADATA. Classic
 * TIFF, little-endian, strips of about 64 KiB, band-separate, optionally deflated.
 */
import { writeFile } from "node:fs/promises";
import { deflateSync } from "node:zlib";
import { type Attrs, attrNumber, attrString, type DataArray, type DType } from "@geoml/grid";
import { GeotiffError } from "./errors.js";
import type { GeoTransform } from "./georef.js";
import { formatGdalMetadata, formatNodata, type GdalItem } from "./metadata.js";
import { TAG } from "./structure.js";

/** Options of {@link writeGeotiff} and {@link encodeGeotiff}. */
export interface WriteGeotiffOptions {
  /** EPSG code of the CRS; default the array's `epsg` attribute or `crs: "EPSG:<n>"`. */
  epsg?: number;
  /** Geotransform; default derived from regularly spaced `x`/`y` coordinates, or the `geotransform` attribute. */
  geoTransform?: GeoTransform;
  /**
   * Nodata value; NaN cells of float data are written as it. Default the array's
   * `_FillValue` encoding or attribute, else NaN for float data that holds NaN.
   */
  nodata?: number;
  /**
   * Stored sample type; default the data's own (float64 data stays float64). Converting
   * to integers rounds and clamps; NaN cells then need `nodata`.
   */
  dtype?: Exclude<DType, "char" | "string" | "int64" | "uint64">;
  /** `"deflate"` (default) or `"none"`. */
  compression?: "deflate" | "none";
  /** One description per band (GDAL's band description), e.g. a model term per band; default the `long_name`. */
  bandDescriptions?: readonly string[];
  /** GDAL scale/offset metadata to record (values are written as given, not packed). */
  scale?: number;
  offset?: number;
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
 * Write `array` to `path` as a GeoTIFF (see {@link encodeGeotiff}).
 *
 * @throws GeotiffError `INVALID_WRITE`, `TOO_LARGE`, `IO_ERROR`
 */
export async function writeGeotiff(
  path: string,
  array: DataArray,
  options: WriteGeotiffOptions = {},
): Promise<void> {
  const bytes = encodeGeotiff(array, options, path);
  try {
    await writeFile(path, bytes);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new GeotiffError("IO_ERROR", `cannot write: ${detail}`, { file: path });
  }
}

/**
 * Encode `array` (dims `[y, x]` or `[band, y, x]`, any names) as GeoTIFF bytes.
 *
 * @param file - name used in error messages
 * @throws GeotiffError `INVALID_WRITE` for a wrong rank, irregular coordinates or
 *   unsupported dtype; `TOO_LARGE` beyond the 4 GiB of a classic TIFF
 */
export function encodeGeotiff(
  array: DataArray,
  options: WriteGeotiffOptions = {},
  file = "<memory>",
): Uint8Array {
  const ctx = { file, variable: array.name };
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
  const dtype = options.dtype ?? array.dtype;
  const sample = SAMPLE[dtype];
  if (sample === undefined) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `dtype ${dtype} cannot be stored (use 8–32-bit integers or floats)`,
      ctx,
    );
  }
  const isFloat = sample.format === 3;
  const nodata = options.nodata ?? fillValueOf(array, isFloat);
  if (nodata !== undefined && Number.isNaN(nodata) && !isFloat) {
    throw new GeotiffError("INVALID_WRITE", `nodata NaN needs a float dtype, not ${dtype}`, ctx);
  }
  const gt = options.geoTransform ?? geoTransformFor(array, ctx);
  const epsg = options.epsg ?? epsgFor(array.attrs);

  // Samples, converted to the stored type; NaN becomes nodata.
  const bytesPerSample = sample.bits / 8;
  const bandPixels = width * height;
  const rowsPerStrip = Math.max(
    1,
    Math.min(height, Math.floor(STRIP_BYTES / (width * bytesPerSample))),
  );
  const stripsPerBand = Math.ceil(height / rowsPerStrip);
  const strips: Uint8Array[] = [];
  const src = array.data;
  const Ctor = CTORS[dtype as keyof typeof CTORS];
  const replaceNaN = nodata !== undefined && !Number.isNaN(nodata);
  const [lo, hi] = RANGE[dtype] ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  if (!isFloat && !replaceNaN && hasNaN(src)) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `NaN cells need a nodata value to be stored as ${dtype}`,
      ctx,
    );
  }
  for (let b = 0; b < bands; b++) {
    for (let s = 0; s < stripsPerBand; s++) {
      const row0 = s * rowsPerStrip;
      const rows = Math.min(rowsPerStrip, height - row0);
      const n = rows * width;
      const typed = new Ctor(n);
      const base = b * bandPixels + row0 * width;
      for (let i = 0; i < n; i++) {
        const v = Number(src[base + i]);
        if (Number.isNaN(v)) typed[i] = replaceNaN ? nodata : v;
        else if (isFloat) typed[i] = v;
        // integers are rounded and clamped to the type's range, as GDAL converts them
        else typed[i] = Math.min(hi, Math.max(lo, Math.round(v)));
      }
      const raw = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
      strips.push(options.compression === "none" ? raw : new Uint8Array(deflateSync(raw)));
    }
  }

  const tags: TagValue[] = [
    { tag: TAG.ImageWidth, type: 4, values: [width] },
    { tag: TAG.ImageLength, type: 4, values: [height] },
    { tag: TAG.BitsPerSample, type: 3, values: new Array(bands).fill(sample.bits) },
    { tag: TAG.Compression, type: 3, values: [options.compression === "none" ? 1 : 8] },
    { tag: 262, type: 3, values: [1] }, // PhotometricInterpretation: BlackIsZero
    { tag: TAG.StripOffsets, type: 4, values: new Array(strips.length).fill(0) },
    { tag: TAG.SamplesPerPixel, type: 3, values: [bands] },
    { tag: TAG.RowsPerStrip, type: 4, values: [rowsPerStrip] },
    { tag: TAG.StripByteCounts, type: 4, values: strips.map((s) => s.length) },
    { tag: TAG.PlanarConfiguration, type: 3, values: [bands > 1 ? 2 : 1] },
    { tag: TAG.SampleFormat, type: 3, values: new Array(bands).fill(sample.format) },
  ];
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
  if (options.bandDescriptions !== undefined && options.bandDescriptions.length !== bands) {
    throw new GeotiffError(
      "INVALID_WRITE",
      `${options.bandDescriptions.length} band descriptions for ${bands} bands`,
      ctx,
    );
  }
  const items = metadataItems(array, bands, options);
  if (items.length > 0)
    tags.push({ tag: TAG.GdalMetadata, type: 2, text: formatGdalMetadata(items) });
  if (nodata !== undefined) tags.push({ tag: TAG.GdalNodata, type: 2, text: formatNodata(nodata) });
  tags.sort((a, b) => a.tag - b.tag);

  return layout(tags, strips, ctx);
}

interface TagValue {
  tag: number;
  /** TIFF field type: 2 ASCII, 3 SHORT, 4 LONG, 12 DOUBLE. */
  type: 2 | 3 | 4 | 12;
  values?: number[];
  text?: string;
}

const SIZE = { 2: 1, 3: 2, 4: 4, 12: 8 } as const;

// File layout: header, IFD, out-of-line tag values, then strips.
function layout(
  tags: TagValue[],
  strips: Uint8Array[],
  ctx: { file: string; variable: string },
): Uint8Array {
  const encoder = new TextEncoder();
  const payloads = tags.map((t) =>
    t.text !== undefined ? encoder.encode(`${t.text}\0`) : undefined,
  );
  const counts = tags.map((t, i) => payloads[i]?.length ?? t.values!.length);
  const ifdSize = 2 + tags.length * 12 + 4;
  let cursor = 8 + ifdSize;
  const valueOffsets = tags.map((t, i) => {
    const bytes = counts[i] * SIZE[t.type];
    if (bytes <= 4) return -1;
    cursor += cursor % 2; // word alignment
    const at = cursor;
    cursor += bytes;
    return at;
  });
  const stripOffsets: number[] = [];
  for (const s of strips) {
    stripOffsets.push(cursor);
    cursor += s.length;
  }
  if (cursor > 2 ** 32 - 1) {
    throw new GeotiffError("TOO_LARGE", `${cursor} bytes exceed the 4 GiB of a classic TIFF`, ctx);
  }
  tags.find((t) => t.tag === TAG.StripOffsets)!.values = stripOffsets;

  const out = new Uint8Array(cursor);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, 8, true);
  v.setUint16(8, tags.length, true);
  const writeValues = (t: TagValue, i: number, at: number) => {
    const payload = payloads[i];
    if (payload !== undefined) {
      out.set(payload, at);
      return;
    }
    t.values!.forEach((x, k) => {
      const p = at + k * SIZE[t.type];
      if (t.type === 3) v.setUint16(p, x, true);
      else if (t.type === 4) v.setUint32(p, x, true);
      else v.setFloat64(p, x, true);
    });
  };
  tags.forEach((t, i) => {
    const p = 10 + i * 12;
    v.setUint16(p, t.tag, true);
    v.setUint16(p + 2, t.type, true);
    v.setUint32(p + 4, counts[i], true);
    if (valueOffsets[i] < 0) writeValues(t, i, p + 8);
    else {
      v.setUint32(p + 8, valueOffsets[i], true);
      writeValues(t, i, valueOffsets[i]);
    }
  });
  v.setUint32(10 + tags.length * 12, 0, true); // no further IFD
  strips.forEach((s, i) => {
    out.set(s, stripOffsets[i]);
  });
  return out;
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

function metadataItems(array: DataArray, bands: number, options: WriteGeotiffOptions): GdalItem[] {
  const items: GdalItem[] = [];
  const units = attrString(array.attrs, "units");
  const longName = attrString(array.attrs, "long_name");
  for (let s = 0; s < bands; s++) {
    if (options.offset !== undefined)
      items.push({ name: "OFFSET", sample: s, role: "offset", value: String(options.offset) });
    if (options.scale !== undefined)
      items.push({ name: "SCALE", sample: s, role: "scale", value: String(options.scale) });
    if (units !== undefined)
      items.push({ name: "UNITTYPE", sample: s, role: "unittype", value: units });
    const description = options.bandDescriptions?.[s] ?? longName;
    if (description !== undefined)
      items.push({ name: "DESCRIPTION", sample: s, role: "description", value: description });
  }
  return items;
}
