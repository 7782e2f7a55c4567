import { describe, expect, it } from "vitest";
import { caseLabel, expectAllClose, familyCases, familyOf, tensorsOf } from "./test-utils.js";

describe("families against statsmodels (R mgcv for the Tweedie density, scipy for categorical)", () => {
  for (const c of familyCases) {
    const label = caseLabel(c);
    const fam = familyOf(c);
    const { y, eta, mu, weights } = tensorsOf(c);
    // Bernoulli cases go without weights, as a user would call them
    const options = c.bernoulli ? { scale: c.scale } : { weights, scale: c.scale };
    const devWeights = c.bernoulli ? undefined : weights;

    it(`${label}: inverse link, variance, dμ/dη`, () => {
      expectAllClose(fam.link.inverse(eta), c.mu, 1e-12, 0, `${label} μ`);
      if (c.variance) expectAllClose(fam.variance(mu), c.variance, 1e-12, 0, `${label} V(μ)`);
      if (c.dmu_deta)
        expectAllClose(fam.link.derivative(eta), c.dmu_deta, 1e-12, 0, `${label} dμ/dη`);
    });

    it(`${label}: unit deviance and deviance`, () => {
      // absolute floor 1e-13: a unit deviance vanishes where y = μ
      expectAllClose(fam.unitDeviance(y, mu), c.unit_deviance, 1e-10, 1e-13, `${label} d(y, μ)`);
      expectAllClose(fam.deviance(y, mu, devWeights), c.deviance, 1e-10, 0, `${label} deviance`);
    });

    it(`${label}: full log-likelihood per observation and in total`, () => {
      expectAllClose(
        fam.nll(y, mu, options),
        c.loglike_obs.map((v) => -v),
        1e-10,
        1e-13,
        `${label} nll`,
      );
      expectAllClose(fam.logLikelihood(y, mu, options), c.loglike, 1e-10, 0, `${label} loglike`);
    });

    it(`${label}: the loss from η is the negative log-likelihood`, () => {
      const sum = fam.loss(eta, y, { ...options, reduction: "sum" });
      expectAllClose(sum, -c.loglike, 1e-10, 0, `${label} loss(sum)`);
      const none = fam.loss(eta, y, { ...options, reduction: "none" });
      expectAllClose(
        none,
        c.loglike_obs.map((v) => -v),
        1e-10,
        1e-13,
        `${label} loss(none)`,
      );
      const total = c.bernoulli ? c.y.length : c.weights.reduce((a, b) => a + b, 0);
      const mean = fam.loss(eta, y, options);
      expectAllClose(mean, -c.loglike / total, 1e-10, 0, `${label} loss(mean)`);
    });
  }

  it("covers every family and its usual links", () => {
    const seen = new Set(familyCases.map((c) => `${c.family}/${c.link}`));
    for (const key of [
      "gaussian/identity",
      "gaussian/log",
      "gaussian/inverse",
      "binomial/logit",
      "binomial/probit",
      "binomial/cloglog",
      "binomial/cauchit",
      "binomial/log",
      "poisson/log",
      "poisson/identity",
      "poisson/sqrt",
      "gamma/inverse",
      "gamma/log",
      "gamma/identity",
      "inverse_gaussian/inverse_squared",
      "inverse_gaussian/inverse",
      "inverse_gaussian/log",
      "negative_binomial/log",
      "negative_binomial/sqrt",
      "tweedie/log",
      "categorical/softmax",
    ]) {
      expect(seen.has(key), key).toBe(true);
    }
  });
});
