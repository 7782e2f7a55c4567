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
