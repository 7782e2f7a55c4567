import { Rng } from "@geoml/autodiff";
import { afterEach, describe, expect, it } from "vitest";
import { mlp } from "./model.js";
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
});
