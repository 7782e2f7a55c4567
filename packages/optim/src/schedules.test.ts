import { tensor } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { NonFiniteError, OptionError } from "./errors.js";
import {
  cosineDecay,
  type ReduceOnPlateauOptions,
  reduceOnPlateau,
  stepDecay,
} from "./schedules.js";
import { sgd } from "./sgd.js";
import { loadFixture, maxRelError, type TorchFixture } from "./test-support/fixtures.js";

const fx = loadFixture<TorchFixture>("optim_torch.json").schedules;
const values = (f: (t: number) => number, n: number) => Array.from({ length: n }, (_, t) => f(t));

describe("schedules against torch.optim.lr_scheduler", () => {
  it("stepDecay matches StepLR", () => {
    const lrs = values(stepDecay(fx.step.options), fx.step.lrs.length);
    expect(maxRelError(lrs, fx.step.lrs)).toBeLessThanOrEqual(1e-12);
  });

  it("cosineDecay matches CosineAnnealingLR over one period and then holds", () => {
    const s = cosineDecay(fx.cosine.options);
    expect(maxRelError(values(s, fx.cosine.lrs.length), fx.cosine.lrs)).toBeLessThanOrEqual(1e-12);
    expect(s(fx.cosine.options.decaySteps + 7)).toBe(fx.cosine.options.final);
  });

  it("cosineDecay with warm-up matches SequentialLR(LinearLR, CosineAnnealingLR)", () => {
    const lrs = values(cosineDecay(fx.warmupCosine.options), fx.warmupCosine.lrs.length);
    expect(maxRelError(lrs, fx.warmupCosine.lrs)).toBeLessThanOrEqual(1e-12);
  });

  fx.plateau.forEach((c, i) => {
    it(`reduceOnPlateau matches ReduceLROnPlateau (case ${i})`, () => {
      const plateau = reduceOnPlateau(c.options as unknown as ReduceOnPlateauOptions);
      const lrs = c.losses.map((v) => plateau.step(v));
      expect(maxRelError(lrs, c.lrs)).toBeLessThanOrEqual(1e-12);
      expect(plateau.schedule(123)).toBe(plateau.lr);
    });
  });

  it("reduceOnPlateau state can be saved and restored", () => {
    const a = reduceOnPlateau({ lr: 1, patience: 0, factor: 0.5 });
    a.step(1);
    a.step(2);
    const saved = a.state;
    const b = reduceOnPlateau({ lr: 1, patience: 0, factor: 0.5 });
    b.restore(saved);
    expect(b.step(3)).toBe(a.step(3));
    expect(b.lr).toBe(0.25);
  });

  it("reduceOnPlateau.schedule drives an optimiser's learning rate", () => {
    const plateau = reduceOnPlateau({ lr: 0.1, patience: 0, factor: 0.5 });
    const opt = sgd({ lr: plateau.schedule });
    const p = { w: tensor([1]) };
    const g = { w: tensor([1]) };
    let s = opt.init(p);
    const first = opt.update(g, s, p);
    s = first.state;
    plateau.step(1);
    plateau.step(1); // no improvement: halve
    const second = opt.update(g, s, p);
    expect(first.updates.w.item()).toBe(-0.1);
    expect(second.updates.w.item()).toBe(-0.05);
  });

  it("rejects a NaN metric and bad options", () => {
    const p = reduceOnPlateau({ lr: 0.1 });
    p.step(1);
    expect(() => p.step(Number.NaN)).toThrow(NonFiniteError);
    expect(() => p.step(Number.NaN)).toThrow(/step 2/);
    expect(() => reduceOnPlateau({ lr: 0.1, factor: 1 })).toThrow(OptionError);
    expect(() => stepDecay({ lr: 0.1, stepSize: 0 })).toThrow(/stepSize/);
    expect(() => cosineDecay({ lr: -1, decaySteps: 10 })).toThrow(/lr/);
  });
});
