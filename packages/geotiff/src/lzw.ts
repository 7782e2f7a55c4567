/**
 * TIFF LZW decoding (TIFF 6.0 §13: MSB-first codes of 9–12 bits, ClearCode 256,
 * EndOfInformation 257, code width growing one code early). Written here rather than
 * taken from geotiff.js because a damaged stream must stay bounded: output never
 * exceeds `capacity`, and each table entry points only at older entries, so expanding
 * a code can never loop.
 */

const CLEAR = 256;
const EOI = 257;
const MAX_CODES = 4096;

/**
 * Decode an LZW stream into at most `capacity` bytes.
 *
 * @throws Error on a code that is not in the table
 */
export function lzwDecode(input: Uint8Array, capacity: number): Uint8Array {
  const out = new Uint8Array(capacity);
  const prefix = new Int16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  let next = 258;
  let width = 9;
  let old = -1;
  let o = 0;
  let bit = 0;
  const totalBits = input.length * 8;

  // Write the string of `code` at the output position, cut at capacity.
  const emit = (code: number) => {
    const len = length[code];
    let pos = o + len - 1;
    for (let c = code; c !== -1; c = prefix[c]) {
      if (pos < capacity) out[pos] = suffix[c];
      pos--;
    }
    o = Math.min(capacity, o + len);
  };

  while (bit + width <= totalBits && o < capacity) {
    const b = bit >>> 3;
    const word = (input[b] << 16) | ((input[b + 1] ?? 0) << 8) | (input[b + 2] ?? 0);
    const code = (word >>> (24 - (bit & 7) - width)) & ((1 << width) - 1);
    bit += width;
    if (code === EOI) break;
    if (code === CLEAR) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW code ${code} right after a clear code`);
      emit(code);
      old = code;
      continue;
    }
    let c: number;
    if (code < next) {
      emit(code);
      c = first[code];
    } else if (code === next) {
      // the KwKwK case: the new string is old + first byte of old
      c = first[old];
      if (next < MAX_CODES) {
        addEntry(next, old, c);
        emit(next);
      } else {
        throw new Error(`LZW code ${code} beyond a full table`);
      }
      next++;
      old = code;
      if (next + 1 >= 1 << width && width < 12) width++;
      continue;
    } else {
      throw new Error(`LZW code ${code} is not in the table (next free ${next})`);
    }
    if (next < MAX_CODES) {
      addEntry(next, old, c);
      next++;
    }
    old = code;
    if (next + 1 >= 1 << width && width < 12) width++;
  }
  return out.subarray(0, o);

  function addEntry(at: number, pre: number, c: number) {
    prefix[at] = pre;
    suffix[at] = c;
    first[at] = first[pre];
    length[at] = length[pre] + 1;
  }
}
