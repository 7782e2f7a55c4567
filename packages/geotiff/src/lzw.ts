/**
 * TIFF LZW decoding (TIFF 6.0 §13: MSB-first codes of 9–12 bits, ClearCode 256,
 * EndOfInformation 257, code width growing one code early). Written here rather than
 * taken from geotiff.js because a damaged stream must stay bounded: output never
 * exceeds `capacity`, and a table entry only ever points back into output already
 * written, so expanding a code can never loop.
 *
 * Every table string is "the previous code's string plus one byte", and that string
 * sits in the output already, followed by exactly that byte. So an entry is stored as
 * (position, length) in the output and expanded with a copy — no prefix chains.
 */

import { lzwBound } from "./bounds.js";

const CLEAR = 256;
const EOI = 257;
const MAX_CODES = 4096;

/**
 * Decode an LZW stream into at most `capacity` bytes.
 *
 * @throws Error on a code that is not in the table
 */
export function lzwDecode(input: Uint8Array, capacity: number): Uint8Array {
  // never more than the stream could expand to, whatever the header claims
  capacity = Math.min(capacity, lzwBound(input.length));
  const out = new Uint8Array(capacity);
  const start = new Int32Array(MAX_CODES);
  const length = new Int32Array(MAX_CODES);
  let next = 258;
  let width = 9;
  let prevStart = -1; // where the previous code's string was written
  let prevLength = 0;
  let o = 0;
  let bit = 0;
  const totalBits = input.length * 8;
  const n = input.length;

  while (bit + width <= totalBits && o < capacity) {
    const b = bit >>> 3;
    const word =
      (input[b] << 16) | ((b + 1 < n ? input[b + 1] : 0) << 8) | (b + 2 < n ? input[b + 2] : 0);
    const code = (word >>> (24 - (bit & 7) - width)) & ((1 << width) - 1);
    bit += width;
    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      prevStart = -1;
      continue;
    }
    const at = o;
    let len: number;
    if (code < 256) {
      out[o++] = code;
      len = 1;
    } else if (code < next && code >= 258) {
      len = length[code];
      copy(start[code], len);
    } else if (code === next && prevStart >= 0) {
      // the KwKwK case: the previous string plus its own first byte
      len = prevLength + 1;
      copy(prevStart, prevLength);
      if (o < capacity) out[o++] = out[prevStart];
    } else {
      throw new Error(`LZW code ${code} is not in the table (next free ${next})`);
    }
    if (prevStart >= 0 && next < MAX_CODES) {
      start[next] = prevStart;
      length[next] = prevLength + 1;
      next++;
      if (next + 1 >= 1 << width && width < 12) width++;
    }
    prevStart = at;
    prevLength = len;
  }
  return out.subarray(0, o);

  function copy(from: number, len: number) {
    const end = Math.min(capacity, o + len);
    if (end - o > 16) {
      out.copyWithin(o, from, from + (end - o));
      o = end;
    } else {
      while (o < end) out[o++] = out[from++];
    }
  }
}
