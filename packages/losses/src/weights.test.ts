import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { binomial } from "./families/binomial.js";
import { categorical } from "./families/categorical.js";
import { gamma } from "./families/gamma.js";
import { gaussian } from "./families/gaussian.js";
import { poisson } from "./families/poisson.js";
import { tweedie } from "./families/tweedie.js";
import { expectAllClose } from "./test-utils.js";

const t = (v: number[]) => ad.tensor(v);

describe("prior weights", () => {
  it("integer weights equal repeated rows (Poisson, Bernoulli, categorical)", () => {
    const eta = [0.3, -1.2, 2];
    const y = [1, 0, 4];
    const w = [2, 1, 3];
    const rep = (a: number[]) => a.flatMap((v, i) => Array(w[i]).fill(v));
    const weighted = poisson().loss(t(eta), t(y), { weights: t(w), reduction: "sum" });
    const repeated = poisson().loss(t(rep(eta)), t(rep(y)), { reduction: "sum" });
    expectAllClose(weighted, repeated.item(), 1e-14, 0, "Poisson");

    const yb = [1, 0, 1];
    const b1 = binomial().loss(t(eta), t(yb), { weights: t(w), reduction: "sum" });
    const b2 = binomial().loss(t(rep(eta)), t(rep(yb)), { reduction: "sum" });
    expectAllClose(b1, b2.item(), 1e-14, 0, "Bernoulli");

    const logits = [
      [0.1, 2, -1],
      [1, 0, 0.5],
      [-2, 0.3, 0.3],
    ];
    const c1 = categorical(3).loss(ad.tensor(logits), t([2, 0, 1]), {
      weights: t(w),
      reduction: "sum",
    });
    const c2 = categorical(3).loss(
      ad.tensor(rep(logits as unknown as number[]) as unknown as number[][]),
      t(rep([2, 0, 1])),
      {
        reduction: "sum",
      },
    );
    expectAllClose(c1, c2.item(), 1e-14, 0, "categorical");
  });

  it('"mean" divides the weighted sum by Σw; "none" keeps one value per observation', () => {
    const fam = gaussian();
    const opts = { weights: t([0.5, 1.5, 2]), scale: 2 };
    const sum = fam.loss(t([0, 1, 2]), t([0.5, 0.5, 3]), { ...opts, reduction: "sum" }).item();
    const mean = fam.loss(t([0, 1, 2]), t([0.5, 0.5, 3]), opts).item();
    expectAllClose(mean, sum / 4, 1e-15, 0, "mean");
    const none = fam.loss(t([0, 1, 2]), t([0.5, 0.5, 3]), { ...opts, reduction: "none" });
    expect(none.shape).toEqual([3]);
    expectAllClose(ad.sum(none).item(), sum, 1e-15, 0, "none");
    expect(fam.loss(t([0, 1]), t([1, 1])).shape).toEqual([]);
  });

  it("observations of weight 0 contribute nothing, even where log(φ/w) would be infinite", () => {
    for (const fam of [gaussian(), gamma("log"), tweedie({ power: 1.4 }), poisson()]) {
      const eta = t([0.2, 0.4, -0.1]);
      const y = t([1.5, 2, 0.7]);
      const full = fam.loss(eta, y, { weights: t([1, 0, 2]), reduction: "none" });
      expect(full.data[1], fam.name).toBe(0);
      const g = ad.grad((e: ad.Tensor) =>
        fam.loss(e, y, { weights: t([1, 0, 2]), reduction: "sum" }),
      )(eta);
      expect(g.data[1], fam.name).toBe(0);
      expect(Number.isFinite(g.data[0]) && Number.isFinite(g.data[2]), fam.name).toBe(true);
      expect(Number.isFinite(fam.logLikelihood(y, t([1, 1, 1]), { weights: t([1, 0, 2]) }))).toBe(
        true,
      );
      expect(fam.deviance(y, t([1, 1, 1]), t([1, 0, 2]))).toBeCloseTo(
        fam.deviance(t([1.5, 0.7]), t([1, 1]), t([1, 2])),
        12,
      );
    }
  });

  it("area weights cos(latitude) broadcast over a [lat, lon] grid", () => {
    const lat = [-60, 0, 45];
    const coslat = lat.map((d) => Math.cos((d * Math.PI) / 180));
    const eta = ad.tensor([
      [0.1, -0.5],
      [1.2, 0.3],
      [-2, 0.8],
    ]);
    const y = ad.tensor([
      [1, 0],
      [1, 1],
      [0, 1],
    ]);
    const column = ad.tensor(Float64Array.from(coslat), { shape: [3, 1] });
    const full = ad.tensor(Float64Array.from(coslat.flatMap((c) => [c, c])), { shape: [3, 2] });
    const a = binomial().loss(eta, y, { weights: column });
    const b = binomial().loss(eta, y, { weights: full });
    expectAllClose(a, b.item(), 1e-15, 0, "broadcast");
    expect(binomial().loss(eta, y, { weights: column, reduction: "none" }).shape).toEqual([3, 2]);
  });
});

describe("starting values (R's family$initialize)", () => {
  it("matches R's formulas", () => {
    const y = Float64Array.from([0, 1, 3]);
    expect([...poisson().startingMu(y)]).toEqual([0.1, 1.1, 3.1]);
    expect([...gaussian().startingMu(y)]).toEqual([0, 1, 3]);
    expect([...tweedie({ power: 1.5 }).startingMu(y)]).toEqual([0.1, 1, 3]);
    const yb = Float64Array.from([0, 1, 0.5]);
    const w = Float64Array.from([1, 3, 4]);
    expect([...binomial().startingMu(yb, w)]).toEqual([0.25, 3.5 / 4, 2.5 / 5]);
    const start = categorical(3).startingMu(Float64Array.from([0, 0, 2]));
    expect(start.length).toBe(9);
    for (let i = 0; i < 3; i++) {
      expectAllClose(start[i * 3] + start[i * 3 + 1] + start[i * 3 + 2], 1, 1e-15, 0, "row sum");
    }
    expect(start[1]).toBeGreaterThan(0); // an unseen class still gets a positive start
  });
});
