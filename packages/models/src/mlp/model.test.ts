import { Rng, tensor } from "@geoml/autodiff";
import { categorical } from "@geoml/losses";
import { adam, reduceOnPlateau } from "@geoml/optim";
import { describe, expect, it } from "vitest";
import { isMlpError } from "./errors.js";
import { loadMlp, mlp } from "./model.js";

/** y = sin(2x₀) + 0.5x₁ + noise on standard normal inputs, from a fixed seed. */
function regression(n: number, seed: number, noise = 0.1) {
  const rng = new Rng(seed);
  const x = rng.normal([n, 2]);
  const e = rng.normal([n]);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = Math.sin(2 * x.data[2 * i]) + 0.5 * x.data[2 * i + 1] + noise * e.data[i];
  }
  return { x, y };
}

const mse = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
};

describe("mlp training", () => {
  it("learns a smooth nonlinear regression", () => {
    const { x, y } = regression(400, 1);
    const model = mlp({ hidden: [16, 16], activation: "tanh", seed: 3 });
    model.fit(x, y, { epochs: 150, batchSize: 32, optimizer: adam({ lr: 0.01 }) });
    const test = regression(200, 2, 0);
    expect(mse(model.predict(test.x).data, test.y)).toBeLessThan(0.03);
  });

  it("gives the same model bit for bit from the same seed", () => {
    const { x, y } = regression(100, 4);
    const fit = () => {
      const m = mlp({ hidden: [8], activation: "relu", dropout: 0.2, seed: 11 });
      m.fit(x, y, { epochs: 5, batchSize: 16, validationSplit: 0.2, lr: 0.01 });
      return JSON.stringify(m.toJSON());
    };
    expect(fit()).toBe(fit());
    const other = mlp({ hidden: [8], activation: "relu", dropout: 0.2, seed: 12 });
    other.fit(x, y, { epochs: 5, batchSize: 16, validationSplit: 0.2, lr: 0.01 });
    expect(JSON.stringify(other.toJSON())).not.toBe(fit());
  });

  it("classifies with Bernoulli and Categorical families", () => {
    const rng = new Rng(5);
    const x = rng.normal([300, 2]);
    const yb = new Float64Array(300);
    const yc = new Float64Array(300);
    for (let i = 0; i < 300; i++) {
      const [a, b] = [x.data[2 * i], x.data[2 * i + 1]];
      yb[i] = a * a + b * b < 1.2 ? 1 : 0;
      yc[i] = a > 0 ? (b > 0 ? 2 : 1) : 0;
    }
    const accuracy = (pred: (i: number) => number, y: Float64Array) =>
      y.reduce((s, v, i) => s + (pred(i) === v ? 1 : 0), 0) / y.length;

    const bern = mlp({ hidden: [16], family: "binomial", seed: 1 });
    bern.fit(x, yb, { epochs: 200, batchSize: 50, lr: 0.02 });
    const p = bern.predict(x);
    expect(p.shape).toEqual([300]);
    expect(accuracy((i) => (p.data[i] > 0.5 ? 1 : 0), yb)).toBeGreaterThan(0.9);

    const cat = mlp({ hidden: [16], family: "categorical", classes: 3, seed: 1 });
    cat.fit(x, yc, { epochs: 150, batchSize: 50, lr: 0.02 });
    const probs = cat.predict(x);
    expect(probs.shape).toEqual([300, 3]);
    const argmax = (i: number) => {
      const row = Array.from(probs.data.subarray(3 * i, 3 * i + 3));
      expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
      return row.indexOf(Math.max(...row));
    };
    expect(accuracy(argmax, yc)).toBeGreaterThan(0.93);
  });

  it("fits counts with a Poisson family and log link", () => {
    const rng = new Rng(8);
    const x = rng.uniform([500, 1], { low: -1, high: 1 });
    const u = rng.uniform([500]);
    // Poisson draws by inversion, rate exp(1 + x).
    const y = Float64Array.from({ length: 500 }, (_, i) => {
      const lambda = Math.exp(1 + x.data[i]);
      let k = 0;
      let p = Math.exp(-lambda);
      let c = p;
      while (u.data[i] > c && k < 100) {
        k++;
        p *= lambda / k;
        c += p;
      }
      return k;
    });
    const model = mlp({ hidden: [8], family: "poisson", seed: 2 });
    model.fit(x, y, { epochs: 100, batchSize: 50, lr: 0.02 });
    const grid = tensor([[-0.8], [0], [0.8]]);
    const mu = model.predict(grid).data;
    [-0.8, 0, 0.8].forEach((v, i) => {
      expect(Math.abs(Math.log(mu[i]) - (1 + v))).toBeLessThan(0.15);
    });
  });

  it("learns an input-dependent spread with the heteroscedastic head", () => {
    const rng = new Rng(9);
    const n = 1000;
    const x = rng.uniform([n, 1], { low: 0, high: 1 });
    const e = rng.normal([n]);
    // σ grows from 0.1 to 1.1 across the domain.
    const y = Float64Array.from(
      { length: n },
      (_, i) => 2 * x.data[i] + (0.1 + x.data[i]) * e.data[i],
    );
    const model = mlp({ hidden: [16], heteroscedastic: true, seed: 4 });
    model.fit(x, y, { epochs: 150, batchSize: 100, lr: 0.02 });
    const out = model.predict(tensor([[0.1], [0.9]]));
    expect(out.shape).toEqual([2, 2]);
    const [mu0, sd0, mu1, sd1] = out.data;
    expect(Math.abs(mu0 - 0.2)).toBeLessThan(0.15);
    expect(Math.abs(mu1 - 1.8)).toBeLessThan(0.2);
    expect(Math.abs(sd0 - 0.2)).toBeLessThan(0.1);
    expect(Math.abs(sd1 - 1.0)).toBeLessThan(0.25);
  });

  it("stops early and restores the weights of the best validation epoch", () => {
    const train = regression(60, 10, 0.5);
    const val = regression(200, 11, 0.5);
    const model = mlp({ hidden: [64, 64], seed: 1 });
    const history = model.fit(train.x, train.y, {
      epochs: 400,
      batchSize: 8,
      lr: 0.01,
      validation: { x: val.x, y: val.y },
      patience: 10,
    });
    expect(history.stoppedEarly).toBe(true);
    expect(history.loss.length).toBeLessThan(400);
    const best = Math.min(...history.validationLoss);
    expect(history.validationLoss[history.bestEpoch - 1]).toBe(best);
    expect(history.loss.length - history.bestEpoch).toBe(10);
    // The restored model scores the best validation loss: the Gaussian NLL is ½·MSE + ½·log 2π.
    const pred = model.predict(val.x).data;
    expect(0.5 * mse(pred, val.y) + 0.5 * Math.log(2 * Math.PI)).toBeCloseTo(best, 10);
  });

  it("reports progress every epoch and stops when the callback returns false", () => {
    const { x, y } = regression(64, 3);
    const seen: number[] = [];
    const history = mlp({ hidden: [4] }).fit(x, y, {
      epochs: 10,
      validationSplit: 0.25,
      onEpoch: (p) => {
        seen.push(p.epoch);
        expect(p.rowsPerSecond).toBeGreaterThan(0);
        expect(Number.isFinite(p.validationLoss)).toBe(true);
        return p.epoch < 3;
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(history.stoppedEarly).toBe(true);
  });

  it("treats integer weights as repeated rows", () => {
    const x = [[0.1], [0.7], [-0.4], [1.2]];
    const y = [0.3, 1.0, -0.2, 0.8];
    const opts = { epochs: 5, batchSize: 100, shuffle: false, lr: 0.05 };
    const weighted = mlp({ hidden: [3], seed: 1, standardize: false });
    weighted.fit(x, y, { ...opts, weights: [1, 2, 1, 3] });
    const repeated = mlp({ hidden: [3], seed: 1, standardize: false });
    repeated.fit(
      [x[0], x[1], x[1], x[2], x[3], x[3], x[3]],
      [y[0], y[1], y[1], y[2], y[3], y[3], y[3]],
      opts,
    );
    const a = weighted.predict(x).data;
    const b = repeated.predict(x).data;
    for (let i = 0; i < 4; i++) expect(a[i]).toBeCloseTo(b[i], 12);
  });

  it("steps a reduce-on-plateau schedule with the validation loss", () => {
    const { x, y } = regression(80, 7);
    // A threshold no epoch can meet: the rate halves after every epoch.
    const plateau = reduceOnPlateau({ lr: 0.01, factor: 0.5, patience: 0, threshold: 10 });
    mlp({ hidden: [4] }).fit(x, y, {
      epochs: 4,
      validationSplit: 0.25,
      optimizer: adam({ lr: plateau.schedule }),
      plateau,
    });
    expect(plateau.schedule(0)).toBeCloseTo(0.01 * 0.5 ** 4, 15);
  });

  it("needs the number of classes of a Categorical family", () => {
    expect(() => mlp({ family: categorical(3) })).toThrow(/needs `classes`/);
    expect(mlp({ family: categorical(3), classes: 3 }).family?.name).toBe("categorical");
  });

  it("shrinks weights with an L2 penalty", () => {
    const { x, y } = regression(100, 6);
    const norm = (weightDecay: number) => {
      const m = mlp({ hidden: [8], seed: 2 });
      m.fit(x, y, { epochs: 30, batchSize: 20, lr: 0.01, weightDecay });
      return m.params!.reduce(
        (s, l) => s + Array.from(l.weight.data).reduce((a, v) => a + v * v, 0),
        0,
      );
    };
    expect(norm(0.1)).toBeLessThan(0.7 * norm(0));
  });
});

describe("mlp prediction and persistence", () => {
  const { x, y } = regression(120, 12);
  const model = mlp({ hidden: [8, 8], activation: "gelu", layerNorm: true, dtype: "float64" });
  model.fit(x, y, { epochs: 3, batchSize: 16, lr: 0.01 });

  it("gives the same predictions whatever the chunk size", () => {
    const whole = model.predict(x, { chunkSize: 1000 }).data;
    const chunked = model.predict(x, { chunkSize: 7 }).data;
    const huge = model.predict(x, { chunkSize: 2 ** 40 }).data; // capped at the row count
    expect(Array.from(huge)).toEqual(Array.from(whole));
    for (let i = 0; i < whole.length; i++) expect(chunked[i]).toBeCloseTo(whole[i], 13);
  });

  it("round-trips through JSON with identical predictions (base64 and arrays)", () => {
    const before = model.predict(x).data;
    for (const weights of ["base64", "arrays"] as const) {
      const text = JSON.stringify(model.toJSON({ weights }));
      const loaded = loadMlp(text);
      expect(Array.from(loaded.predict(x).data)).toEqual(Array.from(before));
    }
    const m32 = mlp({ hidden: [4], family: "binomial", dtype: "float32", seed: 5 });
    m32.fit(
      x,
      y.map((v) => (v > 0 ? 1 : 0)),
      { epochs: 2 },
    );
    const loaded = loadMlp(JSON.stringify(m32.toJSON()));
    expect(loaded.predict(x).data).toEqual(m32.predict(x).data);
    expect(loaded.predict(x).dtype).toBe("float32");
  });

  it("returns η with type: link", () => {
    const eta = model.predict(x, { type: "link" });
    expect(Array.from(eta.data)).toEqual(Array.from(model.predict(x).data)); // identity link
    expect(eta.shape).toEqual([120]);
  });
});

describe("mlp errors", () => {
  const { x, y } = regression(20, 13);
  const expectCode = (fn: () => unknown, code: string, text: RegExp) => {
    try {
      fn();
    } catch (e) {
      expect(isMlpError(e)).toBe(true);
      expect((e as { code: string }).code).toBe(code);
      expect((e as Error).message).toMatch(text);
      return;
    }
    throw new Error("expected an error");
  };

  it("rejects bad options", () => {
    expectCode(() => mlp({ hidden: [0] }), "MLP_OPTION", /hidden\[0\]/);
    expectCode(
      () => mlp({ activation: "swish" as "tanh" }),
      "MLP_OPTION",
      /unknown activation "swish"/,
    );
    expectCode(() => mlp({ dropout: 1 }), "MLP_OPTION", /dropout/);
    expectCode(() => mlp({ hidden: [2] }).fit(x, y, { batchSize: 0 }), "MLP_OPTION", /batchSize/);
    expectCode(() => mlp({ hidden: [1e6, 1e6] }).fit(x, y), "MLP_OPTION", /parameters; more than/);
    expectCode(
      () => mlp({ hidden: [2] }).fit(x, y, { validationSplit: 0.01 }),
      "MLP_OPTION",
      /empty/,
    );
  });

  it("rejects bad data", () => {
    const nan = x.data.slice();
    nan[5] = Number.NaN;
    expectCode(
      () => mlp().fit(tensor(nan, { shape: [20, 2] }), y),
      "MLP_DATA",
      /fit: x: non-finite value NaN at row 2, column 1/,
    );
    expectCode(() => mlp().fit(x, y.slice(0, 5)), "MLP_SHAPE", /fit: y: has 5 values, expected 20/);
    expectCode(() => mlp().fit(x, y, { weights: y.map(() => -1) }), "MLP_DATA", /weights\[0\]/);
    expectCode(
      () =>
        mlp({ family: "categorical", classes: 2 }).fit(
          x,
          y.map(() => 2),
        ),
      "MLP_DATA",
      /class index in 0…1/,
    );
    expectCode(() => mlp().predict(x), "MLP_NOT_FITTED", /fit\(\) first/);
    const m = mlp({ hidden: [2] });
    m.fit(x, y, { epochs: 1 });
    expectCode(() => m.predict([[1, 2, 3]]), "MLP_SHAPE", /3 columns, the model was fitted on 2/);
  });

  it("rejects broken saved models", () => {
    const m = mlp({ hidden: [2] });
    m.fit(x, y, { epochs: 1 });
    const json = m.toJSON();
    expectCode(() => loadMlp("{"), "MLP_FORMAT", /not JSON/);
    expectCode(() => loadMlp({ ...json, format: "x" as "geoml.mlp" }), "MLP_FORMAT", /geoml.mlp/);
    const cut = structuredClone(json);
    cut.params[0].weight.data = (cut.params[0].weight.data as string).slice(0, 8);
    expectCode(() => loadMlp(cut), "MLP_FORMAT", /params\[0\]\.weight/);
    const wrong = structuredClone(json);
    wrong.params[1].weight.shape = [3, 1];
    expectCode(() => loadMlp(wrong), "MLP_FORMAT", /params\[1\]\.weight|layer 1 weight/);
    // A forged architecture must be refused before anything of its size is allocated.
    const huge = structuredClone(json);
    huge.architecture.hidden = [1e9];
    expectCode(
      () => loadMlp(huge),
      "MLP_FORMAT",
      /layer 0 weight should have shape \[2, 1000000000\]/,
    );
  });

  it("reports divergence instead of returning NaN weights", () => {
    const big = y.map((v) => v * 1e200);
    expectCode(
      () => mlp({ hidden: [2] }).fit(x, big, { epochs: 2, lr: 1 }),
      "MLP_DIVERGED",
      /lower the learning rate/,
    );
  });
});
