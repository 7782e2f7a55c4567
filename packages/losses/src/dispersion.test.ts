import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { aic, bic, estimateScale, pearsonChi2 } from "./dispersion.js";
import { FamilyParameterError } from "./errors.js";
import { family } from "./registry.js";
import { expectAllClose, fixture } from "./test-utils.js";

interface GlmCase {
  family: string;
  link: string;
  y: number[];
  mu: number[];
  weights: number[];
  df_resid: number;
  k: number;
  pearson_chi2: number;
  scale: number;
  llf: number;
  aic: number;
  deviance: number;
}

describe("dispersion and information criteria against fitted statsmodels GLMs", () => {
  for (const c of fixture<GlmCase[]>("glm.json")) {
    it(`${c.family}/${c.link}`, () => {
      const fam = family(c.family, { link: c.link });
      const y = ad.tensor(c.y);
      const mu = ad.tensor(c.mu);
      const weights = ad.tensor(c.weights);
      expectAllClose(pearsonChi2(fam, y, mu, weights), c.pearson_chi2, 1e-10, 0, "Pearson χ²");
      const scale = estimateScale(fam, y, mu, { weights, dfResid: c.df_resid });
      expectAllClose(scale, c.scale, 1e-10, 0, "scale");
      // statsmodels (and R) report the Gaussian-identity llf at the ML scale deviance/n
      const mlScale = c.family === "gaussian" ? c.deviance / c.y.length : scale;
      const ll = fam.logLikelihood(y, mu, { weights, scale: mlScale });
      expectAllClose(ll, c.llf, 1e-10, 0, "llf");
      expectAllClose(aic(ll, c.k), c.aic, 1e-10, 0, "AIC");
      expectAllClose(fam.deviance(y, mu, weights), c.deviance, 1e-10, 0, "deviance");
    });
  }

  it("fixed-dispersion families report φ = 1; estimated ones need df > 0", () => {
    const y = ad.tensor([1, 2]);
    expect(estimateScale(family("poisson"), y, y, { dfResid: 0 })).toBe(1);
    expect(() => estimateScale(family("gamma"), y, y, { dfResid: 0 })).toThrow(
      FamilyParameterError,
    );
    expect(() => pearsonChi2(family("multinomial", { k: 2 }), y, y)).toThrow(/univariate/);
  });

  it("BIC is −2ℓ + k log n", () => {
    expect(bic(-10, 3, 100)).toBeCloseTo(20 + 3 * Math.log(100), 14);
  });
});
