import type { Tensor } from "@geoml/autodiff";
import * as ad from "@geoml/autodiff";
import { FamilyParameterError, LossShapeError } from "./errors.js";
import type { Family } from "./types.js";

/**
 * Pearson's χ² = Σ wᵢ (yᵢ − μᵢ)² / V(μᵢ) for a univariate family, with prior
 * weights w (trials for Binomial), as R's `sum(residuals(fit, "pearson")^2)`.
 */
export function pearsonChi2(family: Family, y: Tensor, mu: Tensor, weights?: Tensor): number {
  if (family.name === "categorical") {
    throw new FamilyParameterError("pearsonChi2: defined for univariate families, not categorical");
  }
  if (y.size !== mu.size) {
    throw new LossShapeError(
      "pearsonChi2",
      `y has shape [${y.shape.join(", ")}] but mu has shape [${mu.shape.join(", ")}]`,
    );
  }
  const r = ad.div(ad.square(ad.sub(y, mu)), family.variance(mu));
  return ad.sum(weights === undefined ? r : ad.mul(r, weights)).item();
}

/** Options of {@link estimateScale}. */
export interface ScaleOptions {
  weights?: Tensor;
  /** Residual degrees of freedom n − p (p = number of coefficients, or the edf of a GAM). */
  dfResid: number;
}

/**
 * The dispersion φ a GLM reports: 1 for families with fixed dispersion
 * (Binomial, Poisson, Negative Binomial, Categorical), otherwise Pearson χ²/(n − p)
 * as R's `summary.glm` and statsmodels' default `scale="X2"`.
 */
export function estimateScale(
  family: Family,
  y: Tensor,
  mu: Tensor,
  options: ScaleOptions,
): number {
  if (family.dispersion === "fixed") return 1;
  if (!(options.dfResid > 0)) {
    throw new FamilyParameterError(
      `estimateScale: ${family.name} needs residual degrees of freedom > 0, got ${options.dfResid}`,
    );
  }
  return pearsonChi2(family, y, mu, options.weights) / options.dfResid;
}

/** Akaike's criterion −2·logLik + 2k; count φ in k when it is estimated (R's convention). */
export function aic(logLik: number, k: number): number {
  return -2 * logLik + 2 * k;
}

/** Schwarz's criterion −2·logLik + k·log n. */
export function bic(logLik: number, k: number, n: number): number {
  return -2 * logLik + k * Math.log(n);
}
