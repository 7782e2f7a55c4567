/** The outer Newton iteration: convergence with an analytic gradient, and its caps. */
import { binomial, categorical } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import { GamError } from "./errors.js";
import { gam } from "./fit.js";
import type { MultinomGamResults } from "./multinom.js";
import { newtonOuter } from "./outer.js";

// f(ρ) = Σ c_j (ρ_j − t_j)⁴ + (ρ₀ − t₀)²(ρ₁ − t₁)²: not quadratic, so Newton needs several steps
const target = [1.5, -2, 0.25];
const score = (r: Float64Array) =>
  r.reduce((s, v, j) => s + (j + 1) * (v - target[j]) ** 4, 0) +
  (r[0] - target[0]) ** 2 * (r[1] - target[1]) ** 2;
const grad = (r: Float64Array) => {
  const g = r.map((v, j) => 4 * (j + 1) * (v - target[j]) ** 3);
  g[0] += 2 * (r[0] - target[0]) * (r[1] - target[1]) ** 2;
  g[1] += 2 * (r[1] - target[1]) * (r[0] - target[0]) ** 2;
  return g;
};
const evaluate = (r: Float64Array) => ({ score: score(r), fit: { beta: new Float64Array(0) } });

describe("newtonOuter", () => {
  it("reaches the minimum with an analytic gradient and with differences", () => {
    const a = newtonOuter(evaluate, Float64Array.from([0, 0, 0]), {
      gradient: (r) => grad(r),
    });
    const b = newtonOuter(evaluate, Float64Array.from([0, 0, 0]));
    for (const out of [a, b]) {
      expect(out.converged).toBe(true);
      for (let j = 0; j < 3; j++) expect(Math.abs(out.rho[j] - target[j])).toBeLessThan(0.02);
    }
    // m + 1 fits per step with the gradient, 2m + 2m² without
    expect(a.evaluations).toBeLessThan(b.evaluations / 3);
  });

  it("stops at its step or fit cap, unconverged, at the best point found", () => {
    const start = Float64Array.from([0, 0, 0]);
    const steps = newtonOuter(evaluate, start, { gradient: (r) => grad(r), maxIter: 2 });
    expect(steps.converged).toBe(false);
    expect(steps.iterations).toBe(2);
    expect(steps.best.score).toBeLessThan(score(start));
    const fits = newtonOuter(evaluate, start, { maxEvaluations: 10 });
    expect(fits.converged).toBe(false);
    expect(fits.evaluations).toBeLessThanOrEqual(10 + 2 * 3 + 2 * 9);
  });
});

describe("gam() maxOuterIter", () => {
  const n = 200;
  const x = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
  const x2 = Float64Array.from({ length: n }, (_, i) => ((i * 37) % n) / n);
  const data = {
    x,
    x2,
    yb: Float64Array.from(x, (v, i) => (Math.sin(6 * v) + ((i * 7919) % 13) / 8 > 0.9 ? 1 : 0)),
    y3: Float64Array.from(x, (v, i) => Math.floor(3 * v + ((i * 31) % 5) / 5) % 3),
  };

  it("returns the best fit found, converged: false, and a warning in summary()", () => {
    const r = gam("yb ~ s(x) + s(x2)", data, { family: binomial(), maxOuterIter: 1 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(1);
    expect(r.summary()).toMatch(/Warning: the smoothing parameter search stopped after 1 Newton/);
    const full = gam("yb ~ s(x) + s(x2)", data, { family: binomial() });
    expect(full.converged).toBe(true);
    expect(full.summary()).not.toMatch(/Warning/);
    expect(full.score).toBeLessThanOrEqual(r.score);
    const m = gam("y3 ~ s(x)", data, {
      family: categorical(3),
      maxOuterIter: 1,
    }) as unknown as MultinomGamResults;
    expect(m.converged).toBe(false);
    expect(m.summary()).toMatch(/Warning: the smoothing parameter search stopped/);
  });

  it("rejects a cap that is not a positive integer", () => {
    for (const bad of [0, 1.5, -1, Number.NaN])
      expect(() => gam("yb ~ s(x)", data, { family: binomial(), maxOuterIter: bad })).toThrow(
        GamError,
      );
    expect(() => gam("yb ~ s(x)", data, { family: binomial(), maxOuterIter: 0 })).toThrow(
      /maxOuterIter must be a positive integer, got 0/,
    );
  });
});
