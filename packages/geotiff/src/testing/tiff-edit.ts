/** Byte surgery on little-endian classic TIFFs, for tests that damage real files on purpose. */

/** Offset of the first IFD. */
export function firstIfd(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
}

/** Byte position of the 12-byte IFD entry for `tag` in the first IFD. */
export function entryOf(bytes: Uint8Array, tag: number): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset);
  const ifd = firstIfd(bytes);
  const n = v.getUint16(ifd, true);
  for (let i = 0; i < n; i++) {
    const p = ifd + 2 + i * 12;
    if (v.getUint16(p, true) === tag) return p;
  }
  throw new Error(`tag ${tag} not in the first IFD`);
}

/** Set the (inline) value of a SHORT or LONG entry. */
export function setValue(bytes: Uint8Array, tag: number, value: number): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  const p = entryOf(out, tag);
  let type = v.getUint16(p + 2, true);
  if (type === 3 && value > 0xffff) {
    // widen SHORT to LONG; both fit inline for a single value
    type = 4;
    v.setUint16(p + 2, 4, true);
  }
  if (type === 3) v.setUint16(p + 8, value, true);
  else v.setUint32(p + 8, value, true);
  return out;
}

/** Set the value count of an entry. */
export function setCount(bytes: Uint8Array, tag: number, count: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(entryOf(out, tag) + 4, count, true);
  return out;
}

/** Point the first IFD's next-IFD link back at itself. */
export function loopIfd(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  const ifd = firstIfd(out);
  const n = v.getUint16(ifd, true);
  v.setUint32(ifd + 2 + n * 12, ifd, true);
  return out;
}
