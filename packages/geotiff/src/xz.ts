/**
 * LZMA blocks (TIFF compression 34925) as libtiff writes them: an .xz stream whose one
 * block runs a byte-wise delta filter before LZMA2. The wasm xz decoder used here has no
 * delta filter, so the block header is rewritten to LZMA2 alone (same size, new CRC) and
 * the delta is undone afterwards. Output stops at the block's known size.
 */
import xzDecompress from "xz-decompress";

const { XzReadableStream } = xzDecompress as unknown as {
  XzReadableStream: new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
};

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Remove a leading delta filter from the first block header; returns its distance (0 if none). */
function dropDelta(xz: Uint8Array): number {
  const magic = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
  if (xz.length < 24 || magic.some((m, i) => xz[i] !== m)) throw new Error("not an xz stream");
  const h = 12; // stream header
  const size = (xz[h] + 1) * 4;
  const flags = xz[h + 1];
  if (xz[h] === 0 || h + size > xz.length) throw new Error("xz block header out of bounds");
  // no compressed/uncompressed sizes (flags 0x40/0x80) and two filters: delta then LZMA2
  if ((flags & 0xc3) !== 0x01 || xz[h + 2] !== 0x03 || xz[h + 3] !== 0x01) return 0;
  const distance = xz[h + 4] + 1;
  const lzma2 = xz.slice(h + 5, h + 8); // id 0x21, props size 1, dictionary props
  if (lzma2[0] !== 0x21 || lzma2[1] !== 0x01)
    throw new Error("xz filter chain is not delta + LZMA2");
  const header = new Uint8Array(size);
  header[0] = xz[h];
  header[1] = 0x00; // one filter
  header.set(lzma2, 2);
  new DataView(header.buffer).setUint32(size - 4, crc32(header.subarray(0, size - 4)), true);
  xz.set(header, h);
  return distance;
}

/**
 * Decode one xz-wrapped TIFF block into at most `capacity` bytes.
 *
 * @throws Error on a damaged stream or when it holds more than `capacity` bytes
 */
export async function decodeXz(input: Uint8Array, capacity: number): Promise<Uint8Array> {
  const xz = input.slice();
  const distance = dropDelta(xz);
  const reader = new XzReadableStream(new Blob([xz]).stream()).getReader();
  // Chunks are kept until the end, so memory follows what the stream really holds.
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (n + value.length > capacity) {
      await reader.cancel();
      throw new Error(`xz block decodes to more than ${capacity} bytes`);
    }
    chunks.push(value);
    n += value.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  for (let i = distance; i < n; i++) out[i] = (out[i] + out[i - distance]) & 0xff;
  return out.subarray(0, n);
}
