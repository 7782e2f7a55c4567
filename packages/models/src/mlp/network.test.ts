import { noGrad, ones, Rng, tensor } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { activation, activationNames } from "./activations.js";
import { isMlpError } from "./errors.js";
import { type Architecture, forward, initParams, parameterShapes } from "./network.js";

const arch = (over: Partial<Architecture> = {}): Architecture => ({
  inputs: 200,
  hidden: [300],
  outputs: 1,
  activation: "tanh",
  layerNorm: false,
  dropout: 0,
  ...over,
});

function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const mean = s / values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - mean) ** 2;
  return { mean, variance: v / values.length };
}

describe("initialisers", () => {
  it("draw Glorot-uniform and He-normal weights with the textbook variances", () => {
    const glorot = initParams(arch(), "glorot", new Rng(1), "float64")[0].weight;
    const m = moments(glorot.data);
    expect(Math.abs(m.mean)).toBeLessThan(0.002);
    expect(m.variance / (2 / (200 + 300))).toBeCloseTo(1, 1);
    const he = initParams(arch({ activation: "relu" }), "he", new Rng(1), "float64")[0].weight;
    expect(moments(he.data).variance / (2 / 200)).toBeCloseTo(1, 1);
  });

  it("are seeded and shaped as parameterShapes says", () => {
    const a = initParams(arch({ layerNorm: true, hidden: [4, 3] }), "he", new Rng(7), "float32");
    const b = initParams(arch({ layerNorm: true, hidden: [4, 3] }), "he", new Rng(7), "float32");
    expect(a.map((l) => Object.keys(l).sort())).toEqual(
      parameterShapes(arch({ layerNorm: true, hidden: [4, 3] })).map((l) => Object.keys(l).sort()),
    );
    a.forEach((layer, i) => {
      for (const [k, t] of Object.entries(layer)) {
        expect(t.dtype).toBe("float32");
        expect(Array.from(t.data)).toEqual(Array.from(b[i][k].data));
      }
    });
    expect(Array.from(a[1].gain.data)).toEqual([1, 1, 1]);
  });
});

describe("forward", () => {
  it("drops hidden units with the dropout probability and rescales the rest", () => {
    const a = arch({ inputs: 1, hidden: [2000], activation: "identity", dropout: 0.3 });
    const params = [
      { weight: ones([1, 2000]), bias: tensor(new Float64Array(2000)) },
      { weight: ones([2000, 1]), bias: tensor([0]) },
    ];
    // One input of 1 → every hidden unit is 1; the output sums the kept, rescaled units.
    const x = tensor([[1]]);
    const out = noGrad(() => forward(a, params, x, { dropoutRng: new Rng(3) })).item();
    expect(out / 2000).toBeGreaterThan(0.93);
    expect(out / 2000).toBeLessThan(1.07);
    // Kept units count whole: out · (1 − p) is an integer.
    expect(Math.abs(out * 0.7 - Math.round(out * 0.7))).toBeLessThan(1e-9);
    // Without a dropout generator (prediction) nothing is dropped.
    expect(noGrad(() => forward(a, params, x)).item()).toBe(2000);
  });

  it("normalises each row of a hidden layer with layer normalisation", () => {
    const a = arch({ inputs: 3, hidden: [5], activation: "identity", layerNorm: true, outputs: 5 });
    const params = initParams(a, "glorot", new Rng(2), "float64");
    // Read the hidden layer through an identity output layer.
    params[1].weight = tensor(
      Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i === j ? 1 : 0))),
    );
    const x = new Rng(4).normal([6, 3]);
    const h = noGrad(() => forward(a, params, x));
    for (let r = 0; r < 6; r++) {
      const m = moments(h.data.subarray(5 * r, 5 * r + 5));
      expect(m.mean).toBeCloseTo(0, 12);
      expect(m.variance).toBeCloseTo(1, 3); // ε = 1e-5 inside the square root
    }
  });

  it("knows every activation and rejects unknown names", () => {
    const x = tensor([-2, 0, 3]);
    const expected: Record<string, number[]> = {
      identity: [-2, 0, 3],
      relu: [0, 0, 3],
      tanh: [Math.tanh(-2), 0, Math.tanh(3)],
      sigmoid: [1 / (1 + Math.exp(2)), 0.5, 1 / (1 + Math.exp(-3))],
      softplus: [Math.log1p(Math.exp(-2)), Math.LN2, 3 + Math.log1p(Math.exp(-3))],
      elu: [Math.expm1(-2), 0, 3],
      gelu: [-2 * 0.02275013194817921, 0, 3 * 0.9986501019683699],
    };
    for (const name of activationNames) {
      const y = Array.from(activation(name)(x).data);
      y.forEach((v, i) => {
        expect(v, `${name}(${x.data[i]})`).toBeCloseTo(expected[name][i], 12);
      });
    }
    let caught: unknown;
    try {
      activation("toString" as "tanh");
    } catch (e) {
      caught = e;
    }
    expect(isMlpError(caught, "MLP_OPTION")).toBe(true);
  });
});
