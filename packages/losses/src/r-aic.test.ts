import * as ad from "@geoml/autodiff";
import { describe, it } from "vitest";
import { aic } from "./dispersion.js";
import { family } from "./registry.js";
import { expectAllClose, fixture } from "./test-utils.js";

interface RAicCase {
  family: string;
  link: string;
  theta: number | null;
  y: number[];
  mu: number[];
  weights: number[];
  deviance: number;
  aic: number;
  dispersion_param: boolean;
}

describe("log-likelihood and AIC against R's family$aic (stats, MASS)", () => {
  for (const c of fixture<RAicCase[]>("r_aic.json")) {
    it(`${c.family}/${c.link}`, () => {
      const fam = family(c.family, { link: c.link, theta: c.theta ?? undefined });
      const y = ad.tensor(c.y);
      const mu = ad.tensor(c.mu);
      const weights = ad.tensor(c.weights);
      const dev = fam.deviance(y, mu, weights);
      expectAllClose(dev, c.deviance, 1e-10, 0, "deviance");
      // R evaluates dispersion families at φ = deviance / Σw and counts φ as one parameter
      const scale = c.dispersion_param ? dev / c.weights.reduce((a, b) => a + b, 0) : 1;
      const ll = fam.logLikelihood(y, mu, { weights, scale });
      expectAllClose(aic(ll, c.dispersion_param ? 1 : 0), c.aic, 1e-10, 0, "AIC");
    });
  }
});
