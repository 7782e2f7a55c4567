/**
 * Little-endian base64 coding of float arrays, so saved weights keep every bit and
 * read back the same on any platform (typed arrays use the host's byte order).
 */

const CHUNK = 0x8000;

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes `values` as base64 of their little-endian float32 or float64 bytes. */
export function encodeFloats(values: Float32Array | Float64Array): string {
  const width = values.BYTES_PER_ELEMENT;
  const view = new DataView(new ArrayBuffer(values.length * width));
  for (let i = 0; i < values.length; i++) {
    if (width === 8) view.setFloat64(i * 8, values[i], true);
    else view.setFloat32(i * 4, values[i], true);
  }
  return bytesToBase64(new Uint8Array(view.buffer));
}

/**
 * Decodes {@link encodeFloats} output of `length` values of `width` bytes; returns
 * null when the byte count does not match (the caller names the field at fault).
 */
export function decodeFloats(
  text: string,
  length: number,
  width: 4 | 8,
): Float32Array | Float64Array | null {
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(text);
  } catch {
    return null;
  }
  if (bytes.length !== length * width) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = width === 8 ? new Float64Array(length) : new Float32Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = width === 8 ? view.getFloat64(i * 8, true) : view.getFloat32(i * 4, true);
  }
  return out;
}
