/**
 * Per-row float64 forms of the most used family/link pairs for IRLS. Over a row
 * range each kernel turns η into μ (written to `mu`), the working weight
 * W = w·(dμ/dη)²/V(μ) and working response z = η − offset + (y − μ)/(dμ/dη)
 * (written to `W` and `z`), and returns Σ w·d(y, μ), the weighted deviance, all in
 * one loop. They are the same formulas, clamps and branches as the families of
 * `@geoml/losses` (tests hold them to the generic path), in a form that worker
 * threads can rebuild from source text: each refers only to its parameters.
 *
 * Rows of weight 0 contribute no deviance; rows whose weight is 0 or not finite
 * get W = z = 0 (R's `good` rows).
 */
import type { Family } from "@geoml/losses";

/** One kernel: see the module comment. `offset` may be null. */
export type RowKernel = (
  eta: Float64Array,
  offset: Float64Array | null,
  y: Float64Array,
  w: Float64Array,
  mu: Float64Array,
  W: Float64Array,
  z: Float64Array,
  lo: number,
  hi: number,
) => number;

/** Binomial (proportions, trials in w) with the logit link. */
function binomialLogit(
  eta: Float64Array,
  offset: Float64Array | null,
  y: Float64Array,
  w: Float64Array,
  mu: Float64Array,
  W: Float64Array,
  z: Float64Array,
  lo: number,
  hi: number,
): number {
  const EPS = 2.220446049250313e-16;
  const ONE = 1 - EPS;
  let dev = 0;
  for (let i = lo; i < hi; i++) {
    const x = eta[i];
    // σ(η) and σ(η)σ(−η) from e = exp(−|η|), clamped as links.logit
    const e = Math.exp(-Math.abs(x));
    const s = x >= 0 ? 1 / (1 + e) : e / (1 + e);
    const m = Math.min(Math.max(s, EPS), ONE);
    const q = e + 1;
    const t = e / (q * q);
    const d = Math.max(t, EPS);
    mu[i] = m;
    const wi = w[i];
    const yi = y[i];
    const u = (wi * d * d) / (m * (1 - m));
    if (u > 0 && u < Number.POSITIVE_INFINITY) {
      W[i] = u;
      z[i] = x - (offset ? offset[i] : 0) + (yi - m) / d;
    } else {
      W[i] = 0;
      z[i] = 0;
    }
    if (wi === 0) continue;
    let unit: number;
    if (yi === 1) unit = -2 * Math.log(m);
    else if (yi === 0) unit = -2 * Math.log(1 - m);
    else {
      const a = yi * Math.log((yi > 0 ? yi : 1) / m);
      const b = (1 - yi) * Math.log((yi < 1 ? 1 - yi : 1) / (1 - m));
      unit = 2 * (a + b);
    }
    dev += wi * unit;
  }
  return dev;
}

/** Poisson with the log link. */
function poissonLog(
  eta: Float64Array,
  offset: Float64Array | null,
  y: Float64Array,
  w: Float64Array,
  mu: Float64Array,
  W: Float64Array,
  z: Float64Array,
  lo: number,
  hi: number,
): number {
  const EPS = 2.220446049250313e-16;
  let dev = 0;
  for (let i = lo; i < hi; i++) {
    const x = eta[i];
    const ex = Math.exp(x);
    // μ = dμ/dη = V(μ) = max(e^η, ε)
    const m = Math.max(ex, EPS);
    mu[i] = m;
    const wi = w[i];
    const yi = y[i];
    const u = (wi * m * m) / m;
    if (u > 0 && u < Number.POSITIVE_INFINITY) {
      W[i] = u;
      z[i] = x - (offset ? offset[i] : 0) + (yi - m) / m;
    } else {
      W[i] = 0;
      z[i] = 0;
    }
    if (wi === 0) continue;
    dev += wi * (2 * (yi * Math.log((yi > 0 ? yi : 1) / m) - (yi - m)));
  }
  return dev;
}

/** Gaussian with the identity link. */
function gaussianIdentity(
  eta: Float64Array,
  offset: Float64Array | null,
  y: Float64Array,
  w: Float64Array,
  mu: Float64Array,
  W: Float64Array,
  z: Float64Array,
  lo: number,
  hi: number,
): number {
  let dev = 0;
  for (let i = lo; i < hi; i++) {
    const m = eta[i];
    mu[i] = m;
    const wi = w[i];
    const r = y[i] - m;
    if (wi > 0 && wi < Number.POSITIVE_INFINITY) {
      W[i] = wi;
      z[i] = m - (offset ? offset[i] : 0) + r;
    } else {
      W[i] = 0;
      z[i] = 0;
    }
    if (wi === 0) continue;
    dev += wi * (r * r);
  }
  return dev;
}

/** Gamma with the log link. */
function gammaLog(
  eta: Float64Array,
  offset: Float64Array | null,
  y: Float64Array,
  w: Float64Array,
  mu: Float64Array,
  W: Float64Array,
  z: Float64Array,
  lo: number,
  hi: number,
): number {
  const EPS = 2.220446049250313e-16;
  let dev = 0;
  for (let i = lo; i < hi; i++) {
    const x = eta[i];
    const ex = Math.exp(x);
    // μ = dμ/dη = max(e^η, ε), V(μ) = μ²
    const m = Math.max(ex, EPS);
    mu[i] = m;
    const wi = w[i];
    const yi = y[i];
    const u = (wi * m * m) / (m * m);
    if (u > 0 && u < Number.POSITIVE_INFINITY) {
      W[i] = u;
      z[i] = x - (offset ? offset[i] : 0) + (yi - m) / m;
    } else {
      W[i] = 0;
      z[i] = 0;
    }
    if (wi === 0) continue;
    const ratio = yi / m;
    dev += wi * (2 * (ratio - 1 - Math.log(ratio)));
  }
  return dev;
}

const KERNELS = new Map<string, RowKernel>([
  ["binomial/logit", binomialLogit],
  ["poisson/log", poissonLog],
  ["gaussian/identity", gaussianIdentity],
  ["gamma/log", gammaLog],
]);

/**
 * The row kernel of a built-in family/link pair, with the name that identifies it,
 * or null (IRLS then uses the family's tensor operations).
 */
export function rowKernel(family: Family): { name: string; kernel: RowKernel } | null {
  const name = `${family.name}/${family.link.name}`;
  const kernel = KERNELS.get(name);
  return kernel ? { name, kernel } : null;
}
