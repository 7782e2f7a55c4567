/**
 * The float64 view of a {@link Family} that the classical solvers use: every call
 * wraps the solver's Float64Arrays as tensors without copying and runs inside
 * `noGrad`, so IRLS pays no graph-recording cost.
 */
import { noGrad, type Tensor, tensor } from "@geoml/autodiff";
import type { Family, StableLink } from "@geoml/losses";
import { resolveFamily as resolveFamilyOf } from "../contract/family.js";
import { OptionError } from "./errors.js";

/** A family given by name (statsmodels/R spelling) or as a `@geoml/losses` object. */
export type FamilySpec = Family | string;

/** Options of {@link resolveFamily}. */
export interface FamilyOptions {
  /** Link name (R/statsmodels spelling), default: the family's canonical link. */
  link?: string;
  /** Negative Binomial θ (var = μ + μ²/θ; statsmodels alpha = 1/θ). */
  theta?: number;
  /** Tweedie variance power p (1 < p < 2). */
  power?: number;
  /** Power of a `power` link. */
  linkPower?: number;
}

/**
 * Builds a family from its name and options, or returns the given family object
 * (the models' one {@link resolveFamilyOf}; the GLM fits multinomials apart).
 */
export function resolveFamily(spec: FamilySpec, options: FamilyOptions = {}): Family {
  const name = spec === "multinomial" ? "categorical" : spec;
  if (name === "categorical")
    throw new OptionError('family "multinomial" is fitted with multinomial(), not glm()');
  return resolveFamilyOf(spec, options);
}

const wrap = (v: Float64Array): Tensor => tensor(v);
const values = (t: Tensor): Float64Array =>
  t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);

/** Float64 operations of a family and its link, as used by IRLS. */
export interface Float64Family {
  readonly family: Family;
  /** μ = g⁻¹(η). */
  mean(eta: Float64Array): Float64Array;
  /** dμ/dη at η. */
  meanDerivative(eta: Float64Array): Float64Array;
  /**
   * μ and, when the link has a fused float64 path, dμ/dη from the same pass
   * (`dmu` is null otherwise, so callers that may discard μ pay nothing extra).
   */
  meanWithDerivative(eta: Float64Array): { mu: Float64Array; dmu: Float64Array | null };
  /** η = g(μ). */
  link(mu: Float64Array): Float64Array;
  /** V(μ). */
  variance(mu: Float64Array): Float64Array;
  /** Σ wᵢ d(yᵢ, μᵢ). */
  deviance(y: Float64Array, mu: Float64Array, w: Float64Array): number;
  /** Σ log p(yᵢ | μᵢ, φ) with prior weights. */
  logLikelihood(y: Float64Array, mu: Float64Array, w: Float64Array, scale: number): number;
}

/**
 * Rows per family call: long vectors are processed in slices so that the
 * temporaries of each op stay in cache (the ops are elementwise, the sums additive).
 */
const CHUNK = 1 << 15;

function mapChunks(n: number, f: (lo: number, hi: number) => Float64Array): Float64Array {
  if (n <= CHUNK) return f(0, n);
  const out = new Float64Array(n);
  for (let lo = 0; lo < n; lo += CHUNK) {
    const hi = Math.min(n, lo + CHUNK);
    out.set(f(lo, hi), lo);
  }
  return out;
}

function sumChunks(n: number, f: (lo: number, hi: number) => number): number {
  let s = 0;
  for (let lo = 0; lo < n; lo += CHUNK) s += f(lo, Math.min(n, lo + CHUNK));
  return s;
}

/** Wraps `family` for Float64Array arguments. */
export function float64Family(family: Family): Float64Family {
  const lk = family.link;
  const fused = (lk as StableLink).inverseAndDerivative;
  const part = (v: Float64Array, lo: number, hi: number) => wrap(v.subarray(lo, hi));
  const mean = (eta: Float64Array) =>
    noGrad(() => mapChunks(eta.length, (lo, hi) => values(lk.inverse(part(eta, lo, hi)))));
  return {
    family,
    mean,
    meanWithDerivative: (eta) => {
      if (!fused) return { mu: mean(eta), dmu: null };
      const mu = new Float64Array(eta.length);
      const dmu = new Float64Array(eta.length);
      fused.call(lk, eta, mu, dmu);
      return { mu, dmu };
    },
    meanDerivative: (eta) =>
      noGrad(() => mapChunks(eta.length, (lo, hi) => values(lk.derivative(part(eta, lo, hi))))),
    link: (mu) => noGrad(() => mapChunks(mu.length, (lo, hi) => values(lk.link(part(mu, lo, hi))))),
    variance: (mu) =>
      noGrad(() => mapChunks(mu.length, (lo, hi) => values(family.variance(part(mu, lo, hi))))),
    deviance: (y, mu, w) =>
      noGrad(() =>
        sumChunks(y.length, (lo, hi) =>
          family.deviance(part(y, lo, hi), part(mu, lo, hi), part(w, lo, hi)),
        ),
      ),
    logLikelihood: (y, mu, w, scale) =>
      noGrad(() =>
        sumChunks(y.length, (lo, hi) =>
          family.logLikelihood(part(y, lo, hi), part(mu, lo, hi), {
            weights: part(w, lo, hi),
            scale,
          }),
        ),
      ),
  };
}
