import { Rng } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import type { FamilyParameters } from "./family.js";
import { loadMlp, type MlpSpec, mlp } from "./model.js";

/** Targets in each family's domain, drawn around μ = exp(0.5 + x₀). */
function target(name: string, mu: number, u: number): number {
  switch (name) {
    case "binomial":
      return u < mu / (1 + mu) ? 1 : 0;
    case "poisson":
    case "negative_binomial":
      return Math.floor(mu * 2 * u);
    case "tweedie":
      return u < 0.2 ? 0 : mu * (0.5 + u);
    case "categorical":
      return Math.min(2, Math.floor(u * 3));
    default:
      return mu * (0.5 + u); // gaussian, gamma, inverse_gaussian: positive values
  }
}

const cases: [string, MlpSpec & { familyParameters?: FamilyParameters }][] = [
  ["gaussian", { family: "gaussian" }],
  ["gaussian, log link", { family: "gaussian", link: "log" }],
  ["binomial, probit", { family: "binomial", link: "probit" }],
  ["binomial, cloglog", { family: "binomial", link: "cloglog" }],
  ["poisson", { family: "poisson" }],
  ["gamma, log link", { family: "gamma", link: "log" }],
  ["inverse_gaussian, log link", { family: "inverse_gaussian", link: "log" }],
  ["negative_binomial", { family: "negative_binomial", familyParameters: { theta: 2 } }],
  ["tweedie", { family: "tweedie", familyParameters: { power: 1.5 } }],
  ["categorical", { family: "categorical", classes: 3 }],
];

describe("every family of @geoml/losses trains an MLP", () => {
  for (const [label, spec] of cases) {
    it(label, () => {
      const rng = new Rng(11);
      const x = rng.uniform([120, 2], { low: -1, high: 1 });
      const u = rng.uniform([120]);
      const y = Array.from({ length: 120 }, (_, i) =>
        target(spec.family as string, Math.exp(0.5 + x.data[2 * i]), u.data[i]),
      );
      const model = mlp({ hidden: [6], seed: 2, ...spec });
      const history = model.fit(x, y, { epochs: 15, batchSize: 30, lr: 0.01 });
      expect(history.loss.every(Number.isFinite)).toBe(true);
      expect(history.loss.at(-1)!).toBeLessThan(history.loss[0]);
      const mu = model.predict(x);
      expect(Array.from(mu.data).every(Number.isFinite)).toBe(true);
      const again = loadMlp(JSON.stringify(model.toJSON()));
      expect(Array.from(again.predict(x).data)).toEqual(Array.from(mu.data));
    });
  }
});
