/**
 * JPEG blocks (TIFF compression 7) through geotiff.js's decoder, after checking the frame
 * size in the JPEG header against the block, so a damaged header cannot ask for a huge
 * image. YCbCr-encoded files are refused before decoding (see `image.ts`).
 */

/** Frame height, width and components from the first SOF marker. */
export function jpegFrame(b: Uint8Array): { height: number; width: number; components: number } {
  let p = 2;
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error("not a JPEG stream");
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) throw new Error(`bad JPEG marker at byte ${p}`);
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const length = (b[p + 2] << 8) | b[p + 3];
    // SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (p + 10 > b.length) break;
      return {
        height: (b[p + 5] << 8) | b[p + 6],
        width: (b[p + 7] << 8) | b[p + 8],
        components: b[p + 9],
      };
    }
    if (marker === 0xda) break; // scan data before any frame header
    p += 2 + length;
  }
  throw new Error("JPEG stream has no frame header");
}
