/**
 * The sums over the rows that a fitted GLM reports: the count of observations, the
 * Pearson χ² and the weighted residual sum of squares. Each is a plain loop in a
 * function of its own: inside the fit's long function, whose closures capture the
 * running sums, the same loops ran several times slower.
 */

import type { Float64Family } from "./family.js";

/** What {@link observations} counts. */
export interface Observations {
  /** Rows of weight > 0. */
  nObs: number;
  /**
   * Some row of weight > 0 has μ within 1e-8 of 0 or 1 (checked only when asked):
   * the sign of separation in a Binomial fit.
   */
  extreme: boolean;
}

/**
 * Counts the rows of weight > 0 and, when `checkExtreme`, whether any of them has a
 * fitted mean within 1e-8 of 0 or 1, in one pass over w and μ. With `unitWeights`
 * (every weight is 1) w is not read: every row counts, and μ alone is scanned.
 */
export function observations(
  w: Float64Array,
  mu: Float64Array,
  checkExtreme: boolean,
  unitWeights = false,
): Observations {
  const n = w.length;
  if (unitWeights) return { nObs: n, extreme: checkExtreme && anyExtreme(mu) };
  let nObs = 0;
  if (!checkExtreme) {
    for (let i = 0; i < n; i++) if (w[i] > 0) nObs++;
    return { nObs, extreme: false };
  }
  let extreme = false;
  for (let i = 0; i < n; i++) {
    if (!(w[i] > 0)) continue;
    nObs++;
    const m = mu[i];
    if (m < 1e-8 || m > 1 - 1e-8) extreme = true;
  }
  return { nObs, extreme };
}

function anyExtreme(mu: Float64Array): boolean {
  for (let i = 0; i < mu.length; i++) {
    const m = mu[i];
    if (m < 1e-8 || m > 1 - 1e-8) return true;
  }
  return false;
}

/**
 * Rows per call of the family's variance: V(μ) of a slice is made and summed while
 * it is in cache, with no array the length of the data.
 */
const SLICE = 1 << 15;

/** Pearson χ² = Σ w(y − μ)²/V(μ) and RSS = Σ w(y − μ)² over the rows of weight > 0. */
export function pearsonSums(
  fam: Float64Family,
  y: Float64Array,
  mu: Float64Array,
  w: Float64Array,
): { pearson: number; rss: number } {
  const n = y.length;
  // running sums, added to in row order (the same order, so the same rounding, as one loop)
  const sums = new Float64Array(2);
  for (let lo = 0; lo < n; lo += SLICE) {
    const hi = Math.min(n, lo + SLICE);
    addPearson(y, mu, w, fam.variance(mu.subarray(lo, hi)), lo, hi, sums);
  }
  return { pearson: sums[0], rss: sums[1] };
}

/** Adds rows [lo, hi) to `sums` ([Pearson χ², RSS]); `v` holds V(μ) of those rows. */
function addPearson(
  y: Float64Array,
  mu: Float64Array,
  w: Float64Array,
  v: Float64Array,
  lo: number,
  hi: number,
  sums: Float64Array,
): void {
  let pearson = sums[0];
  let rss = sums[1];
  for (let i = lo; i < hi; i++) {
    const wi = w[i];
    if (!(wi > 0)) continue;
    const r = y[i] - mu[i];
    pearson += (wi * r * r) / v[i - lo];
    rss += wi * r * r;
  }
  sums[0] = pearson;
  sums[1] = rss;
}
