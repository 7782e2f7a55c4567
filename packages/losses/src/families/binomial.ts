import * as ad from "@geoml/autodiff";
import { vmath } from "@geoml/autodiff/wasm";
import { builtInLinkName } from "../links.js";
import type { Family, FusedRowKernel, RowKernel, WasmRowKernel } from "../types.js";
import {
  builtInFamily,
  checkDomain,
  checkRange,
  complementOrOne,
  type LinkArgument,
  mapY,
  positiveOrOne,
  univariateFamily,
  univariateLink,
} from "./base.js";
import { rowFunction } from "./wasm-rows.js";

/**
 * The Binomial family for proportions y = successes / trials with the trials as
 * prior weights (R's `weights`; statsmodels' two-column form); Bernoulli is the
 * case without weights, where y must be 0 or 1. V(μ) = μ(1 − μ), dispersion
 * fixed at 1. Canonical link logit; probit, cloglog, cauchit and log are the
 * usual alternatives. With n trials the log-likelihood is
 * log C(n, ny) + ny·log μ + n(1−y)·log(1−μ), so it agrees with R's `dbinom` and
 * statsmodels. Non-integer weights (e.g. area weights on a binary field) are
 * accepted and simply scale each observation's contribution.
 *
 * μ must lie strictly inside (0, 1) when passed directly; the losses from η use
 * the link's stable forms (softplus for logit), finite for any η. With the log
 * link μ = e^η is not capped at 1, so η must stay below 0 (as in R).
 * Starting μ is (w·y + ½)/(w + 1), as R's `binomial()$initialize`.
 */
export function binomial(link?: LinkArgument): Family {
  const chosen = univariateLink("binomial", link, "logit");
  return builtInFamily(
    univariateFamily({
      name: "binomial",
      canonicalLink: "logit",
      dispersion: "fixed",
      link: chosen,
      rowKernel: builtInLinkName(chosen) === "logit" ? BINOMIAL_LOGIT : undefined,
      checkY: (y, weighted) => {
        if (weighted) checkRange("binomial", y, 0, 1, "a proportion in [0, 1]");
        // the branch-free sweep first; the row-by-row check only finds the bad value
        else if (!isBinary(y))
          checkDomain(
            "binomial",
            y,
            (v) => v === 0 || v === 1,
            "0 or 1 (Bernoulli; give proportions together with trials as weights)",
          );
      },
      variance: (mu) => ad.mul(mu, ad.sub(1, mu)),
      unitDeviance: (y, mu) => {
        // 0/1 data (the common case, and every IRLS iteration): one of the two terms is
        // 0, so d = −2·log μ for y = 1 and −2·log(1 − μ) for y = 0: one log per row
        if (isBinary(y.data)) return ad.mul(ad.log(ad.where(y, mu, ad.sub(1, mu))), -2);
        // y·log(y/μ) is 0 at y = 0: the safe copies keep log finite there
        const ySafe = positiveOrOne(y);
        const y1 = ad.sub(1, y);
        const y1Safe = complementOrOne(y);
        const a = ad.mul(y, ad.log(ad.div(ySafe, mu)));
        const b = ad.mul(y1, ad.log(ad.div(y1Safe, ad.sub(1, mu))));
        return ad.mul(ad.add(a, b), 2);
      },
      logLikelihood: (y, m, w) => {
        const binary = isBinary(y.data);
        if (binary && m.eta !== undefined && builtInLinkName(chosen) === "logit") {
          // −log p(y | η) = softplus(±η): one stable op instead of two log-sigmoids
          const sign = mapY(y, (v) => 1 - 2 * v);
          return ad.neg(ad.mul(w, ad.softplus(ad.mul(m.eta, sign))));
        }
        const successes = ad.mul(w, y);
        const failures = ad.sub(w, successes);
        const kernel = ad.add(ad.mul(successes, m.logMu()), ad.mul(failures, m.log1mMu()));
        // log C(w, wy) is exactly 0 when every y is 0 or 1: skip three lgamma passes
        if (binary) return kernel;
        const logChoose = ad.sub(
          ad.sub(ad.lgamma(ad.add(w, 1)), ad.lgamma(ad.add(successes, 1))),
          ad.lgamma(ad.add(failures, 1)),
        );
        return ad.add(logChoose, kernel);
      },
      startingMu: (y, weights) =>
        y.map((v, i) => ((weights?.[i] ?? 1) * v + 0.5) / ((weights?.[i] ?? 1) + 1)),
    }),
  );
}

/**
 * Whether every value is 0 or 1. Without a branch per value: |v(v − 1)| is 0 for 0
 * and 1 and positive (or NaN) for anything else, and a test per value of 0/1 data in
 * random order is mispredicted half the time (3.5× slower over 10⁶ rows).
 */
function isBinary(data: ArrayLike<number>): boolean {
  let off = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    off += Math.abs(v * (v - 1));
  }
  return off === 0;
}

/** Binomial (proportions, trials in w) with the logit link. */
/** Exported for the worker threads that import it (see `FusedRowKernel.module`). */
export const binomialLogit: RowKernel = function binomialLogit(
  eta,
  offset,
  y,
  w,
  mu,
  W,
  z,
  lo,
  hi,
) {
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
 * {@link binomialLogit} as WebAssembly SIMD code, the same arithmetic two rows at a
 * time. With y all 0 or 1 (flag 1) the unit deviance is −2·log of μ or 1 − μ, one
 * logarithm per row; otherwise y·log(y/μ) + (1 − y)·log((1 − y)/(1 − μ)) takes four.
 * Exported for the worker threads that build it (see `FusedRowKernel.wasmExport`).
 */
export const binomialLogitWasm: WasmRowKernel = {
  name: "binomial/logit",
  flag: (y) => (isBinary(y) ? 1 : 0),
  build: (flag) =>
    rowFunction((F, { eta: x, offset, y, w }) => {
      const { add, sub, mul, div, pmin, pmax, pick, abs, neg, and, gt, lt, ge, eq } = vmath;
      const c = (v: number) => F.c(v);
      const EPS = 2.220446049250313e-16;
      // e^(−|η|) below e^−40 < ε/2 changes nothing: μ and dμ/dη are clamped at ε there
      // either way, so the exponential may stop at −40 (and skip its underflow split)
      const e = F.v(vmath.vexp(F, neg(abs(x)), "f64", -40));
      const r = F.v(div(c(1), add(e, c(1))));
      // pmax/pmin as Math.max/min here: NaN in the first operand comes through
      const er = F.v(mul(e, r));
      const m = F.v(pmin(pmax(pick(ge(x, c(0)), r, er), c(EPS)), c(1 - EPS)));
      const d = F.v(pmax(mul(er, r), c(EPS)));
      // one division for both quotients: D = 1/(d·μ(1 − μ)), so that
      // W = w·d²/(μ(1 − μ)) = w·d³·D and (y − μ)/d = (y − μ)·μ(1 − μ)·D
      const m1 = F.v(sub(c(1), m));
      const v = F.v(mul(m, m1));
      const D = F.v(div(c(1), mul(d, v)));
      const u = F.v(mul(mul(mul(w, d), mul(d, d)), D));
      const ok = F.v(and(gt(u, c(0)), lt(u, c(Number.POSITIVE_INFINITY))));
      const z = add(sub(x, offset), mul(sub(y, m), mul(v, D)));
      // μ and 1 − μ lie in [ε, 1 − ε] (or are NaN), so log needs no special cases; NaN
      // is carried through by m − m, which is 0 otherwise
      const logOf = (a: vmath.E) => add(vmath.vlogNormal(F, a, "f64"), sub(m, m));
      const unit =
        flag === 1
          ? mul(c(-2), logOf(pick(eq(y, c(1)), m, m1)))
          : mul(
              c(2),
              add(
                mul(y, sub(vmath.vlog(F, pick(gt(y, c(0)), y, c(1)), "f64"), logOf(m))),
                mul(
                  sub(c(1), y),
                  sub(vmath.vlog(F, pick(lt(y, c(1)), sub(c(1), y), c(1)), "f64"), logOf(m1)),
                ),
              ),
            );
      return {
        mu: m,
        W: pick(ok, u, c(0)),
        z: pick(ok, z, c(0)),
        deviance: pick(eq(w, c(0)), c(0), mul(w, unit)),
      };
    }),
};

const BINOMIAL_LOGIT: FusedRowKernel = {
  name: "binomial/logit",
  kernel: binomialLogit,
  module: import.meta.url,
  export: "binomialLogit",
  prepare: () => null,
  wasm: binomialLogitWasm,
  wasmExport: "binomialLogitWasm",
};
