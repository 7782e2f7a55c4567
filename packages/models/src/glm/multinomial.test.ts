import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadMultinomial, multinomial } from "./multinomial.js";

const fixture = JSON.parse(
  readFileSync(new URL("./__fixtures__/glm_statsmodels.json", import.meta.url), "utf8"),
) as {
  multinomial: {
    formula: string;
    data: Record<string, number[] | string[]>;
    expected: {
      names: string[];
      params: number[][];
      bse: number[][];
      llf: number;
      aic: number;
      bic: number;
      llnull: number;
    };
  };
};
const { formula, data, expected } = fixture.multinomial;
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-8);

describe("multinomial logit matches statsmodels MNLogit", () => {
  for (const method of ["newton", "lbfgs"] as const) {
    it(method, () => {
      const fit = multinomial({ method }).fit({ formula, data });
      const tol = method === "newton" ? 1e-6 : 1e-5;
      expect(fit.classes).toEqual(["0", "1", "2"]);
      expected.names.forEach((name, j) => {
        for (let k = 0; k < 2; k++) {
          const cls = fit.classes[k + 1];
          expect(rel(fit.coefficients[cls][name], expected.params[j][k])).toBeLessThan(tol);
          expect(rel(fit.stdErrors[cls][name], expected.bse[j][k])).toBeLessThan(tol);
        }
      });
      expect(rel(fit.logLik, expected.llf)).toBeLessThan(1e-9);
      expect(rel(fit.aic, expected.aic)).toBeLessThan(1e-9);
      expect(rel(fit.bic, expected.bic)).toBeLessThan(1e-9);
      expect(rel(fit.state.llNull, expected.llnull)).toBeLessThan(1e-9);
      expect(fit.converged).toBe(true);
    });
  }

  it("predicts probabilities that sum to one, identically after save/load", () => {
    const fit = multinomial().fit({ formula, data });
    const back = loadMultinomial(JSON.stringify(fit));
    const newData = { x1: [0.3, -2], x2: [0.1, 0.9] };
    const probs = fit.predict(newData).fit;
    expect(Array.from(back.predict(newData).fit)).toEqual(Array.from(probs));
    expect(probs[0] + probs[1] + probs[2]).toBeCloseTo(1, 14);
    expect(fit.predictClass(newData)).toHaveLength(2);
    expect(fit.summary()).toContain("y=2");
  });
});
