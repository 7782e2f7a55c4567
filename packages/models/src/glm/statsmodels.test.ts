import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { glm } from "./glm.js";

interface Case {
  name: string;
  family: string;
  link: string;
  options: { theta?: number; power?: number };
  formula: string;
  weights: string | null;
  offset: string | null;
  data: Record<string, number[] | string[]>;
  expected: {
    names: string[];
    params: number[];
    bse: number[];
    zvalues: number[];
    pvalues: number[];
    conf_int: number[][];
    deviance: number;
    null_deviance: number;
    llf: number | null;
    aic: number | null;
    bic: number | null;
    pearson_chi2: number;
    scale: number;
    df_resid: number;
    nobs: number;
    predict_link: number[];
    predict_link_se: number[];
    predict_response: number[];
  };
}

const fixture = JSON.parse(
  readFileSync(new URL("./__fixtures__/glm_statsmodels.json", import.meta.url), "utf8"),
) as { glm: Case[] };

function close(actual: number, expected: number, rtol: number, what: string) {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-8);
  if (!(err <= rtol))
    throw new Error(
      `${what}: got ${actual}, statsmodels ${expected} (rel. err ${err.toExponential(2)})`,
    );
}

function closeAbs(actual: number, expected: number, atol: number, what: string) {
  if (!(Math.abs(actual - expected) <= atol))
    throw new Error(`${what}: got ${actual}, statsmodels ${expected}`);
}

describe("GLM matches statsmodels", () => {
  for (const c of fixture.glm) {
    it(c.name, () => {
      const fit = glm({ family: c.family, link: c.link, ...c.options }).fit({
        formula: c.formula,
        data: c.data,
        weights: c.weights ?? undefined,
        offset: c.offset ?? undefined,
      });
      const e = c.expected;
      expect([...fit.names].sort()).toEqual([...e.names].sort());
      const coef = fit.coefficients;
      const se = fit.stdErrors;
      const z = fit.zValues;
      const pv = fit.pValues;
      const ci = fit.confInt();
      e.names.forEach((name, k) => {
        const j = fit.names.indexOf(name);
        close(coef[name], e.params[k], 1e-6, `${name} coefficient`);
        close(se[name], e.bse[k], 1e-6, `${name} std error`);
        close(z[j], e.zvalues[k], 1e-6, `${name} z`);
        close(pv[j], e.pvalues[k], 1e-5, `${name} p-value`);
        // interval ends near zero: relative to the interval's scale, the standard error
        closeAbs(
          ci[j][0],
          e.conf_int[k][0],
          1e-6 * (Math.abs(e.conf_int[k][0]) + e.bse[k]),
          `${name} lower`,
        );
        closeAbs(
          ci[j][1],
          e.conf_int[k][1],
          1e-6 * (Math.abs(e.conf_int[k][1]) + e.bse[k]),
          `${name} upper`,
        );
      });
      close(fit.deviance, e.deviance, 1e-6, "deviance");
      close(fit.nullDeviance, e.null_deviance, 1e-6, "null deviance");
      close(fit.pearsonChi2, e.pearson_chi2, 1e-6, "Pearson chi2");
      close(fit.dispersion, e.scale, 1e-6, "dispersion");
      expect(fit.dfResidual).toBe(e.df_resid);
      expect(fit.nObs).toBe(e.nobs);
      if (e.llf !== null) close(fit.logLik, e.llf, 1e-6, "log-likelihood");
      if (e.aic !== null) close(fit.aic, e.aic, 1e-6, "AIC");
      if (e.bic !== null) close(fit.bic, e.bic, 1e-6, "BIC");
      expect(fit.converged).toBe(true);

      const first: Record<string, number[] | string[]> = {};
      for (const [k, v] of Object.entries(c.data))
        first[k] = v.slice(0, e.predict_link.length) as number[] | string[];
      const pred = fit.predictWithSe(first, { type: "link" });
      const resp = fit.predict(first).fit;
      e.predict_link.forEach((v, i) => {
        close(pred.fit[i], v, 1e-6, `link prediction ${i}`);
        close(pred.seLink[i], e.predict_link_se[i], 1e-6, `link std error ${i}`);
        close(resp[i], e.predict_response[i], 1e-6, `response prediction ${i}`);
      });
    });
  }
});
