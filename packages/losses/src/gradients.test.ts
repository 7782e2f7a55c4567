import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { binomial } from "./families/binomial.js";
import { categorical } from "./families/categorical.js";
import { poisson } from "./families/poisson.js";
import { cauchit, cloglog, probit } from "./links.js";
import { caseLabel, expectAllClose, familyCases, familyOf, tensorsOf } from "./test-utils.js";

describe("∂loss/∂η against the score −(w/φ)(y − μ)·(dμ/dη)/V(μ)", () => {
  for (const c of familyCases) {
    if (c.family === "categorical") continue;
    const label = caseLabel(c);
    it(label, () => {
      const fam = familyOf(c);
      const { y, eta, mu, weights } = tensorsOf(c);
      const w = c.bernoulli ? undefined : weights;
      const g = ad.grad((e: ad.Tensor) =>
        fam.loss(e, y, { weights: w, scale: c.scale, reduction: "sum" }),
      )(eta);
      const dmu = fam.link.derivative(eta).data;
      const v = fam.variance(mu).data;
      const expected = c.y.map(
        (yi, i) =>
          ((-(c.bernoulli ? 1 : c.weights[i]) / c.scale) * ((yi - c.mu[i]) * dmu[i])) / v[i],
      );
      expectAllClose(g, expected, 1e-9, 1e-12, `${label} ∂loss/∂η`);
    });
  }

  for (const c of familyCases.filter((f) => f.family === "categorical")) {
    it(`${caseLabel(c)}: w·(softmax(η) − onehot(y))`, () => {
      const k = c.k!;
      const { y, eta, weights } = tensorsOf(c);
      const g = ad.grad((e: ad.Tensor) => categorical(k).loss(e, y, { weights, reduction: "sum" }))(
        eta,
      );
      const expected = c.mu.map((m, j) => {
        const i = Math.floor(j / k);
        return c.weights[i] * (m - (j % k === c.y[i] ? 1 : 0));
      });
      expectAllClose(g, expected, 1e-10, 1e-13, "categorical ∂loss/∂η");
    });
  }
});

describe("numerical stability at extreme η", () => {
  const eta = ad.tensor([-800, -800, 800, 800]);
  const y = ad.tensor([1, 0, 0, 1]);

  it("Bernoulli-logit loss is finite at η = ±800 with the exact gradient σ(η) − y", () => {
    const fam = binomial();
    const [value, g] = ad.valueAndGrad((e: ad.Tensor) => fam.loss(e, y, { reduction: "sum" }))(eta);
    expect(value.item()).toBe(1600); // −log σ(−800)·2, exactly 800 each
    expectAllClose(g, [-1, 0, 1, 0], 0, 1e-300, "∂/∂η");
    const none = fam.loss(eta, y, { reduction: "none" }).data;
    expect([...none]).toEqual([800, 0, 800, 0]);
  });

  it("Bernoulli-logit stays finite in float32", () => {
    const fam = binomial();
    const e32 = eta.astype("float32");
    const [value, g] = ad.valueAndGrad((e: ad.Tensor) =>
      fam.loss(e, y.astype("float32"), { reduction: "sum" }),
    )(e32);
    expect(value.dtype).toBe("float32");
    expect(value.item()).toBe(1600);
    expect([...g.data].map((v) => v + 0)).toEqual([-1, 0, 1, 0]); // +0 folds −0
  });

  for (const link of [probit(), cloglog(), cauchit()]) {
    it(`Bernoulli-${link.name} loss and gradient are finite at η = ±800`, () => {
      const fam = binomial(link);
      const [value, g] = ad.valueAndGrad((e: ad.Tensor) => fam.loss(e, y, { reduction: "sum" }))(
        eta,
      );
      expect(Number.isFinite(value.item())).toBe(true);
      for (const v of g.data) expect(Number.isFinite(v)).toBe(true);
    });
  }

  it("cloglog keeps log μ accurate far in the lower tail (no clamp in the loss)", () => {
    // −log μ ≈ −η + e^η/2 for η ≪ 0
    const v = binomial(cloglog()).loss(ad.tensor([-800, -35]), ad.tensor([1, 1]), {
      reduction: "none",
    });
    expectAllClose(v, [800, 35 - Math.exp(-35) / 2], 1e-15, 0, "cloglog tail");
  });

  it("Poisson-log loss keeps its gradient e^η − y where μ underflows", () => {
    const fam = poisson();
    const g = ad.grad((e: ad.Tensor) => fam.loss(e, ad.tensor([3, 0]), { reduction: "sum" }))(
      ad.tensor([-100, -800]),
    );
    expectAllClose(g, [Math.exp(-100) - 3, 0], 1e-15, 1e-300, "Poisson ∂/∂η");
  });

  it("categorical loss is finite for logits of ±800", () => {
    const e = ad.tensor([
      [800, -800, 0],
      [-800, 800, 0],
    ]);
    const [value, g] = ad.valueAndGrad((x: ad.Tensor) =>
      categorical(3).loss(x, ad.tensor([1, 1]), { reduction: "sum" }),
    )(e);
    expect(value.item()).toBe(1600);
    expectAllClose(g, [1, -1, 0, 0, 0, 0], 0, 1e-300, "categorical ∂/∂η");
  });
});

describe("second order", () => {
  it("Hessian of the Bernoulli-logit loss is μ(1 − μ) (grad of grad)", () => {
    const fam = binomial();
    const eta = ad.tensor([-2, 0.3, 1.7]);
    const y = ad.tensor([0, 1, 1]);
    const h = ad.grad((e: ad.Tensor) =>
      ad.sum(ad.grad((x: ad.Tensor) => fam.loss(x, y, { reduction: "sum" }))(e)),
    )(eta);
    const mu = eta.data.map((v) => 1 / (1 + Math.exp(-v)));
    expectAllClose(
      h,
      mu.map((m) => m * (1 - m)),
      1e-12,
      0,
      "Hessian diagonal",
    );
  });
});

describe("second derivatives of every loss (grad of grad against differences of the gradient)", () => {
  for (const c of familyCases) {
    if (c.family === "categorical" || c.bernoulli) continue;
    const label = caseLabel(c);
    it(label, () => {
      const fam = familyOf(c);
      const { y, eta, weights } = tensorsOf(c);
      const lossOf = (e: ad.Tensor) =>
        fam.loss(e, y, { weights, scale: c.scale, reduction: "sum" });
      const gradOf = ad.grad(lossOf);
      // the loss is a sum over observations, so the Hessian is diagonal
      const hessian = ad.grad((e: ad.Tensor) => ad.sum(gradOf(e)))(eta).data;
      const h = 1e-5;
      const up = gradOf(ad.add(eta, h)).data;
      const down = gradOf(ad.sub(eta, h)).data;
      const central = hessian.map((_, i) => (up[i] - down[i]) / (2 * h));
      expectAllClose(hessian, central, 1e-5, 1e-7, `${label} ∂²loss/∂η²`);
    });
  }
});
