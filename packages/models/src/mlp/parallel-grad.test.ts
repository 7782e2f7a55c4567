import { getThreads, lastPass, Rng, setThreads } from "@geoml/autodiff";
import { type Family, gaussian } from "@geoml/losses";
import { afterAll, describe, expect, it } from "vitest";
import { mlp } from "./model.js";
import type { MlpSpec } from "./spec.js";

/** 4,096 rows of 4 inputs with a smooth target, counts and 0/1 labels. */
function data() {
  const rng = new Rng(21);
  const n = 4096;
  const x = rng.normal([n, 4]);
  const u = rng.uniform([n]).data;
  const y = new Float64Array(n);
  const counts = new Float64Array(n);
  const labels = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, c] = [x.data[4 * i], x.data[4 * i + 1], x.data[4 * i + 2]];
    y[i] = Math.sin(a) + 0.5 * b * c;
    counts[i] = Math.round(Math.exp(0.3 * a) * 2 * u[i]);
    labels[i] = u[i] < 1 / (1 + Math.exp(-a - b)) ? 1 : 0;
    weights[i] = 0.5 + u[i];
  }
  return { x, y, counts, labels, weights };
}

/** Fits one model on `threads` threads; the parameters, and the threads of the last step. */
function fitOn(threads: number, spec: MlpSpec, y: Float64Array, weights?: Float64Array) {
  setThreads(threads);
  lastPass.threads = 1;
  const model = mlp({ hidden: [64, 64], seed: 4, ...spec });
  model.fit(d.x, y, { epochs: 2, batchSize: 2048, lr: 0.01, weightDecay: 1e-3, weights });
  const used = lastPass.threads;
  const flat: number[] = [];
  for (const layer of model.params!) for (const t of Object.values(layer)) flat.push(...t.data);
  return { flat, used };
}

const d = data();

describe("MLP training on two threads (data-parallel gradient over row blocks)", () => {
  const before = getThreads();
  afterAll(() => setThreads(before));

  const cases: [string, MlpSpec, Float64Array, Float64Array | undefined, number][] = [
    ["Gaussian, float64, weighted", { dtype: "float64" }, d.y, d.weights, 1e-11],
    ["Poisson, float64", { family: "poisson", dtype: "float64" }, d.counts, undefined, 1e-11],
    [
      "Bernoulli, float32, layer norm",
      { family: "bernoulli", layerNorm: true },
      d.labels,
      undefined,
      1e-4,
    ],
    [
      "heteroscedastic Gaussian, float64",
      { heteroscedastic: true, dtype: "float64" },
      d.y,
      undefined,
      1e-11,
    ],
  ];
  for (const [label, spec, y, weights, tol] of cases)
    it(`${label}: the one-thread fit up to rounding`, () => {
      const one = fitOn(1, spec, y, weights);
      const two = fitOn(2, spec, y, weights);
      expect(one.used).toBe(1);
      expect(two.used).toBe(2);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < one.flat.length; i++) {
        worst = Math.max(worst, Math.abs(one.flat[i] - two.flat[i]));
        scale = Math.max(scale, Math.abs(one.flat[i]));
      }
      expect(worst / scale).toBeLessThan(tol);
      // and not the same numbers by accident of a path not taken
      expect(two.flat).not.toEqual(fitOn(2, { ...spec, seed: 5 }, y, weights).flat);
    }, 60_000);

  it("keeps the gradient on one thread for dropout and for a family that workers cannot rebuild", () => {
    // bit for bit the one-thread fit (large products split rows, which changes no bit;
    // a data-parallel gradient would change the rounding)
    const custom: Family = { ...gaussian(), name: "my-gaussian" } as Family;
    for (const spec of [{ dropout: 0.1 }, { family: custom }]) {
      expect(fitOn(2, spec, d.y).flat).toEqual(fitOn(1, spec, d.y).flat);
    }
    // while a built-in family's does change it
    expect(fitOn(2, {}, d.y).flat).not.toEqual(fitOn(1, {}, d.y).flat);
  }, 60_000);

  it("stays on one thread for small batches", () => {
    setThreads(2);
    lastPass.threads = 1;
    const model = mlp({ hidden: [8], seed: 4 });
    model.fit(d.x, d.y, { epochs: 1, batchSize: 64 });
    expect(lastPass.threads).toBe(1);
  });
});
