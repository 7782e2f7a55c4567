/**
 * Encoding blocks for writing: the TIFF predictors (2, horizontal differencing of
 * integers; 3, Adobe's floating-point predictor), then deflate or Zstandard.
 */
import { deflateSync } from "node:zlib";
import { compress as zstdCompress, init as zstdInit } from "@bokuweb/zstd-wasm";

/** Block compressions the writer produces. */
export type Compression = "none" | "deflate" | "zstd";

/** TIFF compression codes. */
export const COMPRESSION_CODE: Record<Compression, number> = { none: 1, deflate: 8, zstd: 50000 };

let zstdReady: Promise<void> | undefined;

/** Load the Zstandard encoder (WebAssembly) once. */
export function loadEncoders(compression: Compression): Promise<void> {
  if (compression !== "zstd") return Promise.resolve();
  zstdReady ??= zstdInit();
  return zstdReady;
}

/**
 * Apply a predictor in place to whole rows of `rowSamples` single-band samples, stored
 * little-endian in `block`.
 */
export function applyPredictor(
  block: Uint8Array,
  predictor: 1 | 2 | 3,
  rowSamples: number,
  bytes: number,
): void {
  if (predictor === 1) return;
  const rowBytes = rowSamples * bytes;
  const rows = block.length / rowBytes;
  if (predictor === 2) {
    const view =
      bytes === 1
        ? block
        : bytes === 2
          ? new Uint16Array(block.buffer, block.byteOffset, block.length / 2)
          : new Uint32Array(block.buffer, block.byteOffset, block.length / 4);
    for (let r = 0; r < rows; r++) {
      const base = r * rowSamples;
      for (let k = base + rowSamples - 1; k > base; k--) view[k] -= view[k - 1];
    }
    return;
  }
  const planes = new Uint8Array(rowBytes);
  for (let r = 0; r < rows; r++) {
    const at = r * rowBytes;
    // byte planes, most significant first, then byte-wise differences over the row
    for (let i = 0; i < rowSamples; i++) {
      for (let b = 0; b < bytes; b++) {
        planes[(bytes - 1 - b) * rowSamples + i] = block[at + i * bytes + b];
      }
    }
    for (let k = rowBytes - 1; k > 0; k--) planes[k] = (planes[k] - planes[k - 1]) & 0xff;
    block.set(planes, at);
  }
}

/** Compress one block (after its predictor). */
export function compressBlock(
  raw: Uint8Array,
  compression: Compression,
  level?: number,
): Uint8Array {
  if (compression === "none") return raw;
  if (compression === "deflate") {
    return new Uint8Array(deflateSync(raw, level === undefined ? {} : { level }));
  }
  return zstdCompress(raw, level ?? 9);
}
