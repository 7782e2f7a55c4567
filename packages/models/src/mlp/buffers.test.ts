import { Rng, tensor } from "@geoml/autodiff";
import { applyUpdates } from "@geoml/optim";
import { afterEach, describe, expect, it } from "vitest";
import { mlp } from "./model.js";
import { defaultOptimizer, startOptimizer } from "./optimizer.js";
import { trainBuffers } from "./train.js";

afterEach(() => {
  trainBuffers.reuse = true;
});

describe("mlp training with buffer reuse", () => {
  it("gives the same model bit for bit with and without reusing step buffers", () => {
    const rng = new Rng(21);
    const x = rng.normal([300, 3]);
    const y = new Float64Array(300);
    for (let i = 0; i < 300; i++) y[i] = Math.tanh(x.data[3 * i]) - 0.3 * x.data[3 * i + 2];
    const fit = (reuse: boolean, dtype: "float32" | "float64") => {
      trainBuffers.reuse = reuse;
      const m = mlp({ hidden: [16, 8], activation: "tanh", dropout: 0.1, seed: 4, dtype });
      m.fit(x, y, { epochs: 6, batchSize: 32, validationSplit: 0.2, lr: 0.01, weightDecay: 1e-3 });
      return JSON.stringify(m.toJSON());
    };
    for (const dtype of ["float32", "float64"] as const) {
      const pooled = fit(true, dtype);
      expect(pooled).toBe(fit(false, dtype));
    }
  });

  it("allocates no step buffers after the first epoch", () => {
    const rng = new Rng(5);
    const x = rng.normal([256, 4]);
    const y = new Float64Array(256).map((_, i) => Math.sin(x.data[4 * i]));
    const allocated: number[] = [];
    mlp({ hidden: [16, 16], activation: "tanh", dtype: "float32", seed: 1 }).fit(x, y, {
      epochs: 4,
      batchSize: 64,
      onEpoch: () => {
        allocated.push(trainBuffers.pool!.stats.allocated);
        return undefined;
      },
    });
    // every op output, gradient included, comes from the pool after the first epoch
    expect(allocated[0]).toBeGreaterThan(0);
    expect(allocated.slice(1)).toEqual([allocated[0], allocated[0], allocated[0]]);
    expect(trainBuffers.pool!.stats.reused).toBeGreaterThan(10 * allocated[0]);
    // and nothing stays held once training ends
    expect(trainBuffers.pool!.stats.freeBytes).toBe(0);
  });

  it("updates the parameters in place, with applyUpdates' values", () => {
    const params = [
      {
        weight: tensor(Float32Array.of(0.5, -1, 2, 0.25), { shape: [2, 2] }),
        bias: tensor(Float32Array.of(0.1, -0.2), { shape: [2] }),
      },
    ];
    const grads = [
      {
        weight: tensor(Float32Array.of(0.3, 0.1, -0.7, 2), { shape: [2, 2] }),
        bias: tensor(Float32Array.of(-1, 0.5), { shape: [2] }),
      },
    ];
    const arrays = params.map((l) => [l.weight.data, l.bias.data]);
    // the reference: the pure optimiser and applyUpdates, step by step
    const ref = defaultOptimizer(0.01);
    let refState = ref.init(params);
    const copy = (t: (typeof params)[number]["weight"]) =>
      tensor(t.data.slice(), { shape: [...t.shape] });
    let expected = params.map((l) => ({ weight: copy(l.weight), bias: copy(l.bias) }));
    const run = startOptimizer(defaultOptimizer(0.01), params);
    for (let step = 0; step < 3; step++) {
      const r = ref.update(grads, refState, expected);
      refState = r.state;
      expected = applyUpdates(expected, r.updates);
      run.step(params, grads, 1);
      expect(params.map((l) => [l.weight.data, l.bias.data])).toEqual(arrays);
      expect(params[0].weight.data).toBe(arrays[0][0]);
      expect(Array.from(params[0].weight.data)).toEqual(Array.from(expected[0].weight.data));
      expect(Array.from(params[0].bias.data)).toEqual(Array.from(expected[0].bias.data));
    }
  });
});
