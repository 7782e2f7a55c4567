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
  const count = rowSamples; // samples per row, each split over `bytes` planes
  for (let r = 0; r < rows; r++) {
    const row = all.subarray(r * rowBytes, (r + 1) * rowBytes);
    // Differencing runs over the whole byte row with a stride of one pixel's worth of planes.
    for (let k = stride; k < rowBytes; k++) row[k] = (row[k] + row[k - stride]) & 0xff;
    planes.set(row);
    // Plane p holds byte (bytes - 1 - p) of every sample, little-endian in the output.
    for (let b = 0; b < bytes; b++) {
      const plane = (bytes - 1 - b) * count;
      for (let i = 0; i < count; i++) row[i * bytes + b] = planes[plane + i];
    }
  }
}
