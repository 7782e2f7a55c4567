/**
 * A bounds-checked walk over the TIFF structure (header, image file directories, tag
 * arrays) done before geotiff.js sees a file. geotiff.js trusts counts and offsets; a
 * corrupt header could make it loop over a cyclic IFD chain or allocate gigabytes for a
 * tag claiming 2^32 values. Here every count is checked against the file size first.
 */
import type { ByteSource } from "./byte-source.js";
import { GeotiffError } from "./errors.js";

/** Bytes per value of each TIFF field type (TIFF 6.0 §2, BigTIFF types 16–18). */
const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

/** Tags this package reads, by TIFF/GeoTIFF tag number. */
export const TAG = {
  NewSubfileType: 254,
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  Predictor: 317,
  TileWidth: 322,
  TileLength: 323,
  TileOffsets: 324,
  TileByteCounts: 325,
  JPEGTables: 347,
  SampleFormat: 339,
  LercParameters: 50674,
  ModelPixelScale: 33550,
  ModelTiepoint: 33922,
  ModelTransformation: 34264,
  GeoKeyDirectory: 34735,
  GeoDoubleParams: 34736,
  GeoAsciiParams: 34737,
  GdalMetadata: 42112,
  GdalNodata: 42113,
} as const;

/** Most images a file may hold before the chain is called corrupt (COGs hold a handful). */
const MAX_IMAGES = 256;
/** Most entries one IFD may hold (real files hold a few dozen). */
const MAX_ENTRIES = 4096;

/** One directory entry: where its values live. */
export interface TagEntry {
  type: number;
  count: number;
  /** Absolute file offset of the values (inline values point into the IFD itself). */
  offset: number;
}

/** One image file directory. */
export interface Ifd {
  /** Position in the IFD chain (0 = full resolution). */
  index: number;
  /** File offset of the IFD. */
  offset: number;
  /** Entries by tag number. */
  tags: Map<number, TagEntry>;
}

/** Header facts and the validated IFD chain. */
export interface TiffStructure {
  littleEndian: boolean;
  bigTiff: boolean;
  ifds: Ifd[];
}

/**
 * Check the magic bytes of a TIFF: `II*\0`, `MM\0*` (classic) or `II+\0`, `MM\0+` (BigTIFF).
 */
export function isTiffMagic(head: Uint8Array): boolean {
  if (head.length < 4) return false;
  const ii = head[0] === 0x49 && head[1] === 0x49;
  const mm = head[0] === 0x4d && head[1] === 0x4d;
  if (ii) return (head[2] === 42 || head[2] === 43) && head[3] === 0;
  if (mm) return head[2] === 0 && (head[3] === 42 || head[3] === 43);
  return false;
}

/**
 * Read and validate the header and IFD chain.
 *
 * @throws GeotiffError `BAD_MAGIC`, `TRUNCATED` or `CORRUPT`, naming the file
 */
export async function readStructure(src: ByteSource): Promise<TiffStructure> {
  const ctx = { file: src.name };
  const head = await src.read(0, 16);
  if (!isTiffMagic(head)) {
    throw new GeotiffError(
      "BAD_MAGIC",
      "not a TIFF file (expected II*\\0, MM\\0*, II+\\0 or MM\\0+)",
      ctx,
    );
  }
  const littleEndian = head[0] === 0x49;
  const bigTiff = (littleEndian ? head[2] : head[3]) === 43;
  const need = bigTiff ? 16 : 8;
  if (head.length < need) {
    throw new GeotiffError("TRUNCATED", `file ends inside the ${need}-byte TIFF header`, ctx);
  }
  const hv = new DataView(head.buffer, head.byteOffset, head.length);
  let next: number;
  if (bigTiff) {
    if (hv.getUint16(4, littleEndian) !== 8) {
      throw new GeotiffError("CORRUPT", "BigTIFF header offset size is not 8", ctx);
    }
    next = Number(hv.getBigUint64(8, littleEndian));
  } else {
    next = hv.getUint32(4, littleEndian);
  }
  const ifds: Ifd[] = [];
  const seen = new Set<number>();
  while (next !== 0) {
    if (seen.has(next)) {
      throw new GeotiffError("CORRUPT", `IFD chain loops back to offset ${next}`, ctx);
    }
    if (ifds.length >= MAX_IMAGES) {
      throw new GeotiffError("CORRUPT", `more than ${MAX_IMAGES} images in the IFD chain`, ctx);
    }
    seen.add(next);
    const { ifd, nextOffset } = await readIfd(src, next, ifds.length, littleEndian, bigTiff);
    ifds.push(ifd);
    next = nextOffset;
  }
  if (ifds.length === 0) throw new GeotiffError("CORRUPT", "the file holds no image", ctx);
  return { littleEndian, bigTiff, ifds };
}

async function readIfd(
  src: ByteSource,
  offset: number,
  index: number,
  le: boolean,
  big: boolean,
): Promise<{ ifd: Ifd; nextOffset: number }> {
  const ctx = { file: src.name };
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const pointerSize = big ? 8 : 4;
  if (offset + countSize > src.size) {
    throw new GeotiffError(
      "TRUNCATED",
      `IFD ${index} at offset ${offset} is past the end of the file (${src.size} bytes)`,
      ctx,
    );
  }
  const countBytes = await src.read(offset, countSize);
  const cv = new DataView(countBytes.buffer, countBytes.byteOffset, countBytes.length);
  const n = big ? Number(cv.getBigUint64(0, le)) : cv.getUint16(0, le);
  if (n === 0 || n > MAX_ENTRIES) {
    throw new GeotiffError("CORRUPT", `IFD ${index} claims ${n} entries`, ctx);
  }
  const length = n * entrySize + pointerSize;
  if (offset + countSize + length > src.size) {
    throw new GeotiffError(
      "TRUNCATED",
      `IFD ${index} (${n} entries at offset ${offset}) runs past the end of the file`,
      ctx,
    );
  }
  const body = await src.read(offset + countSize, length);
  const v = new DataView(body.buffer, body.byteOffset, body.length);
  const tags = new Map<number, TagEntry>();
  const inlineSize = big ? 8 : 4;
  for (let i = 0; i < n; i++) {
    const p = i * entrySize;
    const tag = v.getUint16(p, le);
    const type = v.getUint16(p + 2, le);
    const count = big ? Number(v.getBigUint64(p + 4, le)) : v.getUint32(p + 4, le);
    const size = TYPE_SIZE[type];
    // Unknown field types are skipped, as the TIFF specification asks readers to do.
    if (size === undefined) continue;
    const bytes = size * count;
    let valueOffset: number;
    if (bytes <= inlineSize) {
      valueOffset = offset + countSize + p + (big ? 12 : 8);
    } else {
      valueOffset = big ? Number(v.getBigUint64(p + 12, le)) : v.getUint32(p + 8, le);
      if (!Number.isSafeInteger(bytes) || valueOffset + bytes > src.size) {
        throw new GeotiffError(
          "TRUNCATED",
          `IFD ${index}: tag ${tag} claims ${count} values at offset ${valueOffset}, past the end of the file (${src.size} bytes)`,
          ctx,
        );
      }
    }
    tags.set(tag, { type, count, offset: valueOffset });
  }
  const nextOffset = big
    ? Number(v.getBigUint64(n * entrySize, le))
    : v.getUint32(n * entrySize, le);
  return { ifd: { index, offset, tags }, nextOffset };
}

/**
 * The numeric values of one tag (integers, rationals as quotients, floats).
 * Counts were checked against the file size by {@link readStructure}.
 */
export async function readTagNumbers(
  src: ByteSource,
  structure: TiffStructure,
  entry: TagEntry,
): Promise<number[]> {
  const size = TYPE_SIZE[entry.type];
  const bytes = await src.read(entry.offset, size * entry.count);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const le = structure.littleEndian;
  const out = new Array<number>(entry.count);
  for (let i = 0; i < entry.count; i++) {
    const p = i * size;
    switch (entry.type) {
      case 1:
      case 2:
      case 7:
        out[i] = v.getUint8(p);
        break;
      case 6:
        out[i] = v.getInt8(p);
        break;
      case 3:
        out[i] = v.getUint16(p, le);
        break;
      case 8:
        out[i] = v.getInt16(p, le);
        break;
      case 4:
      case 13:
        out[i] = v.getUint32(p, le);
        break;
      case 9:
        out[i] = v.getInt32(p, le);
        break;
      case 5:
        out[i] = v.getUint32(p, le) / v.getUint32(p + 4, le);
        break;
      case 10:
        out[i] = v.getInt32(p, le) / v.getInt32(p + 4, le);
        break;
      case 11:
        out[i] = v.getFloat32(p, le);
        break;
      case 12:
        out[i] = v.getFloat64(p, le);
        break;
      case 16:
      case 18:
        out[i] = Number(v.getBigUint64(p, le));
        break;
      case 17:
        out[i] = Number(v.getBigInt64(p, le));
        break;
    }
  }
  return out;
}

/** The text of an ASCII tag, without the trailing NUL. */
export async function readTagText(src: ByteSource, entry: TagEntry): Promise<string> {
  const bytes = await src.read(entry.offset, entry.count);
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return new TextDecoder("latin1").decode(bytes.subarray(0, end));
}
