/**
 * How many bytes a compressed block can possibly decode to, from its stored size alone.
 * A header that claims more pixels than its blocks could hold is corrupt, and is caught
 * with this before the window or any block buffer is allocated.
 */

/** Decoded bytes `count` LZW bytes can produce: codes of at least 9 bits, each one byte longer than the last at most, none longer than the 4096-entry table. */
export function lzwBound(count: number): number {
  const codes = Math.floor((count * 8) / 9);
  if (codes <= 4096) return (codes * (codes + 1)) / 2;
  return (4096 * 4097) / 2 + (codes - 4096) * 4096;
}

/**
 * Most bytes a block of `count` stored bytes decodes to under TIFF compression
 * `compression`; `Infinity` for codecs without a fixed bound (their decoders check
 * the size their own headers declare instead).
 */
export function maxDecoded(compression: number, count: number): number {
  switch (compression) {
    case 1:
      return count;
    case 5:
      return lzwBound(count);
    case 8:
    case 32946:
      // deflate's densest code: 258 bytes from about 2 bits, ~1032:1, plus headers
      return count * 1032 + 1024;
    case 32773:
      // PackBits: a 2-byte run expands to at most 128 bytes
      return count * 64;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * The uncompressed size a Zstandard frame declares (Frame_Content_Size), or undefined
 * when the frame does not say.
 *
 * @throws Error when the bytes are not a Zstandard frame
 */
export function zstdContentSize(b: Uint8Array): number | undefined {
  if (b.length < 6 || b[0] !== 0x28 || b[1] !== 0xb5 || b[2] !== 0x2f || b[3] !== 0xfd) {
    throw new Error("not a Zstandard frame");
  }
  const fhd = b[4];
  const single = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const didSize = [0, 1, 2, 4][fhd & 3];
  const fcsSize = fcsFlag === 0 ? single : [0, 2, 4, 8][fcsFlag];
  if (fcsSize === 0) return undefined;
  const p = 5 + (single ? 0 : 1) + didSize;
  if (p + fcsSize > b.length) throw new Error("Zstandard frame header is truncated");
  const v = new DataView(b.buffer, b.byteOffset + p, fcsSize);
  if (fcsSize === 1) return v.getUint8(0);
  if (fcsSize === 2) return v.getUint16(0, true) + 256;
  if (fcsSize === 4) return v.getUint32(0, true);
  return Number(v.getBigUint64(0, true));
}

/**
 * Bytes a Zstandard stream of `count` bytes may decode to when its frame does not say:
 * a block decodes to at most 128 KiB and takes at least 4 bytes.
 */
export function zstdBound(count: number): number {
  return Math.ceil(count / 4) * 131072;
}

/**
 * PackBits decoding (TIFF 6.0 §9) into at most `capacity` bytes. geotiff.js's decoder
 * collects bytes in a JavaScript array, eight times the memory of the output.
 */
export function packbitsDecode(input: Uint8Array, capacity: number): Uint8Array {
  const out = new Uint8Array(Math.min(capacity, input.length * 64));
  let o = 0;
  let i = 0;
  while (i < input.length && o < out.length) {
    const h = (input[i++] << 24) >> 24; // signed byte
    if (h >= 0) {
      const n = Math.min(h + 1, input.length - i, out.length - o);
      out.set(input.subarray(i, i + n), o);
      i += h + 1;
      o += n;
    } else if (h !== -128) {
      if (i >= input.length) break;
      const n = Math.min(1 - h, out.length - o);
      out.fill(input[i++], o, o + n);
      o += n;
    }
  }
  return out.subarray(0, o);
}
