/**
 * Scalar numeric kernels that the autodiff core does not provide: the normal
 * quantile, log Γ for the Tweedie series, and the Tweedie series itself. They run
 * on plain numbers; the links and families attach derivatives with autodiff ops.
 */

const LOG_SQRT_2PI = 0.9189385332046728; // log(√(2π))

/**
 * Quantile Φ⁻¹(p) of the standard normal: Wichura's algorithm AS 241 (PPND16),
 * the one R's `qnorm` uses, accurate to about 1e-16 relative.
 */
export function ndtri(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301227 + 33430.57558358813) * r + 67265.7709270087) * r +
          45921.95393154987) *
          r +
          13731.69376550946) *
          r +
          1971.5909503065513) *
          r +
          133.14166789178438) *
          r +
          3.3871328727963665)) /
      (((((((r * 5226.495278852546 + 28729.085735721943) * r + 39307.89580009271) * r +
        21213.794301586597) *
        r +
        5394.196021424751) *
        r +
        687.1870074920579) *
        r +
        42.31333070160091) *
        r +
        1)
    );
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let val: number;
  if (r <= 5) {
    r -= 1.6;
    val =
      (((((((r * 0.0007745450142783414 + 0.022723844989269184) * r + 0.2417807251774506) * r +
        1.2704582524523684) *
        r +
        3.6478483247632045) *
        r +
        5.769497221460691) *
        r +
        4.630337846156546) *
        r +
        1.4234371107496835) /
      (((((((r * 1.0507500716444169e-9 + 0.0005475938084995345) * r + 0.015198666563616457) * r +
        0.14810397642748008) *
        r +
        0.6897673349851) *
        r +
        1.6763848301838038) *
        r +
        2.053191626637759) *
        r +
        1);
  } else {
    r -= 5;
    val =
      (((((((r * 2.0103343992922881e-7 + 0.000027115555687434876) * r + 0.0012426609473880784) * r +
        0.026532189526576124) *
        r +
        0.29656057182850487) *
        r +
        1.7848265399172913) *
        r +
        5.463784911164114) *
        r +
        6.657904643501103) /
      (((((((r * 2.0442631033899397e-15 + 1.421511758316446e-7) * r + 0.000018463183175100548) * r +
        0.0007868691311456133) *
        r +
        0.014875361290850615) *
        r +
        0.1369298809227358) *
        r +
        0.599832206555888) *
        r +
        1);
  }
  return q < 0 ? -val : val;
}

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 0.000009984369578019572, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7): about 1e-15 relative away from x = 1, 2. */
export function lgammaPositive(x: number): number {
  if (x < 0.5) {
    // reflection keeps the Lanczos sum in its accurate range
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgammaPositive(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Terms below the largest by more than this (in log) change the sum by < 1e-16. */
const SERIES_DROP = 37;
/** Hard bound on the number of series terms, so absurd inputs cannot hang. */
const SERIES_MAX_TERMS = 1_000_000;

/**
 * log a(y, φ) of the Tweedie density f(y; μ, φ) = a(y, φ) exp{(yθ − κ(θ))/φ} for
 * 1 < p < 2 and y > 0, summed as the series W_j of Dunn & Smyth (2005, Statistics
 * and Computing 15, 267–280), starting at the largest term and walking both ways.
 * Returns 0 for y = 0, where the density is the point mass exp(−κ/φ).
 */
export function tweedieLogA(y: number, p: number, phi: number): number {
  if (y === 0) return 0;
  const alpha = (2 - p) / (1 - p); // negative for 1 < p < 2
  const z =
    -alpha * Math.log(y) + alpha * Math.log(p - 1) - (1 - alpha) * Math.log(phi) - Math.log(2 - p);
  const logW = (j: number) => j * z - lgammaPositive(j + 1) - lgammaPositive(-j * alpha);
  const jPeak = Math.max(1, Math.round(y ** (2 - p) / (phi * (2 - p))));
  const peak = logW(jPeak);
  let sum = 1; // exp(logW(jPeak) − peak)
  let terms = 1;
  for (let j = jPeak + 1; terms < SERIES_MAX_TERMS; j++, terms++) {
    const d = logW(j) - peak;
    if (d < -SERIES_DROP) break;
    sum += Math.exp(d);
  }
  for (let j = jPeak - 1; j >= 1 && terms < SERIES_MAX_TERMS; j--, terms++) {
    const d = logW(j) - peak;
    if (d < -SERIES_DROP) break;
    sum += Math.exp(d);
  }
  return -Math.log(y) + peak + Math.log(sum);
}

/**
 * Continued fraction of the regularised incomplete beta function (modified Lentz),
 * converging for x < (a + 1)/(a + b + 2).
 */
function betaFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1]. */
export function incompleteBeta(a: number, b: number, x: number): number {
  if (!(a > 0 && b > 0) || !(x >= 0 && x <= 1)) return Number.NaN;
  if (x === 0 || x === 1) return x;
  const logFront =
    lgammaPositive(a + b) -
    lgammaPositive(a) -
    lgammaPositive(b) +
    a * Math.log(x) +
    b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaFraction(b, a, 1 - x)) / b;
}

/** Series for the regularised lower incomplete gamma P(a, x), converging for x < a + 1. */
function gammaSeries(a: number, x: number): number {
  let sum = 1 / a;
  let term = sum;
  for (let n = 1; n < 10_000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lgammaPositive(a));
}

/** Continued fraction for the regularised upper incomplete gamma Q(a, x), for x ≥ a + 1. */
function gammaFraction(a: number, x: number): number {
  const TINY = 1e-300;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - lgammaPositive(a)) * h;
}

/** P(χ²_df > x), the upper tail of the chi-squared distribution (R's `pchisq(x, df, lower = FALSE)`). */
export function chisqUpper(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return Number.NaN;
  if (!(x > 0)) return 1;
  const a = df / 2;
  const z = x / 2;
  return z < a + 1 ? 1 - gammaSeries(a, z) : gammaFraction(a, z);
}

/** P(F_{d1,d2} > f), the upper tail of the F distribution (R's `pf(f, d1, d2, lower = FALSE)`). */
export function fUpper(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || !(d1 > 0 && d2 > 0)) return Number.NaN;
  if (!(f > 0)) return 1;
  return incompleteBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}

/** P(|T| > |t|) for Student's t with `df` degrees of freedom (a two-sided p-value). */
export function tTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  return incompleteBeta(df / 2, 0.5, df / (df + t * t));
}

/** P(T ≤ t) for Student's t with `df` > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  // both tails from I_x(df/2, ½) with x = df/(df + t²): no cancellation in either tail
  const tail = 0.5 * incompleteBeta(df / 2, 0.5, df / (df + t * t));
  return t > 0 ? 1 - tail : tail;
}

/**
 * The quantile t_p of Student's t with `df` degrees of freedom (R's `qt(p, df)`),
 * to about 1e-13 relative: Newton's method on {@link studentTCdf} from the normal
 * quantile, kept inside a shrinking bracket. Infinite df gives the normal quantile.
 */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || Number.isNaN(df) || !(df > 0)) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (df === Number.POSITIVE_INFINITY) return ndtri(p);
  if (p > 0.5) return -studentTQuantile(1 - p, df);
  if (p === 0.5) return 0;
  // p < ½: the quantile is negative; bracket [lo, 0]
  let lo = Math.min(-1, 2 * ndtri(p));
  while (studentTCdf(lo, df) > p) lo *= 2;
  let hi = 0;
  let x = Math.max(lo, ndtri(p));
  const logNorm =
    lgammaPositive((df + 1) / 2) - lgammaPositive(df / 2) - 0.5 * Math.log(df * Math.PI);
  for (let k = 0; k < 200; k++) {
    const f = studentTCdf(x, df) - p;
    if (f > 0) hi = x;
    else lo = x;
    const density = Math.exp(logNorm - ((df + 1) / 2) * Math.log1p((x * x) / df));
    let next = x - f / density;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.abs(x)) return next;
    x = next;
  }
  return x;
}
