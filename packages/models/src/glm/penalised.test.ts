import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { glm } from "./glm.js";

interface PenalisedFit {
  name: string;
  family: string;
  link: string;
  penalty?: { l2: number };
  elasticNet?: { lambda: number; alpha: number };
  y: number[];
  intercept: number;
  coef: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL("./__fixtures__/glm_statsmodels.json", import.meta.url), "utf8"),
) as { penalised: { columns: Record<string, number[]>; fits: PenalisedFit[] } };
const { columns, fits } = fixture.penalised;

describe("ridge matches scikit-learn", () => {
  for (const f of fits.filter((f) => f.penalty)) {
    it(f.name, () => {
      const fit = glm({ family: f.family, link: f.link, penalty: f.penalty }).fit({
        formula: "y ~ x1 + x2 + x3 + x4 + x5",
        data: { ...columns, y: f.y },
      });
      const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-3);
      expect(rel(fit.coefficients.Intercept, f.intercept)).toBeLessThan(1e-6);
      f.coef.forEach((c, j) => {
        expect(rel(fit.coefficients[`x${j + 1}`], c)).toBeLessThan(1e-6);
      });
    });
  }
});

describe("elastic net matches scikit-learn ElasticNet (glmnet objective)", () => {
  for (const f of fits.filter((f) => f.elasticNet)) {
    it(f.name, () => {
      const fit = glm({ family: f.family, link: f.link, penalty: f.elasticNet }).fit({
        formula: "y ~ x1 + x2 + x3 + x4 + x5",
        data: { ...columns, y: f.y },
      });
      expect(Math.abs(fit.coefficients.Intercept - f.intercept)).toBeLessThan(1e-8);
      f.coef.forEach((c, j) => {
        const b = fit.coefficients[`x${j + 1}`];
        expect(Math.abs(b - c)).toBeLessThan(1e-8);
        // exact zeros where the lasso part removes a predictor
        if (c === 0) expect(b).toBe(0);
      });
      expect(Number.isNaN(fit.stdErrors.x1)).toBe(true);
    });
  }

  it("a path starts with every penalised coefficient at zero and ends near the unpenalised fit", () => {
    const f = fits.find((f) => f.name === "ridge_logistic")!;
    const data = { ...columns, y: f.y };
    const model = glm({ family: "binomial" });
    const path = model.path(
      { formula: "y ~ x1 + x2 + x3 + x4 + x5", data },
      { alpha: 1, nLambda: 30 },
    );
    expect(path).toHaveLength(30);
    expect(path[0].df).toBe(0);
    expect(path[1].df).toBeGreaterThan(0);
    for (let k = 1; k < path.length; k++)
      expect(path[k].deviance).toBeLessThanOrEqual(path[k - 1].deviance + 1e-9);
    const mle = model.fit({ formula: "y ~ x1 + x2 + x3 + x4 + x5", data });
    const last = path[path.length - 1];
    for (const name of mle.names)
      expect(last.coefficients[name]).toBeCloseTo(mle.coefficients[name], 2);
  });

  it("logistic lasso satisfies the KKT conditions", () => {
    const f = fits.find((f) => f.name === "ridge_logistic")!;
    const lambda = 0.02;
    const fit = glm({ family: "binomial", penalty: { lambda, alpha: 1 } }).fit({
      formula: "y ~ x1 + x2 + x3 + x4 + x5",
      data: { ...columns, y: f.y },
    });
    const n = f.y.length;
    const mu = fit.predict(columns).fit;
    for (let j = 1; j <= 5; j++) {
      const x = columns[`x${j}`];
      let g = 0;
      for (let i = 0; i < n; i++) g += (x[i] * (f.y[i] - mu[i])) / n;
      const b = fit.coefficients[`x${j}`];
      if (b === 0) expect(Math.abs(g)).toBeLessThanOrEqual(lambda + 1e-9);
      else expect(g).toBeCloseTo(lambda * Math.sign(b), 8);
    }
  });
});
