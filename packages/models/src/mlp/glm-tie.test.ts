import { matmul, Rng, tensor } from "@geoml/autodiff";
import { adam, cosineDecay } from "@geoml/optim";
import { describe, expect, it } from "vitest";
import { glm } from "../glm/index.js";
import { mlp } from "./model.js";

/**
 * With identity activations a one-hidden-layer network is linear in x:
 * η = x·W₁W₂ + (b₁W₂ + b₂). Trained on the family's loss it must land on the
 * GLM's maximum-likelihood estimate, which ties the two model kinds together.
 */
function simulate(family: "poisson" | "binomial", n: number, seed: number) {
  const rng = new Rng(seed);
  const x = rng.normal([n, 2]);
  const u = rng.uniform([n]);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const eta = 0.3 + 0.6 * x.data[2 * i] - 0.4 * x.data[2 * i + 1];
    if (family === "binomial") {
      y[i] = u.data[i] < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    } else {
      const rate = Math.exp(eta);
      let k = 0;
      for (let p = Math.exp(-rate), c = p; u.data[i] > c && k < 1000; c += p) p *= rate / ++k;
      y[i] = k;
    }
  }
  const rows = Array.from({ length: n }, (_, i) => [x.data[2 * i], x.data[2 * i + 1]]);
  return { rows, y };
}

describe("a linear one-hidden-layer network reproduces the GLM", () => {
  for (const family of ["poisson", "binomial"] as const) {
    it(family, () => {
      const { rows, y } = simulate(family, 300, family === "poisson" ? 21 : 22);
      const reference = glm({ family }).fit({ x: rows.map((r) => [1, ...r]), y });

      const steps = 1000;
      const model = mlp({
        hidden: [3],
        activation: "identity",
        family,
        standardize: false,
        seed: 3,
      });
      model.fit(rows, y, {
        epochs: steps,
        batchSize: rows.length,
        shuffle: false,
        optimizer: adam({ lr: cosineDecay({ lr: 0.05, decaySteps: steps, final: 1e-4 }) }),
      });
      const [l1, l2] = model.params!;
      const slopes = matmul(l1.weight, l2.weight).data;
      const intercept = matmul(l1.bias, l2.weight).data[0] + l2.bias.data[0];
      const beta = [intercept, slopes[0], slopes[1]];
      beta.forEach((b, j) => {
        expect(Math.abs(b - reference.params[j]), `coefficient ${j}`).toBeLessThan(1e-9);
      });
      const muGlm = reference.predict(rows.map((r) => [1, ...r])).fit;
      const muMlp = model.predict(tensor(rows)).data;
      for (let i = 0; i < rows.length; i++) {
        expect(Math.abs(muMlp[i] - muGlm[i]) / muGlm[i]).toBeLessThan(1e-9);
      }
    });
  }
});
