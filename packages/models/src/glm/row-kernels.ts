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

/**
 * One kernel: see the module comment. `offset` may be null; `aux` is what the
 * kernel's `prepare` made of y (or null).
 */
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
  aux: Float64Array | null,
) => number;

/** Binomial (proportions, trials in w) with the logit link. */
const binomialLogit: RowKernel = function binomialLogit(eta, offset, y, w, mu, W, z, lo, hi) {
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
};

/**
 * Poisson with the log link. y·log(y/μ) is formed as y·(log y − log μ) with
 * log μ = η where μ = e^η is not clamped, and log y from `aux` (log k for each
 * count k, see {@link countLogs}) when given: no logarithm per row.
 */
const poissonLog: RowKernel = function poissonLog(eta, offset, y, w, mu, W, z, lo, hi, aux) {
  const EPS = 2.220446049250313e-16;
  let dev = 0;
  for (let i = lo; i < hi; i++) {
    const x = eta[i];
    const ex = Math.exp(x);
    // μ = dμ/dη = V(μ) = max(e^η, ε), so W = w·μ
    const m = Math.max(ex, EPS);
    mu[i] = m;
    const wi = w[i];
    const yi = y[i];
    const u = wi * m;
    if (u > 0 && u < Number.POSITIVE_INFINITY) {
      W[i] = u;
      z[i] = x - (offset ? offset[i] : 0) + (yi - m) / m;
    } else {
      W[i] = 0;
      z[i] = 0;
    }
    if (wi === 0) continue;
    const logY = aux ? aux[yi] : Math.log(yi > 0 ? yi : 1);
    const logMu = m === ex ? x : Math.log(m);
    dev += wi * (2 * (yi * (logY - logMu) - (yi - m)));
  }
  return dev;
};

/** Largest count for which {@link countLogs} makes a table. */
const MAX_TABLED_COUNT = 4096;

/** log k for k = 0…max y (log 1 at 0) when every y is a whole number below 4096, else null. */
export function countLogs(y: Float64Array): Float64Array | null {
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!(Number.isInteger(v) && v >= 0 && v < MAX_TABLED_COUNT)) return null;
    if (v > max) max = v;
  }
  return Float64Array.from({ length: max + 1 }, (_, k) => Math.log(k > 0 ? k : 1));
}

/** Gaussian with the identity link. */
const gaussianIdentity: RowKernel = function gaussianIdentity(eta, offset, y, w, mu, W, z, lo, hi) {
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
};

/** Gamma with the log link. */
const gammaLog: RowKernel = function gammaLog(eta, offset, y, w, mu, W, z, lo, hi) {
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
};

/** A kernel, the name that identifies it, and what it precomputes from y once per fit. */
export interface FamilyKernel {
  name: string;
  kernel: RowKernel;
  prepare(y: Float64Array): Float64Array | null;
}

const none = () => null;
const KERNELS = new Map<string, Omit<FamilyKernel, "name">>([
  ["binomial/logit", { kernel: binomialLogit, prepare: none }],
  ["poisson/log", { kernel: poissonLog, prepare: countLogs }],
  ["gaussian/identity", { kernel: gaussianIdentity, prepare: none }],
  ["gamma/log", { kernel: gammaLog, prepare: none }],
]);

/**
 * The row kernel of a built-in family/link pair, or null (IRLS then uses the
 * family's tensor operations).
 */
export function rowKernel(family: Family): FamilyKernel | null {
  const name = `${family.name}/${family.link.name}`;
  const k = KERNELS.get(name);
  return k ? { name, ...k } : null;
}
