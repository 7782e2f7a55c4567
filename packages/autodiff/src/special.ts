/**
 * Scalar special functions in float64: erf, erfc, lgamma, digamma, polygamma.
 * Accuracy targets ~1e-15 relative away from the zeros of lgamma/digamma.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EULER_GAMMA = 0.5772156649015329;
// Bernoulli numbers B2, B4, ..., B20.
const BERNOULLI = [
  1 / 6,
  -1 / 30,
  1 / 42,
  -1 / 30,
  5 / 66,
  -691 / 2730,
  7 / 6,
  -3617 / 510,
  43867 / 798,
  -174611 / 330,
];

// erf series: converges fast for |x| < 1.5 (all terms positive, no cancellation).
function erfSeries(x: number): number {
  const x2 = x * x;
  let acc = 0;
  let fk = 25.5;
  for (let i = 0; i < 25; i++) {
    acc = 2 + (x2 * acc) / fk;
    fk -= 1;
  }
  return (acc * x * Math.exp(-x2)) / SQRT_PI;
}

// erfc continued fraction (Lentz-free, fixed 50 terms) for x >= 1.5.
function erfcContFrac(x: number): number {
  if (x >= 30) return 0;
  const x2 = x * x;
  let a = 0;
  let da = 0.5;
  let p = 1;
  let pLast = 0;
  let q = da + x2;
  let qLast = 1;
  for (let i = 0; i < 50; i++) {
    a += da;
    da += 2;
    const b = da + x2;
    let t = p;
    p = b * p - a * pLast;
    pLast = t;
    t = q;
    q = b * q - a * qLast;
    qLast = t;
  }
  return ((p / q) * x * expMinusSquare(x)) / SQRT_PI;
}

// e^(−x²) without the rounding error of x² (which grows like x² · 2⁻⁵³ in the exponent):
// split x = hi + lo with hi of 24 bits so hi² is exact.
function expMinusSquare(x: number): number {
  const hi = Math.fround(x);
  return Math.exp(-hi * hi) * Math.exp(-(x - hi) * (x + hi));
}

/** Error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 1.5) return erfSeries(x);
  const cf = erfcContFrac(ax);
  return x > 0 ? 1 - cf : cf - 1;
}

/** Complementary error function 1 − erf(x), accurate in the upper tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 1.5) return 1 - erfSeries(x);
  const cf = erfcContFrac(ax);
  return x > 0 ? cf : 2 - cf;
}

// Hurwitz zeta ζ(k, 2) = ζ(k) − 1 for k = 2..40 by Euler–Maclaurin (N = 10).
const ZETA_M1: number[] = (() => {
  const out: number[] = [0, 0];
  const N = 10;
  for (let k = 2; k <= 40; k++) {
    let tail = N ** (1 - k) / (k - 1) + N ** -k / 2;
    let rising = k; // k (k+1) ... (k+2j-2)
    let fact = 2; // (2j)!
    for (let j = 1; j <= 8; j++) {
      tail += ((BERNOULLI[j - 1] / fact) * rising) / N ** (k + 2 * j - 1);
      rising *= (k + 2 * j - 1) * (k + 2 * j);
      fact *= (2 * j + 1) * (2 * j + 2);
    }
    let s = tail;
    for (let m = N - 1; m >= 2; m--) s += m ** -k;
    out.push(s);
  }
  return out;
})();

// lgamma(2 + z) = (1 − γ) z + Σ_{k≥2} (−1)^k (ζ(k) − 1)/k z^k, |z| ≤ 0.5.
function lgamma2p(z: number): number {
  let s = 0;
  let zk = -z;
  for (let k = 2; k <= 40; k++) {
    zk *= -z;
    s += (ZETA_M1[k] / k) * zk;
  }
  return (1 - EULER_GAMMA) * z + s;
}

// sin(πx) with exact argument reduction, so large x and integers behave.
function sinpi(x: number): number {
  let r = x % 2;
  if (r > 1) r -= 2;
  else if (r < -1) r += 2;
  if (r === 0 || r === 1 || r === -1) return 0 * Math.sign(x);
  if (r > 0.5) r = 1 - r;
  else if (r < -0.5) r = -1 - r;
  return Math.sin(Math.PI * r);
}

/** log|Γ(x)|; +Inf at 0 and the negative integers. */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Number.POSITIVE_INFINITY) return x;
  if (x <= 0) {
    if (Number.isInteger(x)) return Number.POSITIVE_INFINITY;
    // Reflection: Γ(x) Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(sinpi(x))) - lgamma(1 - x);
  }
  if (x < 0.5) return lgamma2p(x) - Math.log1p(x) - Math.log(x);
  if (x < 1.5) return lgamma2p(x - 1) - Math.log1p(x - 1);
  if (x <= 2.5) return lgamma2p(x - 2);
  if (x < 12) {
    // Shift down into [1.5, 2.5]: Γ(x) = (x−1)(x−2)…(y) Γ(y).
    let y = x;
    let prod = 1;
    while (y > 2.5) {
      y -= 1;
      prod *= y;
    }
    return lgamma2p(y - 2) + Math.log(prod);
  }
  // Stirling series.
  const r = 1 / x;
  const r2 = r * r;
  let s = 0;
  let rp = r;
  for (let j = 0; j < 8; j++) {
    s += (BERNOULLI[j] / ((2 * j + 2) * (2 * j + 1))) * rp;
    rp *= r2;
  }
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + s;
}

/** Digamma ψ(x) = d/dx log Γ(x); −Inf/+Inf at 0, NaN at the negative integers. */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === 0) return 1 / x > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (x === Number.POSITIVE_INFINITY) return x;
  if (x < 0) {
    if (Number.isInteger(x)) return Number.NaN;
    // Reflection: ψ(1−x) − ψ(x) = π cot(πx).
    const s = sinpi(x);
    const c = sinpi(x + 0.5);
    return digamma(1 - x) - (Math.PI * c) / s;
  }
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const r2 = 1 / (x * x);
  let s = 0;
  let rp = r2;
  for (let j = 0; j < 8; j++) {
    s += (BERNOULLI[j] / (2 * j + 2)) * rp;
    rp *= r2;
  }
  return acc + Math.log(x) - 0.5 / x - s;
}

/**
 * Polygamma ψ⁽ⁿ⁾(x) for n ≥ 1 (n = 1 is the trigamma function).
 * Uses the recurrence up to x ≥ 20 then the asymptotic series; NaN for x < −1e5.
 */
export function polygamma(n: number, x: number): number {
  if (n === 0) return digamma(x);
  if (Number.isNaN(x) || x < -1e5) return Number.NaN;
  if (x <= 0 && Number.isInteger(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  let nf = 1; // n!
  for (let i = 2; i <= n; i++) nf *= i;
  const sign = n % 2 === 1 ? 1 : -1; // (−1)^(n+1)
  let acc = 0;
  // ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x+1) + (−1)^(n+1) n! / x^(n+1)
  while (x < 20) {
    acc += nf / x ** (n + 1);
    x += 1;
  }
  // (n−1)!/xⁿ + n!/(2x^(n+1)) + Σ B₂ₖ (2k+n−1)!/((2k)! x^(2k+n))
  let s = nf / n / x ** n + nf / (2 * x ** (n + 1));
  let ratio = (nf * (n + 1)) / 2; // (2k+n−1)!/(2k)! at k = 1
  for (let k = 1; k <= 10; k++) {
    s += (BERNOULLI[k - 1] * ratio) / x ** (2 * k + n);
    ratio *= ((2 * k + n) * (2 * k + n + 1)) / ((2 * k + 1) * (2 * k + 2));
  }
  return sign * (acc + s);
}
