/**
 * Cholesky factorisation of a symmetric positive semi-definite matrix with R-like
 * limited pivoting: columns are taken in their given order, and a column whose
 * remaining diagonal falls below `tol` times its original diagonal is declared
 * aliased (a linear combination of earlier columns) and left out. This is what
 * R's `glm` does with its pivoted QR: the later of two collinear columns is the
 * one reported as NA.
 */

/** A factor L (lower, row-major p×p) of the non-aliased sub-matrix. */
export interface CholeskyFactor {
  /** Order of the matrix. */
  readonly p: number;
  /** Lower-triangular factor over all p indices; rows/columns of aliased indices are zero. */
  readonly l: Float64Array;
  /** True for each aliased (dropped) column. */
  readonly aliased: boolean[];
  /** Number of columns kept. */
  readonly rank: number;
}

/** Default relative tolerance on the squared column norm (≈ 1e-6 on the norm). */
export const ALIAS_TOLERANCE = 1e-11;

/** Factors the row-major symmetric p×p matrix `a` (lower triangle read). */
export function cholesky(a: Float64Array, p: number, tol = ALIAS_TOLERANCE): CholeskyFactor {
  const l = new Float64Array(p * p);
  const aliased = new Array<boolean>(p).fill(false);
  let rank = 0;
  for (let j = 0; j < p; j++) {
    let d = a[j * p + j];
    for (let k = 0; k < j; k++) d -= l[j * p + k] * l[j * p + k];
    const orig = a[j * p + j];
    if (!(d > tol * orig) || !(orig > 0)) {
      aliased[j] = true;
      continue;
    }
    const ljj = Math.sqrt(d);
    l[j * p + j] = ljj;
    rank++;
    for (let i = j + 1; i < p; i++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = s / ljj;
    }
  }
  return { p, l, aliased, rank };
}

/** Solves (L Lᵀ) x = b on the non-aliased indices; aliased entries of x are 0. */
export function choleskySolve(f: CholeskyFactor, b: Float64Array): Float64Array {
  const { p, l, aliased } = f;
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    if (aliased[i]) continue;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    if (aliased[i]) continue;
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}

/** Inverse of the non-aliased sub-matrix, embedded in p×p (aliased rows/columns NaN). */
export function choleskyInverse(f: CholeskyFactor): Float64Array {
  const { p, aliased } = f;
  const inv = new Float64Array(p * p);
  const e = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    if (aliased[j]) continue;
    e.fill(0);
    e[j] = 1;
    const col = choleskySolve(f, e);
    for (let i = 0; i < p; i++) inv[i * p + j] = col[i];
  }
  for (let j = 0; j < p; j++) {
    if (!aliased[j]) continue;
    for (let i = 0; i < p; i++) {
      inv[i * p + j] = Number.NaN;
      inv[j * p + i] = Number.NaN;
    }
  }
  return inv;
}
