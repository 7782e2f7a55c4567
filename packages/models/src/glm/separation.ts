/**
 * Detection of perfect and quasi-complete separation in Binomial models. Under
 * separation the maximum-likelihood estimate does not exist: IRLS keeps moving the
 * coefficients along a fixed direction d while the deviance creeps towards its
 * infimum. We take d from the last iterations and check the exact certificate of
 * separation: Xd ≥ 0 where y = 1, Xd ≤ 0 where y = 0, Xd = 0 where 0 < y < 1, and
 * Xd ≠ 0 somewhere (Albert & Anderson, 1984).
 */

/**
 * Returns the indices of the diverging coefficients, or null when the fit shows
 * no separation. `extreme`, when known (see `observations`), says whether some
 * row of weight > 0 has μ within 1e-8 of 0 or 1, and saves the scan for it.
 */
export function detectSeparation(
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  w: Float64Array,
  mu: Float64Array,
  trace: readonly Float64Array[],
  extreme: boolean = hasExtremeMean(w, mu),
): number[] | null {
  // separation drives fitted probabilities to 0 or 1; without that there is none
  if (!extreme || trace.length < 2) return null;
  const first = trace[0];
  const last = trace[trace.length - 1];
  const d = new Float64Array(p);
  let dMax = 0;
  let bMax = 0;
  for (let j = 0; j < p; j++) {
    d[j] = Number.isNaN(last[j]) || Number.isNaN(first[j]) ? 0 : last[j] - first[j];
    dMax = Math.max(dMax, Math.abs(d[j]));
    if (!Number.isNaN(last[j])) bMax = Math.max(bMax, Math.abs(last[j]));
  }
  // a converged fit has stopped moving; a separated one moves ~1 unit of η per step
  if (dMax < 1e-4 * (1 + bMax)) return null;
  const s = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    if (d[j] === 0) continue;
    for (let i = 0; i < n; i++) s[i] += d[j] * x[j * n + i];
  }
  let sMax = 0;
  for (let i = 0; i < n; i++) if (w[i] > 0) sMax = Math.max(sMax, Math.abs(s[i]));
  if (sMax === 0) return null;
  const tol = 1e-3 * sMax;
  for (let i = 0; i < n; i++) {
    if (!(w[i] > 0)) continue;
    if (y[i] >= 1 ? s[i] < -tol : y[i] <= 0 ? s[i] > tol : Math.abs(s[i]) > tol) return null;
  }
  const out: number[] = [];
  for (let j = 0; j < p; j++) if (Math.abs(d[j]) > 1e-2 * dMax) out.push(j);
  return out;
}

function hasExtremeMean(w: Float64Array, mu: Float64Array): boolean {
  for (let i = 0; i < w.length; i++)
    if (w[i] > 0 && (mu[i] < 1e-8 || mu[i] > 1 - 1e-8)) return true;
  return false;
}
