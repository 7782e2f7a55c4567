/**
 * Vectorised float64 elementary functions as WebAssembly SIMD code (two lanes per
 * f64x2), for the elementwise kernels. Each function emits instructions that leave
 * the result on the stack, keeping intermediate values in v128 locals of a
 * {@link VecFn}. The methods are those of fdlibm: Cody–Waite range reduction by ln 2
 * and a polynomial for eʳ − 1; for log, reduction to m ∈ [√2/2, √2) and fdlibm's
 * polynomial in s = f/(2 + f). float32 kernels run the same code on values promoted
 * to float64, with shorter polynomials (`prec: "f32"`), and round once on store.
 */
import { V128, type ValType } from "./encode.js";
import { f64x2Const, get, madd, S, set, simd, v128Const, v128Load, v128Store } from "./ops.js";

/** An expression: instructions that push one v128. */
export type E = readonly number[];

/** Which precision the polynomials must reach. */
export type Prec = "f64" | "f32";

/** Most constants a {@link VecFn} with a pool holds (16 bytes each). */
export const POOL_CONSTANTS = 64;

/**
 * The v128 locals of one function being generated, after `base` other locals.
 *
 * Constants come from {@link VecFn.c} / {@link VecFn.ic}. By default they are
 * `v128.const` instructions, which V8 materialises anew at each use inside a loop
 * (three instructions: a 64-bit immediate, a move and a broadcast), a large share of
 * a loop body such as an exp or a log. With `pool` (the index of an i32 local or
 * parameter holding the byte address of {@link POOL_CONSTANTS}·16 bytes of scratch
 * memory), each distinct constant is instead written to the pool and read back into
 * a local of its own by {@link VecFn.fillPool}'s code, run once before the loop: a
 * value loaded from memory is not folded back into a constant, so the loop reads it
 * from a register or, spilled, from the stack (one instruction).
 */
export class VecFn {
  readonly locals: ValType[] = [];
  readonly code: number[] = [];
  /** Pooled constants: their bytes (as a key) → local index. */
  private readonly pooled = new Map<string, number>();
  constructor(
    private readonly base: number,
    private readonly pool: number | null = null,
  ) {}
  /** A constant of 16 bytes (a local filled from the pool when the function has one). */
  bytes(b: Uint8Array): number[] {
    if (this.pool === null) return v128Const(b);
    const key = Array.from(b).join(",");
    let local = this.pooled.get(key);
    if (local === undefined) {
      if (this.pooled.size >= POOL_CONSTANTS)
        throw new Error(`vmath: more than ${POOL_CONSTANTS} constants in one function's pool`);
      local = this.base + this.locals.push(V128) - 1;
      this.pooled.set(key, local);
    }
    return get(local);
  }
  /** Two float64 lanes holding `v`. */
  c(v: number): number[] {
    return this.bytes(new Uint8Array(new Float64Array([v, v]).buffer));
  }
  /** Two int64 lanes holding `v`. */
  ic(v: bigint): number[] {
    return this.bytes(new Uint8Array(new BigInt64Array([v, v]).buffer));
  }
  /**
   * The code that puts every constant used so far into its local, through the pool
   * (nothing without one): run it once, before the loop that uses them.
   */
  fillPool(): number[] {
    const pool = this.pool;
    if (pool === null) return [];
    return [...this.pooled].flatMap(([key, local], slot) => [
      ...get(pool),
      ...v128Const(key.split(",").map(Number)),
      ...v128Store(slot * 16, 4),
      ...get(pool),
      ...v128Load(slot * 16, 4),
      ...set(local),
    ]);
  }
  /** Evaluates `e` into a fresh local (appending to `code`) and returns a read of it. */
  v(e: E): E {
    const i = this.base + this.locals.push(V128) - 1;
    this.code.push(...e, ...set(i));
    return get(i);
  }
  /** The instructions emitted so far, and clears them (the locals stay allocated). */
  take(): number[] {
    return this.code.splice(0, this.code.length);
  }
}

const op =
  (code: number) =>
  (a: E, b: E): number[] => [...a, ...b, ...simd(code)];
export const add = op(S.f64x2Add);
export const sub = op(S.f64x2Sub);
export const mul = op(S.f64x2Mul);
export const div = op(S.f64x2Div);
/** NaN-propagating min / max (as the f64x2 instructions). */
export const min = op(S.f64x2Min);
export const max = op(S.f64x2Max);
/**
 * a < b ? b : a and b < a ? b : a (f64x2.pmax, pmin): one instruction each where
 * `max`/`min` take several, and NaN in `a` still comes through. For clamping
 * `x` to bounds: pmin(pmax(x, lo), hi).
 */
export const pmax = op(S.f64x2Pmax);
export const pmin = op(S.f64x2Pmin);
export const eq = op(S.f64x2Eq);
export const lt = op(S.f64x2Lt);
export const gt = op(S.f64x2Gt);
export const ge = op(S.f64x2Ge);
export const and = op(S.v128And);
export const iadd = op(S.i64x2Add);
export const isub = op(S.i64x2Sub);

export const abs = (a: E): number[] => [...a, ...simd(S.f64x2Abs)];
export const neg = (a: E): number[] => [...a, ...simd(S.f64x2Neg)];
/** Lanes of `a` where `mask` is all ones, else of `b`. */
export const pick = (mask: E, a: E, b: E): number[] => [
  ...a,
  ...b,
  ...mask,
  ...simd(S.v128Bitselect),
];
const shl = (a: E, n: number): number[] => [...a, 0x41, n, ...simd(S.i64x2Shl)];
const shrS = (a: E, n: number): number[] => [...a, 0x41, n, ...simd(S.i64x2ShrS)];
// logical: one instruction, where V8 builds the arithmetic i64x2 shift from several
const shrU = (a: E, n: number): number[] => [...a, 0x41, n, ...simd(S.i64x2ShrU)];
export const c = (v: number): number[] => f64x2Const(v);

/** Σ coef[i]·xⁱ by Horner's rule. */
function horner(F: VecFn, x: E, coef: readonly number[]): number[] {
  let acc: number[] = F.c(coef[coef.length - 1]);
  for (let i = coef.length - 2; i >= 0; i--) acc = add(mul(acc, x), F.c(coef[i]));
  return acc;
}

/**
 * Σ coef[i]·xⁱ by Estrin's scheme: pairs a + b·x, then pairs of those with x², and so
 * on, so the multiply-adds of a level are independent and the chain of dependent
 * operations is log₂ of the degree long instead of the degree (Horner's rule).
 */
function estrin(F: VecFn, x: E, coef: readonly number[]): number[] {
  let terms: number[][] = coef.map((k) => F.c(k));
  let power: E = x;
  while (terms.length > 1) {
    const next: number[][] = [];
    for (let i = 0; i < terms.length; i += 2)
      next.push(i + 1 < terms.length ? add(terms[i], mul(terms[i + 1], power)) : terms[i]);
    if (next.length === 1) return next[0];
    terms = next.map((t) => [...F.v(t)]);
    power = F.v(mul(power, power));
  }
  return terms[0];
}

/** 1.5·2⁵²: adding it rounds a float64 below 2⁵¹ to an integer, held in the low mantissa bits. */
const SHIFT = 6755399441055744;
const SHIFT_BITS = 0x4338000000000000n;
const INV_LN2 = Math.LOG2E;
// ln 2 split so that n·LN2_HI is exact for |n| < 2²⁰ (fdlibm's constants)
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;

/** 1/i! for i = 2..deg: the Taylor coefficients of (eʳ − 1 − r)/r². */
function expm1Coefficients(deg: number): number[] {
  const out: number[] = [];
  let f = 1;
  for (let i = 2; i <= deg; i++) {
    f *= i;
    out.push(1 / f);
  }
  return out;
}
// |r| ≤ ln2/2 ≈ 0.347: the first omitted term r^(deg+1)/(deg+1)! is below 3e-19·|r| for
// degree 14 and 6e-10·|r| for degree 8 (float32 needs 6e-8).
const EXPM1_F64 = expm1Coefficients(14);
const EXPM1_F32 = expm1Coefficients(8);

/** 2ⁿ for integer lanes n (int64) with −1022 ≤ n ≤ 1023. */
function pow2(F: VecFn, n: E): number[] {
  return shl(iadd(n, F.ic(1023n)), 52);
}

/**
 * Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2 (x finite, |x| < 2⁵⁰): returns n as
 * int64 lanes and p = eʳ − 1 by its Taylor polynomial.
 */
function reduceExp(F: VecFn, x: E, prec: Prec): { n: E; p: E } {
  const kd = F.v(add(mul(x, F.c(INV_LN2)), F.c(SHIFT)));
  const n = F.v(isub(kd, F.ic(SHIFT_BITS)));
  const nf = F.v(sub(kd, F.c(SHIFT)));
  const r = F.v(sub(sub(x, mul(nf, F.c(LN2_HI))), mul(nf, F.c(LN2_LO))));
  const p = F.v(add(r, mul(mul(r, r), estrin(F, r, prec === "f64" ? EXPM1_F64 : EXPM1_F32))));
  return { n, p };
}

/**
 * eˣ. x is clamped to [lo, 710] first (the default lo = −746: beyond, the result is
 * 0 or +Inf anyway; NaN stays NaN). With lo ≥ −707 every result is normal and 2ⁿ is
 * applied as 2ⁿ⁻¹·2, the last product rounding once on overflow; below, as
 * 2^⌊n/2⌋·2^(n−⌊n/2⌋) so both factors are normal and gradual underflow rounds once
 * too. Both give the same bits where both apply (each product scales by a power of 2).
 * A caller whose result does not change for eˣ below e^lo (μ clamped at ε, say) can
 * raise lo and save the split.
 */
export function vexp(F: VecFn, x: E, prec: Prec, lo = -746): number[] {
  const xc = F.v(pmin(pmax(x, F.c(lo)), F.c(710)));
  const { n, p } = reduceExp(F, xc, prec);
  if (lo >= -707) return mul(mul(add(p, F.c(1)), pow2(F, isub(n, F.ic(1n)))), F.c(2));
  const n1 = F.v(shrS(n, 1));
  return mul(mul(add(p, F.c(1)), pow2(F, n1)), pow2(F, isub(n, n1)));
}

/**
 * eˣ − 1, accurate near 0: 2ⁿ·(p + 1) − 1 written as s₁·(s₂·p + (s₂ − 1/s₁)) with
 * s₁s₂ = 2ⁿ, which is p itself when n = 0 and never subtracts nearly equal values.
 * x is clamped to [−60, 710] (below −60 the result is −1 to float64 precision).
 */
export function vexpm1(F: VecFn, x: E, prec: Prec): number[] {
  const xc = F.v(min(max(x, F.c(-60)), F.c(710)));
  const { n, p } = reduceExp(F, xc, prec);
  const n1 = F.v(shrS(n, 1));
  const s1 = F.v(pow2(F, n1));
  const s2 = F.v(pow2(F, isub(n, n1)));
  const inv1 = pow2(F, isub(F.ic(0n), n1));
  const y = F.v(mul(s1, add(mul(s2, p), sub(s2, inv1))));
  // ±0 keeps its sign
  return pick(eq(x, F.c(0)), x, y);
}

/** The sign bit of `s` on the magnitude of `m`. */
function copySign(F: VecFn, m: E, s: E): number[] {
  return pick(F.ic(-0x8000000000000000n), s, m);
}

/**
 * tanh x = sign(x)·e/(e + 2) with e = expm1(2|x|): no cancellation near 0, and |x| is
 * capped at 40, where tanh is 1 to float64 precision.
 */
export function vtanh(F: VecFn, x: E, prec: Prec): number[] {
  const a = F.v(mul(min(abs(x), F.c(40)), F.c(2)));
  // 2|x| ≤ 80, so n ≤ 116 and one 2ⁿ is normal: e = 2ⁿ·p + (2ⁿ − 1)
  const { n, p } = reduceExp(F, a, prec);
  const s = F.v(pow2(F, n));
  const e = F.v(add(mul(s, p), sub(s, F.c(1))));
  // float32 results: e/(e + 2) in float64 is far more accurate than needed
  if (prec === "f32") return copySign(F, div(e, add(e, F.c(2))), x);
  // e/(e + 2) with the rounding error δ of d = e + 2 (Fast2Sum) taken out:
  // e/(d + δ) ≈ q − q·δ/d, which saves about one ulp
  const d = F.v(add(e, F.c(2)));
  const delta = add(sub(max(e, F.c(2)), d), min(e, F.c(2)));
  const q = F.v(div(e, d));
  return copySign(F, sub(q, mul(q, div(delta, d))), x);
}

/** σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) below, e = e^(−|x|): no overflow, no cancellation. */
export function vsigmoid(F: VecFn, x: E, prec: Prec): number[] {
  const e = F.v(vexp(F, neg(abs(x)), prec));
  const r = F.v(div(F.c(1), add(F.c(1), e)));
  return pick(ge(x, F.c(0)), r, mul(e, r));
}

/** σ(x)·σ(−x) = e/(1 + e)² with e = e^(−|x|): the derivative of σ, without cancellation. */
export function vsigmoidSlope(F: VecFn, x: E, prec: Prec): number[] {
  const e = F.v(vexp(F, neg(abs(x)), prec));
  const r = F.v(div(F.c(1), add(F.c(1), e)));
  return mul(mul(e, r), r);
}

// fdlibm's log polynomial: log(1 + f) = 2s + s·R(s²) with s = f/(2 + f)
const LG = [
  0.6666666666666735, 0.3999999999940942, 0.2857142874366239, 0.22222198432149784,
  0.1818357216161805, 0.15313837699209373, 0.14798198605116586,
];
/** Bits of √2/2: subtracting them makes the exponent field that of m ∈ [√2/2, √2). */
const SQRT1_2_BITS = 0x3fe6a09e667f3bcdn;

/**
 * log u for positive, normal, finite u, plus `lo` (a small correction added where it
 * keeps its precision), less `kAdj`·ln 2 (for inputs scaled by 2^kAdj). fdlibm's
 * formula: u = 2ᵏ·m, f = m − 1 exactly,
 * log u = k·ln2_hi − ((hfsq − (s·(hfsq + R) + k·ln2_lo + lo)) − f).
 */
function logCore(F: VecFn, u: E, prec: Prec, lo: E | null, kAdj: E | null): number[] {
  // t = u's bits − those of √2/2, plus 1023 in the exponent field: t >>> 52 is k + 1023
  // ≥ 0 for every normal u (a logical shift, where k itself needs an arithmetic one),
  // and the low 52 bits of t plus √2/2's bits are m's
  const t = F.v(iadd(u, F.ic((1023n << 52n) - SQRT1_2_BITS)));
  const m = F.v(iadd(and(t, F.ic((1n << 52n) - 1n)), F.ic(SQRT1_2_BITS)));
  const f = F.v(sub(m, F.c(1)));
  let dk: E = F.v(sub(iadd(shrU(t, 52), F.ic(SHIFT_BITS)), F.c(SHIFT + 1023)));
  if (kAdj) dk = F.v(sub(dk, kAdj));
  const hfsq = F.v(mul(mul(f, f), F.c(0.5)));
  const s = F.v(div(f, add(f, F.c(2))));
  const z = F.v(mul(s, s));
  const w = F.v(mul(z, z));
  // float32 needs fewer terms: s² ≤ 0.0295, so Lg5·z⁵ and beyond are below 2⁻³⁰ relative
  const r =
    prec === "f64"
      ? add(
          mul(w, horner(F, w, [LG[1], LG[3], LG[5]])),
          mul(z, horner(F, w, [LG[0], LG[2], LG[4], LG[6]])),
        )
      : add(mul(w, horner(F, w, [LG[1], LG[3]])), mul(z, horner(F, w, [LG[0], LG[2]])));
  let low: number[] = add(mul(s, add(hfsq, r)), mul(dk, F.c(LN2_LO)));
  if (lo) low = add(low, lo);
  return sub(mul(dk, F.c(LN2_HI)), sub(sub(hfsq, low), f));
}

/**
 * log x for x positive, normal and finite only (no special cases: 0, subnormals,
 * +Inf and NaN give meaningless finite values, so the caller must rule them out or
 * screen them). The same bits as {@link vlog} where it applies.
 */
export function vlogNormal(F: VecFn, x: E, prec: Prec): number[] {
  return logCore(F, x, prec, null, null);
}

/** log x: subnormals scaled by 2⁵⁴ first; 0 → −Inf, x < 0 → NaN, +Inf → +Inf. */
export function vlog(F: VecFn, x: E, prec: Prec): number[] {
  const tiny = F.v(lt(x, F.c(2 ** -1022)));
  const u = pick(tiny, mul(x, F.c(2 ** 54)), x);
  const y = F.v(logCore(F, u, prec, null, and(tiny, F.c(54))));
  const ok = and(gt(x, F.c(0)), lt(x, F.c(Number.POSITIVE_INFINITY)));
  const special = pick(
    eq(x, F.c(0)),
    F.c(Number.NEGATIVE_INFINITY),
    pick(eq(x, F.c(Number.POSITIVE_INFINITY)), x, F.c(Number.NaN)),
  );
  return pick(ok, y, special);
}

/** log(1 + y) for y ∈ [0, 1] (no special cases): u = 1 + y and the rounding of u corrected. */
function log1pCore(F: VecFn, y: E, prec: Prec): number[] {
  const u = F.v(add(y, F.c(1)));
  // u − 1 is exact for u ≤ 2 (y < 1); above, u − y is
  const corr = pick(ge(y, F.c(1)), sub(F.c(1), sub(u, y)), sub(y, sub(u, F.c(1))));
  return logCore(F, u, prec, div(corr, u), null);
}

/** log(1 + y): −1 → −Inf, below −1 → NaN, +Inf → +Inf, ±0 keeps its sign. */
export function vlog1p(F: VecFn, y: E, prec: Prec): number[] {
  const r = F.v(log1pCore(F, y, prec));
  const ok = and(
    and(gt(y, F.c(-1)), lt(y, F.c(Number.POSITIVE_INFINITY))),
    op(S.f64x2Ne)(y, F.c(0)),
  );
  const special = pick(
    eq(y, F.c(-1)),
    F.c(Number.NEGATIVE_INFINITY),
    pick(gt(y, F.c(-1)), y, F.c(Number.NaN)),
  );
  return pick(ok, r, special);
}

/** softplus x = max(x, 0) + log1p(e^(−|x|)). */
export function vsoftplus(F: VecFn, x: E, prec: Prec): number[] {
  const e = F.v(vexp(F, neg(abs(x)), prec));
  return add(max(x, F.c(0)), log1pCore(F, e, prec));
}

// float32 lanes (f32x4) for the functions whose float32 kernel pays for its own code
const f32op =
  (code: number) =>
  (a: E, b: E): number[] => [...a, ...b, ...simd(code)];
const fadd = f32op(0xe4);
const fsub = f32op(0xe5);
const fmul = f32op(0xe6);
const fdiv = f32op(0xe7);
/** f32x4.pmin: b < a ? b : a, one instruction (f32x4.min's NaN and ±0 rules cost seven). */
const fpmin = f32op(0xea);
const fc = (v: number): number[] =>
  v128Const(new Uint8Array(new Float32Array([v, v, v, v]).buffer));
const ic32 = (v: number): number[] =>
  v128Const(new Uint8Array(new Int32Array([v, v, v, v]).buffer));

/**
 * (eʳ − 1 − r)/r² ≈ Σ EXPM1_F32_POLY[i]·rⁱ on |r| ≤ ln2/2: a near-minimax fit of degree 5
 * (Lawson's weighting of least squares on Chebyshev nodes), the relative error of
 * eʳ − 1 below 3·10⁻¹⁰, 1/200 of a float32 ulp (Taylor's series to the same degree
 * leaves 10⁻⁸ at the ends of the range).
 */
const EXPM1_F32_POLY = [
  0.5000000044400275, 0.1666666636885853, 0.04166635981744641, 0.008333389572097085,
  0.001394072022446915, 0.000198458854046146,
];

/**
 * tanh on four float32 lanes in float32 arithmetic (twice the lanes of the float64
 * route): tanh |x| = e/(e + 2), e = expm1(2|x|) by Cody–Waite reduction with float32
 * constants and {@link EXPM1_F32_POLY}; |x| capped at 10, where tanh is 1 in float32.
 * With `fused`, the multiply-adds are `relaxed_madd` (see `fusedMultiplyAdd`).
 */
export function vtanhF32(F: VecFn, x: E, fused = false): number[] {
  const fma = (acc: E, a: E, b: E) => madd(4, fused, acc, a, b);
  // a NaN |x| stays NaN (pmin keeps its first operand unless the second is smaller)
  const a = F.v(fmul(fpmin([...x, ...simd(0xe0)], fc(10)), fc(2)));
  const kd = F.v(fma(fc(12582912), a, fc(Math.LOG2E)));
  const n = F.v(f32op(0xb1)(kd, ic32(0x4b400000))); // i32x4.sub: n in the low mantissa bits
  const nf = F.v(fsub(kd, fc(12582912)));
  // ln 2 = 0.693359375 − 2.12194440e-4, the first part exact in 9 bits (fdlibm's expm1f)
  const r = F.v(fma(fma(a, nf, fc(-0.693359375)), nf, fc(2.1219444e-4)));
  const c = EXPM1_F32_POLY;
  let poly: number[] = fc(c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) poly = fma(fc(c[i]), poly, r);
  const p = F.v(fma(r, fmul(r, r), poly));
  const s = F.v([...f32op(0xae)(n, ic32(127)), 0x41, 23, ...simd(0xab)]); // (n + 127) << 23
  const e = F.v(fma(fsub(s, fc(1)), s, p));
  return pick(ic32(-0x80000000), x, fdiv(e, fadd(e, fc(2))));
}

/**
 * The backward rule of tanh, g·(1 − y²), on four float32 lanes as g·((1 − y)·(1 + y)):
 * for |y| ≥ ½ the factor nearer 0 is exact (Sterbenz), so the result stays within about
 * 2 float32 ulp of the exact value where 1 − y² in float32 would cancel.
 */
export function vtanhGradF32(g: E, y: E): number[] {
  return fmul(g, fmul(fsub(fc(1), y), fadd(fc(1), y)));
}
