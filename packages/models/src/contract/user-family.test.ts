/**
 * A family and a link defined with `@geoml/losses`' public API — one with names
 * no built-in uses, one that borrows the built-in names "poisson" and "log" —
 * fit correctly in the GLM, the MLP and the GAM, and never pick up a built-in kernel.
 */
import { add, div, exp, lgamma, log, maximum, mul, Rng, sub, type Tensor } from "@geoml/autodiff";
import {
  checkDomain,
  defineFamily,
  type Family,
  type Link,
  poisson as poissonFamily,
} from "@geoml/losses";
import { adam, cosineDecay } from "@geoml/optim";
import { describe, expect, it } from "vitest";
import { gam, glm, loadGlm, loadModel, mlp } from "../index.js";

const LN2 = Math.LN2;

/** η = log₂ μ: a link of our own (μ = 2^η). */
function log2Link(name: string): Link {
  return {
    name,
    link: (mu: Tensor) => div(log(mu), LN2),
    inverse: (eta: Tensor) => exp(mul(eta, LN2)),
    derivative: (eta: Tensor) => mul(exp(mul(eta, LN2)), LN2),
  };
}

/** Poisson maths written from scratch, under any name and link. */
function counts(name: string, link: Link): Family {
  return defineFamily({
    name,
    canonicalLink: link.name,
    dispersion: "fixed",
    link,
    checkY: (y) => checkDomain(name, y, (v) => v >= 0 && Number.isFinite(v), "a count ≥ 0"),
    variance: (mu) => mu,
    unitDeviance: (y, mu) => mul(sub(mul(y, log(div(maximum(y, 1e-300), mu))), sub(y, mu)), 2),
    logLikelihood: (y, m, w) => mul(w, sub(sub(mul(y, m.logMu()), m.mu()), lgamma(add(y, 1)))),
    startingMu: (y) => y.map((v) => v + 0.1),
  });
}

function simulate(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.normal([n, 2]);
  const u = rng.uniform([n]);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const rate = Math.exp(0.3 + 0.6 * x.data[2 * i] - 0.4 * x.data[2 * i + 1]);
    let k = 0;
    for (let p = Math.exp(-rate), c = p; u.data[i] > c && k < 1000; c += p) p *= rate / ++k;
    y[i] = k;
  }
  const rows = Array.from({ length: n }, (_, i) => [x.data[2 * i], x.data[2 * i + 1]]);
  return { rows, y, x1: rows.map((r) => r[0]), x2: rows.map((r) => r[1]) };
}

const data = simulate(300, 21);
// the built-in Poisson/log fit, itself held to statsmodels in statsmodels.test.ts
const reference = glm({ family: "poisson" }).fit({
  formula: "y ~ x1 + x2",
  data: { y: data.y, x1: data.x1, x2: data.x2 },
});

const cases = [
  { label: "names no built-in uses", family: counts("counts", log2Link("log2")) },
  { label: 'the built-in names "poisson" and "log"', family: counts("poisson", log2Link("log")) },
];

describe("a user-defined family and link", () => {
  for (const c of cases) {
    it(`fit in the GLM (${c.label}): β = β(log link) / ln 2, not the built-in kernel's answer`, () => {
      expect(c.family.rowKernel).toBeUndefined();
      const fit = glm({ family: c.family }).fit({
        formula: "y ~ x1 + x2",
        data: { y: data.y, x1: data.x1, x2: data.x2 },
      });
      reference.params.forEach((b, j) => {
        expect(Math.abs(fit.params[j] - b / LN2)).toBeLessThan(1e-10);
        expect(Math.abs(fit.bse[j] - reference.bse[j] / LN2)).toBeLessThan(1e-8);
      });
      expect(fit.deviance).toBeCloseTo(reference.deviance, 9);
      // μ on the response scale is the same model
      const nd = { x1: [0.2, -1], x2: [0.4, 1.5] };
      const mu = fit.predict(nd).fit;
      const mu0 = reference.predict(nd).fit;
      for (let i = 0; i < 2; i++) expect(Math.abs(mu[i] - mu0[i]) / mu0[i]).toBeLessThan(1e-9);
      // saving keeps the mark: loading needs the family object again
      const text = JSON.stringify(fit);
      expect(JSON.parse(text).customFamily).toBe(true);
      expect(() => loadModel(text)).toThrow(/user-defined family|cannot rebuild/);
      const back = loadGlm(text, { family: c.family });
      expect(Array.from(back.predict(nd).fit)).toEqual(Array.from(mu));
    });

    it(`fit in the MLP (${c.label}): a linear network lands on the GLM estimate`, () => {
      const steps = 1000;
      const model = mlp({
        hidden: [3],
        activation: "identity",
        family: c.family,
        standardize: false,
        seed: 3,
      });
      model.fit(data.rows, data.y, {
        epochs: steps,
        batchSize: data.rows.length,
        shuffle: false,
        optimizer: adam({ lr: cosineDecay({ lr: 0.05, decaySteps: steps, final: 1e-4 }) }),
      });
      const nd = [
        [0.2, 0.4],
        [-1, 1.5],
      ];
      const mu = model.predict(nd).data;
      const ref = reference.predict({ x1: [0.2, -1], x2: [0.4, 1.5] }).fit;
      for (let i = 0; i < 2; i++) expect(Math.abs(mu[i] - ref[i]) / ref[i]).toBeLessThan(1e-7);
      expect(model.toJSON().family?.custom).toBe(true);
    });
  }

  it("is never combined silently with another link", () => {
    const family = counts("counts", log2Link("log2"));
    expect(() => glm({ family, link: "log" })).toThrow(/link "log" given with a counts family/);
    expect(() => mlp({ family, link: "log" })).toThrow(/link "log" given with a counts family/);
  });
});

describe("a user-defined family and link in the GAM", () => {
  // The same counts with a smooth effect: log μ = 0.3 + sin(2 x1) − 0.4 x2.
  const n = 400;
  const rng = new Rng(5);
  const x1 = Array.from(rng.uniform([n]).data, (u) => 3 * u - 1.5);
  const x2 = Array.from(rng.normal([n]).data);
  const u = rng.uniform([n]);
  const y = x1.map((a, i) => {
    const rate = Math.exp(0.3 + Math.sin(2 * a) - 0.4 * x2[i]);
    let k = 0;
    for (let p = Math.exp(-rate), c = p; u.data[i] > c && k < 1000; c += p) p *= rate / ++k;
    return k;
  });
  const formula = 'y ~ s(x1, bs="cr", k=8) + x2';
  const builtIn = gam(formula, { y, x1, x2 }, { family: poissonFamily() });

  for (const c of cases) {
    it(`fits the same curve as the built-in Poisson/log GAM (${c.label})`, () => {
      const fit = gam(formula, { y, x1, x2 }, { family: c.family });
      // η₂ = η / ln 2: coefficients scale by 1/ln 2, the penalty by 1/ln²2, so REML picks
      // sp₂ = sp · ln²2 and the fitted means are the same model
      const mu = fit.fitted!;
      const ref = builtIn.fitted!;
      for (let i = 0; i < n; i++) expect(Math.abs(mu[i] - ref[i]) / ref[i]).toBeLessThan(1e-5);
      expect(fit.sp["s(x1)"] / builtIn.sp["s(x1)"]).toBeCloseTo(LN2 * LN2, 3);
      expect(fit.coefficients.x2).toBeCloseTo(builtIn.coefficients.x2 / LN2, 6);
    });
  }
});
