/**
 * What one TIFF image (IFD) holds — size, sample layout, compression, blocks — checked
 * for the combinations geotiff.js decodes, with every size bounded before any read.
 */
import type { DType } from "@geoml/grid";
import type { ByteSource } from "./byte-source.js";
import { GeotiffError } from "./errors.js";
import { type Ifd, readTagNumbers, TAG, type TiffStructure } from "./structure.js";

/** TIFF compression codes geotiff.js decodes, with their GDAL names. */
export const COMPRESSION_NAMES: Record<number, string> = {
  1: "NONE",
  5: "LZW",
  7: "JPEG",
  8: "DEFLATE",
  32946: "DEFLATE",
  32773: "PACKBITS",
  34887: "LERC",
  34925: "LZMA",
  50000: "ZSTD",
  50001: "WEBP",
};

/** Largest decoded block (tile or strip) accepted: 256 MiB. */
const MAX_BLOCK_BYTES = 2 ** 28;

/** A pixel window: columns `[x, x + width)` and rows `[y, y + height)`. */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Validated facts about one image. */
export interface ImageInfo {
  /** IFD position in the file. */
  index: number;
  width: number;
  height: number;
  /** Samples (bands) per pixel. */
  bands: number;
  /** Element type of every band. */
  dtype: DType;
  /** Bytes per sample. */
  bytes: number;
  /** TIFF compression code. */
  compression: number;
  /** 1 none, 2 horizontal differencing, 3 floating point. */
  predictor: number;
  /** 1 pixel-interleaved, 2 band-separate. */
  planar: number;
  tiled: boolean;
  /** Tile size, or image width × rows per strip. */
  blockWidth: number;
  blockHeight: number;
  /** NewSubfileType bits: 1 = reduced resolution (overview), 4 = transparency mask. */
  subfileType: number;
  /** JPEG tables shared by the blocks (JPEG compression). */
  jpegTables?: Uint8Array;
  /** LERC version and additional compression (LERC compression). */
  lercParameters?: number[];
}

function dtypeFor(format: number, bits: number): DType | undefined {
  if (format === 1) return ({ 8: "uint8", 16: "uint16", 32: "uint32" } as const)[bits];
  if (format === 2) return ({ 8: "int8", 16: "int16", 32: "int32" } as const)[bits];
  if (format === 3) return ({ 32: "float32", 64: "float64" } as const)[bits];
  return undefined;
}

/**
 * Describe and validate image `ifd`.
 *
 * @throws GeotiffError `CORRUPT` for impossible values, `UNSUPPORTED` for valid layouts
 *   this reader does not decode
 */
export async function describeImage(
  src: ByteSource,
  structure: TiffStructure,
  ifd: Ifd,
): Promise<ImageInfo> {
  const ctx = { file: src.name };
  const where = `image ${ifd.index}`;
  const num = async (tag: number, fallback?: number): Promise<number[] | undefined> => {
    const e = ifd.tags.get(tag);
    if (e === undefined) return fallback === undefined ? undefined : [fallback];
    return readTagNumbers(src, structure, e);
  };
  const one = async (tag: number, name: string, fallback?: number): Promise<number> => {
    const v = await num(tag, fallback);
    if (v === undefined || v.length === 0) {
      throw new GeotiffError("CORRUPT", `${where} has no ${name} tag`, ctx);
    }
    return v[0];
  };
  const width = await one(TAG.ImageWidth, "ImageWidth");
  const height = await one(TAG.ImageLength, "ImageLength");
  const bands = await one(TAG.SamplesPerPixel, "SamplesPerPixel", 1);
  for (const [name, v] of [
    ["ImageWidth", width],
    ["ImageLength", height],
    ["SamplesPerPixel", bands],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1) {
      throw new GeotiffError("CORRUPT", `${where}: ${name} is ${v}`, ctx);
    }
  }
  if (bands > 65535) throw new GeotiffError("CORRUPT", `${where}: ${bands} samples per pixel`, ctx);
  const bitsAll = (await num(TAG.BitsPerSample, 1)) ?? [1];
  const formatAll = (await num(TAG.SampleFormat, 1)) ?? [1];
  // TIFF lists one BitsPerSample per sample; a lone value is tolerated for a few samples
  // (RGB(A) writers), so a damaged SamplesPerPixel cannot conjure thousands of bands.
  if (bitsAll.length !== bands && (bitsAll.length !== 1 || bands > 4)) {
    throw new GeotiffError(
      "CORRUPT",
      `${where}: SamplesPerPixel is ${bands} but BitsPerSample lists ${bitsAll.length} value(s)`,
      ctx,
    );
  }
  const bits = bitsAll[0];
  const format = formatAll[0];
  if (bitsAll.some((b) => b !== bits) || formatAll.some((f) => f !== format)) {
    throw new GeotiffError("UNSUPPORTED", `${where}: bands of different sample types`, ctx);
  }
  const dtype = dtypeFor(format, bits);
  if (dtype === undefined) {
    throw new GeotiffError(
      "UNSUPPORTED",
      `${where}: ${bits}-bit samples of SampleFormat ${format} (supported: 8/16/32-bit integers, 32/64-bit floats)`,
      ctx,
    );
  }
  const bytes = bits / 8;
  const compression = await one(TAG.Compression, "Compression", 1);
  if (COMPRESSION_NAMES[compression] === undefined) {
    throw new GeotiffError("UNSUPPORTED", `${where}: compression code ${compression}`, ctx);
  }
  const photometric = await one(TAG.Photometric, "PhotometricInterpretation", 1);
  if ((compression === 7 || compression === 50001) && dtype !== "uint8") {
    throw new GeotiffError(
      "UNSUPPORTED",
      `${where}: ${COMPRESSION_NAMES[compression]} compression of ${dtype} samples`,
      ctx,
    );
  }
  if (compression === 7 && photometric === 6) {
    // geotiff.js returns the raw YCbCr components; GDAL converts them to RGB.
    throw new GeotiffError(
      "UNSUPPORTED",
      `${where}: JPEG in YCbCr colour space (write it with PHOTOMETRIC=RGB or as single bands)`,
      ctx,
    );
  }
  const predictor = await one(TAG.Predictor, "Predictor", 1);
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) {
    throw new GeotiffError("CORRUPT", `${where}: predictor ${predictor}`, ctx);
  }
  if (predictor === 3 && format !== 3) {
    throw new GeotiffError("CORRUPT", `${where}: floating-point predictor on integer samples`, ctx);
  }
  if (predictor !== 1 && bytes > 1 && !structure.littleEndian) {
    // geotiff.js undoes predictors in host byte order; on big-endian data that is wrong.
    throw new GeotiffError(
      "UNSUPPORTED",
      `${where}: predictor ${predictor} on big-endian ${bits}-bit samples`,
      ctx,
    );
  }
  const planar = await one(TAG.PlanarConfiguration, "PlanarConfiguration", 1);
  if (planar !== 1 && planar !== 2) {
    throw new GeotiffError("CORRUPT", `${where}: PlanarConfiguration ${planar}`, ctx);
  }
  const tiled = ifd.tags.has(TAG.TileOffsets);
  let blockWidth: number;
  let blockHeight: number;
  if (tiled) {
    blockWidth = await one(TAG.TileWidth, "TileWidth");
    blockHeight = await one(TAG.TileLength, "TileLength");
  } else {
    if (!ifd.tags.has(TAG.StripOffsets)) {
      throw new GeotiffError("CORRUPT", `${where} has neither StripOffsets nor TileOffsets`, ctx);
    }
    blockWidth = width;
    blockHeight = Math.min(await one(TAG.RowsPerStrip, "RowsPerStrip", height), height);
  }
  if (
    !Number.isInteger(blockWidth) ||
    !Number.isInteger(blockHeight) ||
    blockWidth < 1 ||
    blockHeight < 1
  ) {
    throw new GeotiffError("CORRUPT", `${where}: block size ${blockWidth}×${blockHeight}`, ctx);
  }
  const perPixel = planar === 1 ? bands * bytes : bytes;
  if (blockWidth * blockHeight * perPixel > MAX_BLOCK_BYTES) {
    throw new GeotiffError(
      "TOO_LARGE",
      `${where}: one ${blockWidth}×${blockHeight} block decodes to more than ${MAX_BLOCK_BYTES} bytes`,
      ctx,
    );
  }
  const expected = blockCount({ width, height, bands, planar, blockWidth, blockHeight });
  const offsets = ifd.tags.get(tiled ? TAG.TileOffsets : TAG.StripOffsets);
  const counts = ifd.tags.get(tiled ? TAG.TileByteCounts : TAG.StripByteCounts);
  if (offsets === undefined || counts === undefined) {
    throw new GeotiffError("CORRUPT", `${where} has block offsets but no byte counts`, ctx);
  }
  if (offsets.count < expected || counts.count < expected) {
    throw new GeotiffError(
      "CORRUPT",
      `${where}: ${expected} ${tiled ? "tiles" : "strips"} expected, offsets list ${offsets.count} and byte counts ${counts.count}`,
      ctx,
    );
  }
  const subfileType = (await num(TAG.NewSubfileType, 0))?.[0] ?? 0;
  const tables = compression === 7 ? await num(TAG.JPEGTables) : undefined;
  const lerc = compression === 34887 ? await num(TAG.LercParameters) : undefined;
  return {
    ...(tables === undefined ? {} : { jpegTables: Uint8Array.from(tables) }),
    ...(lerc === undefined ? {} : { lercParameters: lerc }),
    index: ifd.index,
    width,
    height,
    bands,
    dtype,
    bytes,
    compression,
    predictor,
    planar,
    tiled,
    blockWidth,
    blockHeight,
    subfileType,
  };
}

/** Number of tiles or strips an image is stored in. */
export function blockCount(
  info: Pick<ImageInfo, "width" | "height" | "bands" | "planar" | "blockWidth" | "blockHeight">,
): number {
  const across = Math.ceil(info.width / info.blockWidth);
  const down = Math.ceil(info.height / info.blockHeight);
  return across * down * (info.planar === 2 ? info.bands : 1);
}

/**
 * Check that every tile or strip lies inside the file, so a truncated file fails with a
 * clear error instead of decoding short blocks.
 *
 * @returns the byte count of every block
 * @throws GeotiffError `TRUNCATED` naming the first block that runs past the end
 */
export async function checkBlocks(
  src: ByteSource,
  structure: TiffStructure,
  ifd: Ifd,
  info: ImageInfo,
): Promise<number[]> {
  const offsets = await readTagNumbers(
    src,
    structure,
    ifd.tags.get(info.tiled ? TAG.TileOffsets : TAG.StripOffsets)!,
  );
  const counts = await readTagNumbers(
    src,
    structure,
    ifd.tags.get(info.tiled ? TAG.TileByteCounts : TAG.StripByteCounts)!,
  );
  const n = blockCount(info);
  const kind = info.tiled ? "tile" : "strip";
  for (let i = 0; i < n; i++) {
    // GDAL writes offset 0 / count 0 for sparse (all-nodata) blocks; those are fine.
    if (counts[i] === 0) continue;
    if (offsets[i] + counts[i] > src.size) {
      throw new GeotiffError(
        "TRUNCATED",
        `image ${info.index}: ${kind} ${i} (${counts[i]} bytes at offset ${offsets[i]}) runs past the end of the file (${src.size} bytes)`,
        { file: src.name },
      );
    }
  }
  return counts;
}
