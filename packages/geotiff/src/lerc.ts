/**
 * LERC blocks (TIFF compression 34887), lossless or not, optionally wrapped in deflate or
 * Zstandard. geotiff.js's own LERC decoder drops the LERC validity mask, so cells GDAL
 * reads as nodata (NaN in float data) come back as 0; here masked cells get the band's
 * nodata. The blob header is checked against the block size before anything is decoded.
 */
// @ts-expect-error: the lerc package ships no types
import Lerc from "lerc";
import type { ZSTDDecoder } from "zstddec";
import { inflate } from "./inflate.js";

/** What the LERC decoder needs to know about the block. */
export interface LercBlock {
  width: number;
  height: number;
  /** Values per pixel in the blob: samples per pixel when pixel-interleaved, else 1. */
  depth: number;
  bytes: number;
  /** LercParameters tag: [version, additional compression (0 none, 1 deflate, 2 zstd)]. */
  parameters?: ArrayLike<number>;
  /** Value written into masked cells: the band's nodata, else NaN (floats) or 0. */
  nodata?: number;
}

/** Largest LERC blob accepted for a block: its raw size, plus headers and mask, doubled. */
function blobLimit(b: LercBlock): number {
  return 2 * b.width * b.height * (b.depth * b.bytes + 1) + 65536;
}

/** Rows, columns and depth from a Lerc2 header; throws on anything else. */
function lercHeader(blob: Uint8Array): { rows: number; cols: number; depth: number } {
  const id = String.fromCharCode(...blob.subarray(0, 6));
  if (id !== "Lerc2 " || blob.length < 30) {
    throw new Error(`not a Lerc2 blob (starts with "${id.replace(/[^\x20-\x7e]/g, "?")}")`);
  }
  const v = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = v.getInt32(6, true);
  const p = version >= 3 ? 14 : 10;
  return {
    rows: v.getUint32(p, true),
    cols: v.getUint32(p + 4, true),
    depth: version >= 4 ? v.getUint32(p + 8, true) : 1,
  };
}

/**
 * Decode one LERC block into row-major (pixel-interleaved) samples.
 *
 * @throws Error when the blob is damaged or does not match the block
 */
export function decodeLerc(input: Uint8Array, block: LercBlock, zstd: ZSTDDecoder): Uint8Array {
  const limit = blobLimit(block);
  const extra = block.parameters?.[1] ?? 0;
  let blob: Uint8Array;
  if (extra === 0) blob = input;
  else if (extra === 1) blob = inflate(input, limit);
  else if (extra === 2) blob = zstd.decode(input, limit);
  else throw new Error(`LERC additional compression ${extra} is unknown`);
  const h = lercHeader(blob);
  // A strip at the bottom of the image may hold fewer rows.
  if (h.cols !== block.width || h.rows > block.height || h.rows < 1 || h.depth !== block.depth) {
    throw new Error(
      `LERC blob is ${h.cols}×${h.rows}×${h.depth}, block is ${block.width}×${block.height}×${block.depth}`,
    );
  }
  const copy = new Uint8Array(blob).buffer; // a standalone copy: Buffers share a pool
  const result = Lerc.decode(copy, { returnPixelInterleavedDims: true }) as {
    pixels: Array<ArrayLike<number> & { buffer: ArrayBuffer; BYTES_PER_ELEMENT: number }>;
    mask?: Uint8Array | null;
  };
  const pixels = result.pixels[0];
  const n = h.rows * h.cols * h.depth;
  if (pixels.length !== n || pixels.BYTES_PER_ELEMENT !== block.bytes) {
    throw new Error(`LERC blob holds ${pixels.length} values of ${pixels.BYTES_PER_ELEMENT} bytes`);
  }
  const mask = result.mask;
  if (mask) {
    // 0 = invalid; the mask is per pixel and covers every sample of it.
    const float = pixels instanceof Float32Array || pixels instanceof Float64Array;
    const fill = block.nodata ?? (float ? Number.NaN : 0);
    const out = pixels as unknown as { [i: number]: number };
    for (let i = 0; i < h.rows * h.cols; i++) {
      if (mask[i] === 0) for (let d = 0; d < h.depth; d++) out[i * h.depth + d] = fill;
    }
  }
  return new Uint8Array(
    pixels.buffer,
    (pixels as unknown as Uint8Array).byteOffset,
    n * block.bytes,
  );
}
