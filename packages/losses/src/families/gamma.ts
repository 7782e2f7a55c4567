import * as ad from "@geoml/autodiff";
import { vmath } from "@geoml/autodiff/wasm";
import { builtInLinkName } from "../links.js";
import type { Family, FusedRowKernel, RowKernel, WasmRowKernel } from "../types.js";
import {
  builtInFamily,
  checkRange,
  type LinkArgument,
  univariateFamily,
  univariateLink,
} from "./base.js";
import { rowFunction } from "./wasm-rows.js";

/**
 * The Gamma family for positive continuous y: V(μ) = μ², unit deviance
 * 2[−log(y/μ) + (y − μ)/μ], dispersion φ (1/shape) estimated. Canonical link
 * inverse; log and identity are the usual alternatives. Log-likelihood with
 * prior weight w is that of a Gamma with shape w/φ and mean μ (statsmodels):
 * (w/φ)log(wy/(φμ)) − wy/(φμ) − log Γ(w/φ) − log y. Starting μ is y (R).
 */
export function gamma(link?: LinkArgument): Family {
  const chosen = univariateLink("gamma", link, "inverse");
  return builtInFamily(
    univariateFamily({
      name: "gamma",
      canonicalLink: "inverse",
      dispersion: "estimated",
      link: chosen,
      rowKernel: builtInLinkName(chosen) === "log" ? GAMMA_LOG : undefined,
      perRowScale: true,
      checkY: (y) => checkRange("gamma", y, Number.MIN_VALUE, Number.MAX_VALUE, "a finite y > 0"),
      variance: (mu) => ad.square(mu),
      unitDeviance: (y, mu) => {
        const ratio = ad.div(y, mu);
        return ad.mul(ad.sub(ad.sub(ratio, 1), ad.log(ratio)), 2);
      },
      logLikelihood: (y, m, w, phi) => {
        const shape = ad.div(w, phi);
        const ratio = ad.div(y, m.mu());
        const a = ad.mul(shape, ad.log(ad.mul(shape, ratio)));
        const b = ad.mul(shape, ratio);
        return ad.sub(ad.sub(a, b), ad.add(ad.lgamma(shape), ad.log(y)));
      },
      startingMu: (y) => Float64Array.from(y),
    }),
  );
}

/** Gamma with the log link. */
/** Exported for the worker threads that import it (see `FusedRowKernel.module`). */
export const gammaLog: RowKernel = function gammaLog(eta, offset, y, w, mu, W, z, lo, hi) {
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

/**
 * {@link gammaLog} as WebAssembly SIMD code, two rows at a time. Exported for the
 * worker threads that build it (see `FusedRowKernel.wasmExport`).
 */
export const gammaLogWasm: WasmRowKernel = {
  name: "gamma/log",
  build: () =>
    rowFunction((F, { eta: x, offset, y, w }) => {
      const { add, sub, mul, div, pmax, pick, and, gt, lt, eq } = vmath;
      const c = (v: number) => F.c(v);
      // e^η below e^−40 < ε gives μ = ε either way: the exponential may stop at −40
      const m = F.v(pmax(vmath.vexp(F, x, "f64", -40), c(2.220446049250313e-16)));
      // W = w·(dμ/dη)²/V(μ) = w·μ²/μ² is w wherever the JavaScript kernel's
      // (w·μ·μ)/(μ·μ) is positive and finite: no division
      const inf = c(Number.POSITIVE_INFINITY);
      const t = mul(mul(w, m), m);
      const ok = F.v(and(and(gt(t, c(0)), lt(t, inf)), lt(mul(m, m), inf)));
      const ratio = F.v(div(y, m));
      // (y − μ)/μ = y/μ − 1, to rounding
      const r1 = F.v(sub(ratio, c(1)));
      const unit = mul(c(2), sub(r1, vmath.vlog(F, ratio, "f64")));
      return {
        mu: m,
        W: pick(ok, w, c(0)),
        z: pick(ok, add(sub(x, offset), r1), c(0)),
        deviance: pick(eq(w, c(0)), c(0), mul(w, unit)),
      };
    }),
};

const GAMMA_LOG: FusedRowKernel = {
  name: "gamma/log",
  kernel: gammaLog,
  module: import.meta.url,
  export: "gammaLog",
  prepare: () => null,
  wasm: gammaLogWasm,
  wasmExport: "gammaLogWasm",
};
