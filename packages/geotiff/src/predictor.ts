/**
 * Undoing TIFF predictors in place on a decoded block: 2 is horizontal differencing of
 * integer samples (TIFF 6.0 §14), 3 the floating-point predictor of Adobe's Technical
 * Note 3 (bytes split into planes, most significant first, then differenced). The
 * result matches geotiff.js's own, in a tighter loop.
 */

/**
 * @param block - decoded bytes, whole rows of `rowSamples` samples
 * @param predictor - 2 or 3 (1 does nothing)
 * @param rowSamples - samples per row (width × samples per pixel when pixel-interleaved)
 * @param stride - samples per pixel in the row (1 when band-separate)
 * @param bytes - bytes per sample
 */
export function undoPredictor(
  block: ArrayBuffer,
  predictor: number,
  rowSamples: number,
  stride: number,
  bytes: number,
): void {
  if (predictor === 1) return;
  const rowBytes = rowSamples * bytes;
  const rows = Math.floor(block.byteLength / rowBytes);
  if (predictor === 2) {
    const view =
      bytes === 1
        ? new Uint8Array(block, 0, rows * rowSamples)
        : bytes === 2
          ? new Uint16Array(block, 0, rows * rowSamples)
          : new Uint32Array(block, 0, rows * rowSamples);
    for (let r = 0; r < rows; r++) {
      const base = r * rowSamples;
      for (let k = base + stride; k < base + rowSamples; k++) view[k] += view[k - stride];
    }
    return;
  }
  const all = new Uint8Array(block, 0, rows * rowBytes);
  const planes = new Uint8Array(rowBytes);
  const n = rowSamples; // samples per row, each split over `bytes` planes
  const words =
    bytes === 4 || bytes === 8 ? new Uint32Array(block, 0, (rows * rowBytes) / 4) : undefined;
  for (let r = 0; r < rows; r++) {
    const at = r * rowBytes;
    // Differencing runs over the whole byte row with a stride of one pixel's worth of planes.
    if (stride === 1) {
      let acc = all[at];
      for (let k = at + 1; k < at + rowBytes; k++) {
        acc = (acc + all[k]) & 0xff;
        all[k] = acc;
      }
    } else {
      for (let k = at + stride; k < at + rowBytes; k++) all[k] = (all[k] + all[k - stride]) & 0xff;
    }
    planes.set(all.subarray(at, at + rowBytes));
    // Plane p holds byte (bytes - 1 - p) of every sample: the first plane is the most
    // significant byte. The output is little-endian.
    if (words !== undefined && bytes === 4) {
      const w0 = at / 4;
      for (let i = 0; i < n; i++) {
        words[w0 + i] =
          (planes[i] << 24) | (planes[n + i] << 16) | (planes[2 * n + i] << 8) | planes[3 * n + i];
      }
    } else if (words !== undefined) {
      const w0 = at / 4;
      for (let i = 0; i < n; i++) {
        words[w0 + 2 * i + 1] =
          (planes[i] << 24) | (planes[n + i] << 16) | (planes[2 * n + i] << 8) | planes[3 * n + i];
        words[w0 + 2 * i] =
          (planes[4 * n + i] << 24) |
          (planes[5 * n + i] << 16) |
          (planes[6 * n + i] << 8) |
          planes[7 * n + i];
      }
    } else {
      for (let b = 0; b < bytes; b++) {
        const plane = (bytes - 1 - b) * n;
        for (let i = 0; i < n; i++) all[at + i * bytes + b] = planes[plane + i];
      }
    }
  }
}
