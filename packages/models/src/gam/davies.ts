/**
 * Davies' (1980) algorithm AS 155 for the distribution of a linear combination of
 * independent χ² variables, Q = Σ λ_j χ²(n_j), by numerical inversion of its
 * characteristic function with the paper's bounds on truncation and integration error.
 * mgcv's `psum.chisq` runs the same algorithm (accuracy 2e-5, at most 1e5 terms) for the
 * p-values of smooths whose reference degrees of freedom are not whole numbers.
 */

/** Outcome of {@link daviesUpper}: the probability and the algorithm's fault code. */
export interface DaviesResult {
  /** P(Q > q). */
  upper: number;
  /**
   * 0 ok; 1 the accuracy was not reached within the term limit; 2 round-off may matter;
   * 4 the integration parameters could not be located.
   */
  fault: number;
}

import { chisqUpper } from "@geoml/losses";

class TermLimit extends Error {}

const LOG2_8 = 0.0866; // log(2) / 8, as in the paper

/** e^x, flushed to zero below e⁻⁵⁰ as the paper does to avoid underflow. */
const exp1 = (x: number) => (x < -50 ? 0 : Math.exp(x));

/** log(1 + x) when `first`, else log(1 + x) − x, accurate for small x. */
function log1(x: number, first: boolean): number {
  if (Math.abs(x) > 0.1) return first ? Math.log1p(x) : Math.log1p(x) - x;
  let y = x / (2 + x);
  let term = 2 * y * y * y;
  let k = 3;
  let s = (first ? 2 : -x) * y;
  y *= y;
  for (let s1 = s + term / k; s1 !== s; s1 = s + term / k) {
    k += 2;
    term *= y;
    s = s1;
  }
  return s;
}

/**
 * P(Σ λ_j χ²(df_j) > q) for central χ² terms (λ may be negative), to absolute accuracy
 * `acc`, with at most `limit` integration terms.
 */
export function daviesUpper(
  q: number,
  lambda: readonly number[],
  df: readonly number[] = lambda.map(() => 1),
  acc = 2e-5,
  limit = 100_000,
): DaviesResult {
  const r = lambda.length;
  const lb = Array.from(lambda);
  const n = Array.from(df, (v) => Math.round(v));
  if (n.length !== r || n.some((v) => v < 1))
    throw new RangeError("davies: df must be positive integers, one per weight");
  if (lb.every((v) => v === 0))
    throw new RangeError("davies: at least one weight must be non-zero");

  let sigsq = 0;
  let count = 0;
  let termsLeft = limit;
  let integral = 0;
  let absSum = 0;
  let failed = false;
  // |λ| in decreasing order (for the convergence-factor coefficient)
  const order = Array.from(lb.keys()).sort((a, b) => Math.abs(lb[b]) - Math.abs(lb[a]));

  const tick = () => {
    if (++count > limit) throw new TermLimit();
  };

  let mean = 0;
  let sd = 0;
  let lmax = 0;
  let lmin = 0;
  for (let j = 0; j < r; j++) {
    sd += lb[j] * lb[j] * 2 * n[j];
    mean += lb[j] * n[j];
    if (lmax < lb[j]) lmax = lb[j];
    else if (lmin > lb[j]) lmin = lb[j];
  }
  if (sd === 0) return { upper: q > 0 ? 0 : 1, fault: 0 };
  sd = Math.sqrt(sd);
  const almx = Math.max(lmax, -lmin);

  /** Chernoff bound on a tail probability at u; the cut-off point goes to `cut[0]`. */
  const errbd = (u: number, cut: number[]) => {
    tick();
    let xconst = u * sigsq;
    let sum = u * xconst;
    const u2 = 2 * u;
    for (let j = r - 1; j >= 0; j--) {
      const x = u2 * lb[j];
      const y = 1 - x;
      xconst += (lb[j] * n[j]) / y;
      sum += n[j] * ((x * x) / y + log1(-x, false));
    }
    cut[0] = xconst;
    return exp1(-0.5 * sum);
  };

  /** A point beyond which the upper (u > 0) or lower (u < 0) tail is below accx. */
  const cutoff = (accx: number, start: number[]) => {
    let u2 = start[0];
    let u1 = 0;
    let c1 = mean;
    const c2 = [0];
    const tmp = [0];
    const rb = 2 * (u2 > 0 ? lmax : lmin);
    for (let u = u2 / (1 + u2 * rb); errbd(u, c2) > accx; u = u2 / (1 + u2 * rb)) {
      u1 = u2;
      c1 = c2[0];
      u2 *= 2;
    }
    for (let u = (c1 - mean) / (c2[0] - mean); u < 0.9; u = (c1 - mean) / (c2[0] - mean)) {
      const mid = (u1 + u2) / 2;
      if (errbd(mid / (1 + mid * rb), tmp) > accx) {
        u1 = mid;
        c1 = tmp[0];
      } else {
        u2 = mid;
        c2[0] = tmp[0];
      }
    }
    start[0] = u2;
    return c2[0];
  };

  /** Bound on the integration error from truncating the integral at u. */
  const truncation = (u: number, tausq: number) => {
    tick();
    let sum1 = 0;
    let prod2 = 0;
    let prod3 = 0;
    let s = 0;
    const sum2 = (sigsq + tausq) * u * u;
    let prod1 = 2 * sum2;
    const u2 = 2 * u;
    for (let j = 0; j < r; j++) {
      const x = (u2 * lb[j]) ** 2;
      if (x > 1) {
        prod2 += n[j] * Math.log(x);
        prod3 += n[j] * log1(x, true);
        s += n[j];
      } else prod1 += n[j] * log1(x, true);
    }
    sum1 *= 0.5;
    prod2 += prod1;
    prod3 += prod1;
    const x = exp1(-sum1 - 0.25 * prod2) / Math.PI;
    const y = exp1(-sum1 - 0.25 * prod3) / Math.PI;
    let err1 = s === 0 ? 1 : (x * 2) / s;
    const err2 = prod3 > 1 ? 2.5 * y : 1;
    if (err2 < err1) err1 = err2;
    const half = 0.5 * sum2;
    const err3 = half <= y ? 1 : y / half;
    return Math.min(err1, err3);
  };

  /** Smallest u (to a factor 1.1) whose truncation error is at most accx. */
  const findU = (ut: number, accx: number) => {
    let u = ut / 4;
    if (truncation(u, 0) > accx) {
      for (u = ut; truncation(u, 0) > accx; u = ut) ut *= 4;
    } else {
      ut = u;
      for (u /= 4; truncation(u, 0) <= accx; u /= 4) ut = u;
    }
    for (const div of [2, 1.4, 1.2, 1.1]) {
      u = ut / div;
      if (truncation(u, 0) <= accx) ut = u;
    }
    return ut;
  };

  /** Adds nterm+1 terms of the inversion integral at step `interval`. */
  const integrate = (nterm: number, interval: number, tausq: number, main: boolean) => {
    const inpi = interval / Math.PI;
    for (let k = nterm; k >= 0; k--) {
      const u = (k + 0.5) * interval;
      let sum1 = -2 * u * q;
      let sum2 = Math.abs(sum1);
      let sum3 = -0.5 * sigsq * u * u;
      for (let j = r - 1; j >= 0; j--) {
        const x = 2 * lb[j] * u;
        sum3 -= 0.25 * n[j] * log1(x * x, true);
        const z = n[j] * Math.atan(x);
        sum1 += z;
        sum2 += Math.abs(z);
      }
      let x = (inpi * exp1(sum3)) / u;
      if (!main) x *= 1 - exp1(-0.5 * tausq * u * u);
      integral += Math.sin(0.5 * sum1) * x;
      absSum += 0.5 * sum2 * x;
    }
  };

  /** Coefficient of τ² in the error of the convergence factor exp(−τ²u²/2) at x. */
  const cfe = (x: number) => {
    tick();
    let axl = Math.abs(x);
    const sxl = x > 0 ? 1 : -1;
    let sum1 = 0;
    for (let j = r - 1; j >= 0; j--) {
      const t = order[j];
      if (lb[t] * sxl > 0) {
        const lj = Math.abs(lb[t]);
        const axl1 = axl - lj * n[t];
        const axl2 = lj / LOG2_8;
        if (axl1 > axl2) axl = axl1;
        else {
          if (axl > axl2) axl = axl2;
          sum1 = (axl - axl1) / lj;
          for (let k = j - 1; k >= 0; k--) sum1 += n[order[k]];
          break;
        }
      }
    }
    if (sum1 > 100) {
      failed = true;
      return 1;
    }
    return 2 ** (sum1 / 4) / (Math.PI * axl * axl);
  };

  try {
    let acc1 = acc;
    let utx = findU(16 / sd, 0.5 * acc1);
    const up = [4.5 / sd];
    const un = [-4.5 / sd];
    // a convergence factor shortens the integral when one weight dominates
    if (q !== 0 && almx > 0.07 * sd) {
      const tausq = (0.25 * acc1) / cfe(q);
      if (failed) failed = false;
      else if (truncation(utx, tausq) < 0.2 * acc1) {
        sigsq += tausq;
        utx = findU(utx, 0.25 * acc1);
      }
    }
    acc1 *= 0.5;
    let interval: number;
    let xnt: number;
    for (;;) {
      // the range of the distribution: outside it the answer is 0 or 1
      const d1 = cutoff(acc1, up) - q;
      if (d1 < 0) return { upper: 0, fault: 0 };
      const d2 = q - cutoff(acc1, un);
      if (d2 < 0) return { upper: 1, fault: 0 };
      interval = (2 * Math.PI) / Math.max(d1, d2);
      xnt = utx / interval;
      const xntm = 3 / Math.sqrt(acc1);
      if (!(xnt > xntm * 1.5)) break;
      // an auxiliary integration with a convergence factor, then a shorter main one
      if (xntm > termsLeft) return { upper: Number.NaN, fault: 1 };
      const ntm = Math.floor(xntm + 0.5);
      const interval1 = utx / ntm;
      const x = (2 * Math.PI) / interval1;
      if (x <= Math.abs(q)) break;
      const tausq = (0.33 * acc1) / (1.1 * (cfe(q - x) + cfe(q + x)));
      if (failed) break;
      acc1 *= 0.67;
      integrate(ntm, interval1, tausq, false);
      termsLeft -= xntm;
      sigsq += tausq;
      utx = findU(utx, 0.25 * acc1);
      acc1 *= 0.75;
    }
    if (xnt > termsLeft) return { upper: Number.NaN, fault: 1 };
    integrate(Math.floor(xnt + 0.5), interval, 0, true);
    const lower = 0.5 - integral;
    // round-off test of the paper (radix 8 or 16 machines allowed for)
    let fault = 0;
    const x = absSum + acc / 10;
    for (const rat of [1, 2, 4, 8]) if (rat * x === rat * absSum) fault = 2;
    return { upper: 1 - lower, fault };
  } catch (e) {
    if (e instanceof TermLimit) return { upper: Number.NaN, fault: 4 };
    throw e;
  }
}

/**
 * Liu, Tang & Zhang's (2009) approximation of P(Σ λ_j χ²(df_j) > q) for λ ≥ 0 (mgcv's
 * `liu2`): a (non-central) χ² matched in its first four cumulants. mgcv falls back on it
 * when Davies' integration fails.
 */
export function liuUpper(q: number, lambda: readonly number[], df: readonly number[]): number {
  let mu = 0;
  let c2 = 0;
  let c3 = 0;
  let c4 = 0;
  lambda.forEach((l, j) => {
    mu += l * df[j];
    c2 += l ** 2 * df[j];
    c3 += l ** 3 * df[j];
    c4 += l ** 4 * df[j];
  });
  if (!(q > 0) || c2 <= 0) return 1;
  const s1 = c3 / c2 ** 1.5;
  const s2 = c4 / c2 ** 2;
  const t = (q - mu) / Math.sqrt(2 * c2);
  let a: number;
  let delta: number;
  let l: number;
  if (s1 * s1 > s2) {
    a = 1 / (s1 - Math.sqrt(s1 * s1 - s2));
    delta = s1 * a ** 3 - a * a;
    l = a * a - 2 * delta;
  } else {
    if (c3 === 0) return 1;
    a = 1 / s1;
    delta = 0;
    l = c2 ** 3 / c3 ** 2;
  }
  return noncentralChisqUpper(t * Math.SQRT2 * a + l + delta, l, delta);
}

/** P(χ²(df, ncp) > x) as a Poisson mixture of central χ² tails. */
function noncentralChisqUpper(x: number, df: number, ncp: number): number {
  if (ncp === 0) return chisqUpper(x, df);
  const half = ncp / 2;
  // sum outwards from the Poisson mode until the weights vanish
  const mode = Math.floor(half);
  let logModeWeight = -half + mode * Math.log(half);
  for (let i = 2; i <= mode; i++) logModeWeight -= Math.log(i);
  const modeWeight = Math.exp(logModeWeight);
  let total = modeWeight * chisqUpper(x, df + 2 * mode);
  // Poisson weights by their ratio w_j / w_{j−1} = (δ/2) / j, upwards then downwards
  let w = modeWeight;
  for (let j = mode + 1; w > 1e-17 * modeWeight; j++) {
    w *= half / j;
    total += w * chisqUpper(x, df + 2 * j);
  }
  w = modeWeight;
  for (let j = mode - 1; j >= 0 && w > 1e-17 * modeWeight; j--) {
    w *= (j + 1) / half;
    total += w * chisqUpper(x, df + 2 * j);
  }
  return Math.min(1, total);
}

/**
 * mgcv's `psum.chisq(q, λ, df)` upper tail: Davies' algorithm to 2e-5, Liu's
 * approximation where Davies fails.
 */
export function chisqMixtureUpper(
  q: number,
  lambda: readonly number[],
  df: readonly number[] = lambda.map(() => 1),
): number {
  const res = daviesUpper(q, lambda, df);
  if (res.fault === 0 || res.fault === 2) return res.upper;
  return liuUpper(q, lambda, df);
}
