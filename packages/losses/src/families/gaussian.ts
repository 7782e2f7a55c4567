import * as ad from "@geoml/autodiff";
import { vmath } from "@geoml/autodiff/wasm";
import { builtInLinkName } from "../links.js";
import { studentTQuantile } from "../special.js";
import type {
  Family,
  FusedRowKernel,
  PredictionIntervalArgs,
  RowKernel,
  WasmRowKernel,
} from "../types.js";
import {
  builtInFamily,
  checkRange,
  type LinkArgument,
  univariateFamily,
  univariateLink,
} from "./base.js";
import { rowFunction } from "./wasm-rows.js";

/** log(2π). */
export const LOG_2PI = 1.8378770664093453;

/**
 * The Gaussian family: V(μ) = 1, unit deviance (y − μ)², dispersion φ = σ²
 * estimated. Canonical link identity; R also allows log and inverse.
 * Log-likelihood per observation with prior weight w: −½[w(y−μ)²/φ + log(φ/w) + log 2π].
 * Starting μ is y (R's `gaussian()$initialize`).
 */
export function gaussian(link?: LinkArgument): Family {
  const chosen = univariateLink("gaussian", link, "identity");
  return builtInFamily(
    univariateFamily({
      name: "gaussian",
      canonicalLink: "identity",
      dispersion: "estimated",
      link: chosen,
      rowKernel: builtInLinkName(chosen) === "identity" ? GAUSSIAN_IDENTITY : undefined,
      perRowScale: true,
      predictionInterval: gaussianPredictionInterval,
      checkY: (y) =>
        checkRange("gaussian", y, -Number.MAX_VALUE, Number.MAX_VALUE, "a finite real number"),
      variance: (mu) => ad.ones([...mu.shape], mu.dtype),
      unitDeviance: (y, mu) => ad.square(ad.sub(y, mu)),
      logLikelihood: (y, m, w, phi) => {
        const quadratic = ad.div(ad.mul(w, ad.square(ad.sub(y, m.mu()))), phi);
        return ad.mul(ad.add(ad.add(quadratic, ad.log(ad.div(phi, w))), LOG_2PI), -0.5);
      },
      startingMu: (y) => Float64Array.from(y),
    }),
  );
}

/** Gaussian with the identity link. */
/** Exported for the worker threads that import it (see `FusedRowKernel.module`). */
export const gaussianIdentity: RowKernel = function gaussianIdentity(
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

/**
 * {@link gaussianIdentity} as WebAssembly SIMD code, two rows at a time. Exported for
 * the worker threads that build it (see `FusedRowKernel.wasmExport`).
 */
export const gaussianIdentityWasm: WasmRowKernel = {
  name: "gaussian/identity",
  build: () =>
    rowFunction((F, { eta: m, offset, y, w }) => {
      const { add, sub, mul, pick, and, gt, lt, eq } = vmath;
      const c = (v: number) => F.c(v);
      const r = F.v(sub(y, m));
      const ok = F.v(and(gt(w, c(0)), lt(w, c(Number.POSITIVE_INFINITY))));
      return {
        mu: m,
        W: pick(ok, w, c(0)),
        z: pick(ok, add(sub(m, offset), r), c(0)),
        deviance: pick(eq(w, c(0)), c(0), mul(w, mul(r, r))),
      };
    }),
};

const GAUSSIAN_IDENTITY: FusedRowKernel = {
  name: "gaussian/identity",
  kernel: gaussianIdentity,
  module: import.meta.url,
  export: "gaussianIdentity",
  prepare: () => null,
  wasm: gaussianIdentityWasm,
  wasmExport: "gaussianIdentityWasm",
};

/**
 * μ̂ ± t(df)·√(se_μ² + φ/w): the interval of R's `predict.lm(interval = "prediction")`
 * and statsmodels' OLS `obs_ci` (w = 1 unless weights of the new rows are given).
 */
function gaussianPredictionInterval(a: PredictionIntervalArgs): {
  lower: Float64Array;
  upper: Float64Array;
} {
  const q = studentTQuantile(1 - (1 - a.level) / 2, a.dfResidual);
  const n = a.mu.length;
  const lower = new Float64Array(n);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(a.seMu[i] * a.seMu[i] + a.scale / (a.weights ? a.weights[i] : 1));
    lower[i] = a.mu[i] - q * s;
    upper[i] = a.mu[i] + q * s;
  }
  return { lower, upper };
}
