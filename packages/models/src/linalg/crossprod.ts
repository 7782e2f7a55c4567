/**
 * Weighted cross-products of a column-major design, the one pass over the rows
 * that IRLS spends nearly all its time in.
 */

/** Rows per block: a block of every column (≤ ~40 columns) stays in L2 cache. */
const BLOCK = 512;

/**
 * Accumulates the lower triangle of the (p+1)×(p+1) matrix [X z]ᵀ W [X z] in one
 * blocked pass over the rows, so X'WX, X'Wz and z'Wz come from the same sweep.
 *
 * @param x design, column-major: column j is `x[j*n .. j*n+n)`.
 * @param n rows; @param p columns.
 * @param w weight per row; @param z working response per row.
 * @returns row-major (p+1)×(p+1) symmetric matrix (both triangles filled).
 */
export function weightedCrossprod(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  z: Float64Array,
): Float64Array {
  const q = p + 1;
  const acc = new Float64Array(q * q);
  // wx holds w ⊙ column j for the current block; cols views X (and z as column p)
  const wx = new Float64Array(q * BLOCK);
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const len = Math.min(BLOCK, n - r0);
    for (let j = 0; j < q; j++) {
      const off = j * BLOCK;
      if (j < p) {
        const base = j * n + r0;
        for (let i = 0; i < len; i++) wx[off + i] = w[r0 + i] * x[base + i];
      } else {
        for (let i = 0; i < len; i++) wx[off + i] = w[r0 + i] * z[r0 + i];
      }
    }
    for (let j = 0; j < q; j++) {
      const wOff = j * BLOCK;
      for (let k = 0; k <= j; k++) {
        // dot of (w ⊙ col j) with col k over the block, four partial sums for ILP
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let i = 0;
        if (k < p) {
          const base = k * n + r0;
          for (; i + 3 < len; i += 4) {
            s0 += wx[wOff + i] * x[base + i];
            s1 += wx[wOff + i + 1] * x[base + i + 1];
            s2 += wx[wOff + i + 2] * x[base + i + 2];
            s3 += wx[wOff + i + 3] * x[base + i + 3];
          }
          for (; i < len; i++) s0 += wx[wOff + i] * x[base + i];
        } else {
          for (; i + 3 < len; i += 4) {
            s0 += wx[wOff + i] * z[r0 + i];
            s1 += wx[wOff + i + 1] * z[r0 + i + 1];
            s2 += wx[wOff + i + 2] * z[r0 + i + 2];
            s3 += wx[wOff + i + 3] * z[r0 + i + 3];
          }
          for (; i < len; i++) s0 += wx[wOff + i] * z[r0 + i];
        }
        acc[j * q + k] += s0 + s1 + s2 + s3;
      }
    }
  }
  for (let j = 0; j < q; j++) for (let k = 0; k < j; k++) acc[k * q + j] = acc[j * q + k];
  return acc;
}

/** η = X β + offset for a column-major X (offset may be null). */
export function linearPredictor(
  x: Float64Array,
  n: number,
  p: number,
  beta: Float64Array,
  offset: Float64Array | null,
): Float64Array {
  const eta = offset ? Float64Array.from(offset) : new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const b = beta[j];
    if (b === 0 || Number.isNaN(b)) continue;
    const base = j * n;
    for (let i = 0; i < n; i++) eta[i] += b * x[base + i];
  }
  return eta;
}

/** Diagonal of X C Xᵀ (variance of each row's linear predictor) for a p×p row-major C. */
export function rowQuadraticForm(
  x: Float64Array,
  n: number,
  p: number,
  c: Float64Array,
): Float64Array {
  const out = new Float64Array(n);
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = x[j * n + i];
    let s = 0;
    for (let j = 0; j < p; j++) {
      let t = 0;
      for (let k = 0; k < p; k++) t += c[j * p + k] * row[k];
      s += row[j] * t;
    }
    out[i] = s;
  }
  return out;
}
