import type { Tensor } from "@geoml/autodiff";
import * as ad from "@geoml/autodiff";
import { S, simd, vmath } from "@geoml/autodiff/wasm";
import { builtInLinkName, constantLike } from "../links.js";
import type { Family, FusedRowKernel, RowKernel, WasmRowKernel } from "../types.js";
import {
  builtInFamily,
  checkRange,
  type LinkArgument,
  positiveOrOne,
  univariateFamily,
  univariateLink,
} from "./base.js";
import { rowFunction } from "./wasm-rows.js";

/**
 * The Poisson family for counts: V(μ) = μ, unit deviance
 * 2[y log(y/μ) − (y − μ)], dispersion fixed at 1. Canonical link log; identity
 * and sqrt are the usual alternatives. Log-likelihood with prior weight w and
 * scale φ (as statsmodels): (w/φ)[y log μ − μ − log Γ(y + 1)]. Non-integer y ≥ 0
 * is accepted (quasi-Poisson use). Starting μ is y + 0.1 (R).
 */
export function poisson(link?: LinkArgument): Family {
  const chosen = univariateLink("poisson", link, "log");
  return builtInFamily(
    univariateFamily({
      name: "poisson",
      canonicalLink: "log",
      dispersion: "fixed",
      link: chosen,
      rowKernel: builtInLinkName(chosen) === "log" ? POISSON_LOG : undefined,
      perRowScale: true,
      checkY: (y) => checkRange("poisson", y, 0, Number.MAX_VALUE, "a count ≥ 0"),
      variance: (mu) => mu,
      unitDeviance: (y, mu) => {
        const ySafe = positiveOrOne(y);
        const ratio = ad.mul(y, ad.log(ad.div(ySafe, mu)));
        return ad.mul(ad.sub(ratio, ad.sub(y, mu)), 2);
      },
      logLikelihood: (y, m, w, phi) => {
        const logFactorial = logGammaPlusOne(y);
        const kernel = ad.sub(ad.sub(ad.mul(y, m.logMu()), m.mu()), logFactorial);
        return ad.mul(ad.div(w, phi), kernel);
      },
      startingMu: (y) => y.map((v) => v + 0.1),
    }),
  );
}

/** Largest count whose log-factorial is looked up in a table. */
const TABLE_COUNTS = 4096;

/**
 * log Γ(y + 1). Counts repeat and lgamma is the costliest op of the likelihood, so
 * when every y is a whole number below {@link TABLE_COUNTS} (and y is data, not
 * traced) lgamma is evaluated once per count 0…max y and looked up: the same
 * function on the same arguments, so the same values.
 */
function logGammaPlusOne(y: Tensor): Tensor {
  if (y.traced) return ad.lgamma(ad.add(y, 1));
  const d = y.data;
  let max = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!(Number.isInteger(v) && v >= 0 && v < TABLE_COUNTS)) return ad.lgamma(ad.add(y, 1));
    if (v > max) max = v;
  }
  const counts = Float64Array.from({ length: max + 1 }, (_, k) => k);
  const table = ad.lgamma(ad.add(ad.tensor(counts), 1)).data;
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = table[d[i]];
  return constantLike(out, y);
}

/**
 * Poisson with the log link. y·log(y/μ) is formed as y·(log y − log μ) with
 * log μ = η where μ = e^η is not clamped, and log y from `aux` (log k for each
 * count k, see {@link countLogs}) when given: no logarithm per row.
 */
/** Exported for the worker threads that import it (see `FusedRowKernel.module`). */
export const poissonLog: RowKernel = function poissonLog(eta, offset, y, w, mu, W, z, lo, hi, aux) {
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

// ℓ(y) = k·ln 2 + f·P(f) for y = 2ᵏ·(1 + f): log y to within 1.4e-4 (P fits log(1 + f)/f
// on [0, 1] by least squares), from y's bits and five multiply-adds, the same bits in
// JavaScript and in the kernel
const ROUGH_LOG = [
  0.997125441882704, -0.4700157945186077, 0.22433452563942258, -0.058428603008532844,
] as const;
const bitsOf = new Float64Array(1);
const wordsOf = new Uint32Array(bitsOf.buffer);
/** Index of the high word of a float64 in `wordsOf`: 1 on little-endian machines. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** ℓ(y) (see ROUGH_LOG), as {@link poissonLogWasm} computes it. */
function roughLog(y: number): number {
  bitsOf[0] = y;
  const hi = wordsOf[HI];
  const k = (hi >>> 20) - 1023;
  const f = ((hi & 0xfffff) * 4294967296 + wordsOf[1 - HI]) * 2 ** -52;
  const [c1, c2, c3, c4] = ROUGH_LOG;
  return k * Math.LN2 + f * (c1 + f * (c2 + f * (c3 + f * c4)));
}

/**
 * {@link poissonLog} as WebAssembly SIMD code, two rows at a time, with no logarithm
 * per row: y·log(y/μ) is split as y·(log y − ℓ) + y·(ℓ − log μ) with ℓ a cheap
 * approximation of log y (a few multiply-adds on y's bits), and the kernel's deviance
 * leaves out 2·Σ w·y·(log y − ℓ), which depends on y alone and is summed once per fit
 * ({@link poissonDevianceConstant}). Because ℓ is close to log y, neither part is much
 * larger than the deviance itself, which so keeps its precision. Exported for the
 * worker threads that build it (see `FusedRowKernel.wasmExport`).
 */
export const poissonLogWasm: WasmRowKernel = {
  name: "poisson/log",
  build: () =>
    rowFunction(
      (F, { eta: x, offset, y, w }) => {
        const { add, sub, mul, div, pmax, pick, and, gt, lt, eq, iadd } = vmath;
        const c = (v: number) => F.c(v);
        const EPS = 2.220446049250313e-16;
        // e^η below e^−40 < ε gives μ = ε either way: the exponential may stop at −40
        const ex = F.v(vmath.vexp(F, x, "f64", -40));
        const m = F.v(pmax(ex, c(EPS)));
        const u = F.v(mul(w, m));
        const ok = F.v(and(gt(u, c(0)), lt(u, c(Number.POSITIVE_INFINITY))));
        // log μ = η unless μ was raised to ε
        const logMu = pick(eq(m, ex), x, c(Math.log(EPS)));
        // ℓ(y): k from the exponent field (as a float64, by the 1.5·2⁵² trick), f from the
        // mantissa with the exponent of 1
        const shrU52 = [...y, 0x41, 52, ...simd(S.i64x2ShrU)];
        const k = sub(iadd(shrU52, F.ic(0x4338000000000000n)), c(6755399441055744 + 1023));
        const one = F.ic(0x3ff0000000000000n);
        const f = F.v(sub([...and(y, F.ic((1n << 52n) - 1n)), ...one, ...simd(S.v128Or)], c(1)));
        const [c1, c2, c3, c4] = ROUGH_LOG.map(c);
        const poly = add(c1, mul(f, add(c2, mul(f, add(c3, mul(f, c4))))));
        const rough = add(mul(k, c(Math.LN2)), mul(f, poly));
        const unit = mul(c(2), add(mul(y, sub(rough, logMu)), sub(m, y)));
        return {
          mu: m,
          W: pick(ok, u, c(0)),
          z: pick(ok, add(sub(x, offset), div(sub(y, m), m)), c(0)),
          deviance: pick(eq(w, c(0)), c(0), mul(w, unit)),
        };
      },
      { compensated: true },
    ),
  devianceConstant: poissonDevianceConstant,
};

/** y·(log y − ℓ(y)) at the counts 0…{@link MAX_TABLED_COUNT} − 1 (0 at 0), made on first use. */
let countTerms: Float64Array | null = null;

/**
 * 2·Σ w·y·(log y − ℓ(y)) over each block of `block` rows (rows of weight 0 left out;
 * 0 at y = 0): the part of the Poisson deviance that {@link poissonLogWasm} leaves to
 * its caller. In one sweep over y: a whole count below 4096 looks its term up in a
 * table made once per process, any other y computes it (the same expression, so the
 * same bits either way).
 */
export function poissonDevianceConstant(
  y: Float64Array,
  w: Float64Array,
  block: number,
): Float64Array {
  const n = y.length;
  const out = new Float64Array(Math.ceil(n / block));
  countTerms ??= Float64Array.from({ length: MAX_TABLED_COUNT }, (_, k) =>
    k > 0 ? k * (Math.log(k) - roughLog(k)) : 0,
  );
  const table = countTerms;
  for (let b = 0; b < out.length; b++) {
    const hi = Math.min(n, (b + 1) * block);
    let s = 0;
    for (let i = b * block; i < hi; i++) {
      const wi = w[i];
      if (wi === 0) continue;
      const yi = y[i];
      // k === yi: a whole number in int32 range (false for NaN and fractions)
      const k = yi | 0;
      if (k === yi && k >= 0 && k < MAX_TABLED_COUNT) s += wi * table[k];
      else if (yi !== 0) s += wi * (yi * (Math.log(yi) - roughLog(yi)));
    }
    out[b] = 2 * s;
  }
  return out;
}

const POISSON_LOG: FusedRowKernel = {
  name: "poisson/log",
  kernel: poissonLog,
  module: import.meta.url,
  export: "poissonLog",
  prepare: countLogs,
  wasm: poissonLogWasm,
  wasmExport: "poissonLogWasm",
};
