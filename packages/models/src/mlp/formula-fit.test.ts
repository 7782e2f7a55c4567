import { Rng } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { loadModel } from "../index.js";
import { isMlpError } from "./errors.js";
import { fitMlp, mlp } from "./model.js";

function table(n: number, seed: number) {
  const rng = new Rng(seed);
  const u = rng.uniform([n, 2], { low: -1, high: 1 });
  const sst = Array.from({ length: n }, (_, i) => u.data[2 * i]);
  const depth = Array.from({ length: n }, (_, i) => u.data[2 * i + 1]);
  const zone = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "north" : "south"));
  const chl = sst.map((s, i) => Math.sin(2 * s) + depth[i] ** 2 + (zone[i] === "north" ? 0.5 : 0));
  const bloom = chl.map((c) => (c > 0.6 ? "high" : "low"));
  return { sst, depth, zone, chl, bloom };
}

describe("MLP from a formula over table columns", () => {
  it("fits, summarises, saves and predicts new rows coded like the training rows", () => {
    const data = table(300, 1);
    const fit = mlp({ hidden: [16], seed: 3 }).fit(
      { formula: "chl ~ sst + depth + C(zone)", data },
      { epochs: 150, batchSize: 32, lr: 0.01 },
    );
    expect(fit.kind).toBe("mlp");
    expect(fit.model.architecture?.inputs).toBe(3); // sst, depth, zone[T.south]; no intercept
    expect(fit.summary()).toMatch(/^MLP 3 → 16 → 1, tanh; family gaussian \(identity link\)/);
    expect(fit.summary()).toMatch(/epochs: 150/);
    const saved = JSON.stringify(fit);
    expect(JSON.parse(saved)).toMatchObject({ kind: "mlp", formatVersion: 1 });
    const fresh = table(50, 2);
    const pred = loadModel(saved).predict(fresh);
    expect(pred.width).toBe(1);
    expect(Array.from(pred.fit)).toEqual(Array.from(fit.predict(fresh).fit));
    let mse = 0;
    for (let i = 0; i < 50; i++) mse += (pred.fit[i] - fresh.chl[i]) ** 2 / 50;
    expect(mse).toBeLessThan(0.02);
  });

  it("trains a Categorical network on a string response", () => {
    const data = table(300, 4);
    const fit = fitMlp(
      { hidden: [8], family: "multinomial" },
      { formula: "bloom ~ sst + depth + C(zone)", data },
      { epochs: 60, lr: 0.02, batchSize: 32 },
    );
    expect(fit.classLabels).toEqual(["high", "low"]);
    const pred = loadModel(fit.toJSON()).predict(data);
    expect(pred.width).toBe(2);
    expect(pred.classes).toEqual(["high", "low"]);
    let right = 0;
    for (let i = 0; i < 300; i++) {
      const k = pred.fit[2 * i] > pred.fit[2 * i + 1] ? "high" : "low";
      if (k === data.bloom[i]) right++;
    }
    expect(right / 300).toBeGreaterThan(0.85);
  });

  it("refuses offsets and models without a design", () => {
    const data = { ...table(20, 5), area: Array(20).fill(2) };
    expect(() => mlp().fit({ formula: "chl ~ sst + offset(area)", data })).toThrow(/offsets/);
    try {
      loadModel('{"kind":"mlp","formatVersion":1}');
    } catch (e) {
      expect(isMlpError(e, "MLP_FORMAT")).toBe(true);
      return;
    }
    throw new Error("expected an error");
  });
});
