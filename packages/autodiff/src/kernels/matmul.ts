/**
 * Matrix product kernel C = A·B for row-major A (m×k) and B (k×n), batched.
 * Register-tiled: four rows of C are accumulated at once so each loaded row of B is
 * reused four times, over k-blocks that keep the B panel in cache. Accumulation is
 * done in a float64 scratch row block, so float32 inputs lose nothing to rounding
 * until the final store.
 */
import type { Storage } from "../dtype.js";

const KB = 128;

/** C[b] = A[b] · B[b] for `batch` matrices; `aStep`/`bStep` are 0 to reuse one operand. */
export function matmulKernel(
  a: Storage,
  b: Storage,
  c: Storage,
  batch: number,
  m: number,
  k: number,
  n: number,
  aOffsets: Int32Array,
  bOffsets: Int32Array,
): void {
  const acc = new Float64Array(4 * n);
  for (let t = 0; t < batch; t++) {
    const ao = aOffsets[t];
    const bo = bOffsets[t];
    const co = t * m * n;
    for (let i = 0; i < m; i += 4) {
      const rows = Math.min(4, m - i);
      acc.fill(0);
      const r0 = ao + i * k;
      const r1 = r0 + k;
      const r2 = r1 + k;
      const r3 = r2 + k;
      for (let p0 = 0; p0 < k; p0 += KB) {
        const p1 = Math.min(p0 + KB, k);
        if (rows === 4) {
          for (let p = p0; p < p1; p++) {
            const a0 = a[r0 + p];
            const a1 = a[r1 + p];
            const a2 = a[r2 + p];
            const a3 = a[r3 + p];
            const bp = bo + p * n;
            for (let j = 0; j < n; j++) {
              const bv = b[bp + j];
              acc[j] += a0 * bv;
              acc[n + j] += a1 * bv;
              acc[2 * n + j] += a2 * bv;
              acc[3 * n + j] += a3 * bv;
            }
          }
        } else {
          for (let r = 0; r < rows; r++) {
            const ra = ao + (i + r) * k;
            const off = r * n;
            for (let p = p0; p < p1; p++) {
              const av = a[ra + p];
              const bp = bo + p * n;
              for (let j = 0; j < n; j++) acc[off + j] += av * b[bp + j];
            }
          }
        }
      }
      c.set(rows === 4 ? acc : acc.subarray(0, rows * n), co + i * n);
    }
  }
}
