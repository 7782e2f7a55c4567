/**
 * Formulas against R (tools/oracles/formula_r.R): a Binomial proportion written
 * `I(wet / trials) ~ x` with the trials as prior weights and `cbind(wet, trials - wet) ~ x`
 * give R's glm; `poly(x, 3)` gives R's orthogonal columns, coefficients and
 * `predict(poly, newx)`, and a GLM on it R's fit and predictions. Tolerances:
 * 1e-9 relative for the GLMs (IRLS to convergence on both sides), 1e-12 for poly.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { glm, loadModel } from "../index.js";
import { buildDesign } from "./design.js";
import { poly, registerTransform, transformNames } from "./transforms.js";

interface GlmRef {
  names: string[];
  params: number[];
  bse: number[];
  deviance: number[];
  aic: number[];
}
const r = JSON.parse(
  readFileSync(new URL("./__fixtures__/formula_r.json", import.meta.url), "utf8"),
) as {
  data: { x: number[]; trials: number[]; wet: number[]; y: number[] };
  proportion: GlmRef;
  cbind: GlmRef;
  poly: {
    columns: number[][];
    alpha: number[];
    norm2: number[];
    newx: number[];
    predict: number[][];
    glm: GlmRef;
    glm_predict: number[];
  };
};

const near = (a: number, b: number, tol: number, what: string) =>
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(
    tol * Math.max(1, Math.abs(b)),
  );

/** `aicShift`: R counts the Gaussian scale as a parameter (AIC 2 more than statsmodels'). */
function matches(fit: ReturnType<ReturnType<typeof glm>["fit"]>, ref: GlmRef, aicShift = 0) {
  ref.params.forEach((b, j) => {
    near(fit.params[j], b, 1e-9, `coefficient ${ref.names[j]}`);
    near(fit.bse[j], ref.bse[j], 1e-9, `std error ${ref.names[j]}`);
  });
  near(fit.deviance, ref.deviance[0], 1e-9, "deviance");
  near(fit.aic + aicShift, ref.aic[0], 1e-9, "AIC");
}

describe("formulas give R's answers", () => {
  it("a Binomial proportion I(wet / trials) ~ x with weights trials (R's glm)", () => {
    const fit = glm({ family: "binomial" }).fit({
      formula: "I(wet / trials) ~ x",
      data: r.data,
      weights: "trials",
    });
    expect(fit.names).toEqual(["Intercept", "x"]);
    matches(fit, r.proportion);
  });

  it("cbind(wet, trials - wet) ~ x still gives the same fit", () => {
    const fit = glm({ family: "binomial" }).fit({
      formula: "cbind(wet, trials - wet) ~ x",
      data: r.data,
    });
    matches(fit, r.cbind);
  });

  it("transforms work on the left-hand side too", () => {
    const d = buildDesign("log(y + 10) ~ x", r.data);
    for (let i = 0; i < d.n; i++) expect(d.y![i]).toBe(Math.log(r.data.y[i] + 10));
  });

  it("poly(x, 3): R's orthogonal columns, coefficients and predictions on new x", () => {
    const fit = poly.apply([Float64Array.from(r.data.x)], [3], undefined, "poly(x, 3)");
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < r.data.x.length; i++)
        near(fit.columns[k][i], r.poly.columns[k][i], 1e-12, `column ${k + 1} row ${i}`);
    const s = fit.state as { alpha: number[]; norm2: number[] };
    for (let k = 0; k < 3; k++) near(s.alpha[k], r.poly.alpha[k], 1e-12, `alpha ${k}`);
    for (let k = 0; k < 5; k++) near(s.norm2[k], r.poly.norm2[k], 1e-12, `norm2 ${k}`);
    const pred = poly.apply([Float64Array.from(r.poly.newx)], [3], s, "poly(x, 3)");
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < r.poly.newx.length; i++)
        near(pred.columns[k][i], r.poly.predict[k][i], 1e-12, `predict ${k + 1} row ${i}`);
  });

  it("a GLM y ~ poly(x, 3): R's fit, and predictions through a saved model", () => {
    const fit = glm({ family: "gaussian" }).fit({ formula: "y ~ poly(x, 3)", data: r.data });
    expect(fit.names).toEqual(["Intercept", "poly(x, 3)1", "poly(x, 3)2", "poly(x, 3)3"]);
    matches(fit, r.poly.glm, 2);
    const back = loadModel(JSON.stringify(fit));
    const p = back.predict({ x: r.poly.newx });
    for (let i = 0; i < p.fit.length; i++)
      near(p.fit[i], r.poly.glm_predict[i], 1e-9, `prediction ${i}`);
  });

  it("a user registers a transform and uses it anywhere in a formula", () => {
    if (!transformNames().includes("asinh"))
      registerTransform("asinh", { kind: "elementwise", apply: Math.asinh });
    const d = buildDesign("asinh(y) ~ asinh(x) + I(asinh(x) * 2)", r.data);
    expect(d.names).toEqual(["Intercept", "asinh(x)", "I(asinh(x) * 2)"]);
    expect(d.y![3]).toBe(Math.asinh(r.data.y[3]));
    expect(() => registerTransform("I", { kind: "elementwise", apply: (v) => v })).toThrow(
      /reserved/,
    );
    expect(() => buildDesign("y ~ spline(x)", r.data)).toThrow(/unknown function "spline"/);
  });
});
