/**
 * The public training objective `Mlp.loss`: the loss `fit` minimises, usable in a
 * training loop of one's own with `valueAndGrad` (here plain gradient descent).
 */
import { Rng, tensor, valueAndGrad } from "@geoml/autodiff";
import { poisson } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import { isMlpError } from "./errors.js";
import { mlp } from "./model.js";
import { forward, type MlpParams } from "./network.js";

describe("Mlp.loss", () => {
  const rng = new Rng(5);
  const x = rng.uniform([200, 2], { low: -1, high: 1 });
  const y = Array.from({ length: 200 }, (_, i) => Math.round(Math.exp(0.5 + x.data[2 * i])));

  it("is the family's mean NLL of the network output on standardised rows", () => {
    const model = mlp({ hidden: [4], family: "poisson", seed: 2, standardize: false });
    model.fit(x, y, { epochs: 2 });
    const params = model.params!;
    const eta = forward(model.architecture!, params, x);
    const expected = poisson()
      .loss(tensor(eta.data), tensor(Float64Array.from(y)))
      .item();
    expect(model.loss(params, x, y).item()).toBeCloseTo(expected, 14);
    // weight decay adds (λ/2)·Σ‖W‖²
    let sq = 0;
    for (const layer of params) for (const v of layer.weight.data) sq += v * v;
    expect(model.loss(params, x, y, { weightDecay: 0.1 }).item()).toBeCloseTo(
      expected + 0.05 * sq,
      12,
    );
  });

  it("drives a hand-written training loop", () => {
    const model = mlp({ hidden: [8], family: "poisson", seed: 3 });
    model.fit(x, y, { epochs: 1 });
    let params: MlpParams = model.params!;
    const step = valueAndGrad((p: MlpParams) => model.loss(p, x, y));
    const [first] = step(params);
    for (let k = 0; k < 50; k++) {
      const [, g] = step(params);
      params = params.map((layer, i) =>
        Object.fromEntries(
          Object.entries(layer).map(([name, t]) => [
            name,
            tensor(
              t.data.map((v, j) => v - 0.1 * g[i][name].data[j]),
              { shape: [...t.shape] },
            ),
          ]),
        ),
      );
    }
    expect(step(params)[0].item()).toBeLessThan(first.item());
  });

  it("needs a fitted model and matching inputs", () => {
    expect(() => mlp().loss([], [[1]], [1])).toThrow(/call fit\(\) first/);
    const model = mlp({ hidden: [2], seed: 1 });
    model.fit(x, y, { epochs: 1 });
    try {
      model.loss(model.params!, [[1, 2, 3]], [1]);
      throw new Error("accepted 3 columns");
    } catch (e) {
      expect(isMlpError(e, "MLP_SHAPE")).toBe(true);
    }
  });
});
