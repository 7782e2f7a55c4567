/**
 * Small symmetric positive-definite systems, one per cell: the p×p normal equations
 * stored as packed lower triangles (`A[i(i+1)/2 + j]`, j ≤ i), solved by Cholesky.
 */

/** Packed index of (i, j), j ≤ i. */
export const packed = (i: number, j: number): number => (i * (i + 1)) / 2 + j;

/**
 * A pivot below this fraction of its diagonal entry marks the design as singular: the
 * column is (numerically) a combination of the others, and the cell gets NaN.
 */
const SINGULAR = 1e-11;

/** Scratch space for {@link solveCell}, reused across cells. */
export interface SolveScratch {
  L: Float64Array;
  inv: Float64Array;
}

/** Scratch for p×p systems. */
export function solveScratch(p: number): SolveScratch {
  return { L: new Float64Array(p * p), inv: new Float64Array(p * p) };
}

/**
 * Solve `A b = rhs` for one cell and the diagonal of A⁻¹.
 *
 * @param A - packed lower triangle, `q = p(p+1)/2` values from `aOff`
 * @param rhs - right-hand side, value j at `rhs[j * stride + k]`
 * @param b - solution, written like `rhs`
 * @param diag - diagonal of A⁻¹, written like `rhs`
 * @returns false when A is singular (nothing written)
 */
export function solveCell(
  A: Float64Array,
  aOff: number,
  p: number,
  rhs: Float64Array,
  b: Float64Array,
  diag: Float64Array,
  stride: number,
  k: number,
  s: SolveScratch,
): boolean {
  const L = s.L;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let v = A[aOff + packed(i, j)];
      for (let m = 0; m < j; m++) v -= L[i * p + m] * L[j * p + m];
      if (i === j) {
        const a = A[aOff + packed(i, i)];
        if (!(v > SINGULAR * a) || !Number.isFinite(v)) return false;
        L[i * p + i] = Math.sqrt(v);
      } else {
        L[i * p + j] = v / L[j * p + j];
      }
    }
  }
  // Forward then back substitution.
  const inv = s.inv;
  for (let i = 0; i < p; i++) {
    let v = rhs[i * stride + k];
    for (let m = 0; m < i; m++) v -= L[i * p + m] * inv[m];
    inv[i] = v / L[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let v = inv[i];
    for (let m = i + 1; m < p; m++) v -= L[m * p + i] * b[m * stride + k];
    b[i * stride + k] = v / L[i * p + i];
  }
  // L⁻¹ (lower), then diag(A⁻¹)_i = Σ_m (L⁻¹)_{m,i}².
  for (let c = 0; c < p; c++) {
    for (let i = 0; i < p; i++) {
      if (i < c) {
        inv[i * p + c] = 0;
        continue;
      }
      let v = i === c ? 1 : 0;
      for (let m = c; m < i; m++) v -= L[i * p + m] * inv[m * p + c];
      inv[i * p + c] = v / L[i * p + i];
    }
  }
  for (let i = 0; i < p; i++) {
    let v = 0;
    for (let m = i; m < p; m++) v += inv[m * p + i] * inv[m * p + i];
    diag[i * stride + k] = v;
  }
  return true;
}
