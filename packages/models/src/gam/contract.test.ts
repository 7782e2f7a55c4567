/** The GAM on the model contract: Results, loadModel through the kind registry, ModelError. */
import { categorical, gaussian } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import { isModelError } from "../contract/errors.js";
import { loadModel, modelKinds } from "../contract/registry.js";
import "../kinds.js";
import { GamError } from "./errors.js";
import { gam } from "./fit.js";
import type { MultinomGamResults } from "./multinom.js";

const n = 120;
const x = Float64Array.from({ length: n }, (_, i) => (i * 0.618) % 1);
const data = {
  x,
  y: x.map((v, i) => Math.sin(6 * v) + (((i * 7919) % 13) - 6) / 20),
  // classes overlap (no separation): the noise spans the whole range
  cls: Array.from(x, (v, i) => {
    const z = v + ((i * 7919) % 101) / 100 - 0.5;
    return z > 0.7 ? "hi" : z > 0.2 ? "mid" : "lo";
  }),
};
const newdata = { x: [0.1, 0.5, 0.9, Number.NaN] };

describe("the GAM on the model contract", () => {
  it("is registered as kind gam and loads through loadModel with identical predictions", () => {
    expect(modelKinds()).toContain("gam");
    const fit = gam('y ~ s(x, bs="cr")', data, { family: gaussian() });
    const saved = JSON.stringify(fit);
    expect(JSON.parse(saved)).toMatchObject({ kind: "gam", formatVersion: 1 });
    const back = loadModel(saved);
    expect(back.kind).toBe("gam");
    const opts = { se: true, interval: "prediction", level: 0.9, missing: "drop" } as const;
    const a = fit.predict(newdata, opts);
    const b = back.predict(newdata, opts);
    expect(Array.from(a.rows)).toEqual([0, 1, 2]);
    expect(Array.from(b.fit)).toEqual(Array.from(a.fit));
    expect(Array.from(b.seLink as Float64Array)).toEqual(Array.from(a.seLink as Float64Array));
    // a prediction interval is wider than the confidence interval of the mean
    const c = fit.predict(newdata, { interval: "confidence", missing: "drop" });
    for (let i = 0; i < 3; i++) {
      expect((a.lower as Float64Array)[i]).toBeLessThan((c.lower as Float64Array)[i]);
      expect((c.upper as Float64Array)[i]).toBeGreaterThan(c.fit[i]);
    }
    expect(back.summary()).toContain("s(x)");
  });

  it("the multinomial GAM predicts class probabilities through loadModel", () => {
    const fit = gam('cls ~ s(x, bs="cr", k=5)', data, {
      family: categorical(3),
    }) as unknown as MultinomGamResults;
    const p = loadModel(JSON.stringify(fit)).predict({ x: [0.1, 0.9] });
    expect(p.classes).toEqual(["hi", "lo", "mid"]);
    expect(p.width).toBe(3);
    expect(p.fit[0] + p.fit[1] + p.fit[2]).toBeCloseTo(1, 12);
    expect(() => fit.predict({ x: [0.1] }, { se: true })).toThrow(GamError);
  });

  it("throws ModelErrors: a wrong option is a typed error, not ignored", () => {
    const fit = gam('y ~ s(x, bs="cr")', data);
    let err: unknown;
    try {
      fit.predict(newdata, { interval: "bogus" as never });
    } catch (e) {
      err = e;
    }
    expect(isModelError(err, "BAD_OPTION")).toBe(true);
    try {
      gam('y ~ s(x, bs="zz")', data);
    } catch (e) {
      err = e;
    }
    expect(isModelError(err, "UNKNOWN_BASIS")).toBe(true);
    expect(() => fit.predict([[0.1]])).toThrow(/named columns/);
  });

  it("gam(spec).fit({ formula, data }) gives the same fit as gam(formula, data, options)", () => {
    const counts = { x, n: Array.from(x, (v, i) => Math.round(3 + 2 * Math.sin(5 * v) + (i % 3))) };
    const viaSpec = gam({ family: "poisson", link: "log", method: "GCV" }).fit({
      formula: 'n ~ s(x, bs="cr")',
      data: counts,
    });
    const direct = gam('n ~ s(x, bs="cr")', counts, {
      family: viaSpec.family,
      method: "GCV",
    });
    expect(viaSpec.kind).toBe("gam");
    expect(viaSpec.family.link.name).toBe("log");
    expect(Array.from(viaSpec.beta)).toEqual(Array.from(direct.beta));
    expect(viaSpec.score).toBe(direct.score);
    // categorical by name: the multinomial results, typed as such
    const multi = gam({ family: "categorical", classes: 3 }).fit({
      formula: 'cls ~ s(x, bs="cr", k=5)',
      data,
    });
    expect(multi.predict({ x: [0.5] }).width).toBe(3);
    // a link the family object does not have is refused, not ignored
    expect(() => gam({ family: gaussian(), link: "log" })).toThrow(/link "log"/);
    expect(() => gam({ family: "nosuchfamily" })).toThrow(/nosuchfamily/);
    expect(() => gam({}).fit(null as never)).toThrow(/formula, data/);
  });
});
