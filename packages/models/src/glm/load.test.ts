import { describe, expect, it } from "vitest";
import { isGlmError } from "./errors.js";
import { glm } from "./glm.js";
import { loadGlm } from "./results.js";

const x1 = Array.from({ length: 60 }, (_, i) => Math.sin(i));
const y = x1.map((v, i) => Math.round(Math.exp(0.5 + v) + ((i * 0.37) % 1)));
const saved = JSON.stringify(
  glm({ family: "poisson" }).fit({ formula: "y ~ x1", data: { y, x1 } }),
);

describe("loading saved models", () => {
  it("rejects damaged files with a typed error, never anything else", () => {
    let s = 99;
    const rand = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const junk = ['"', "{", "}", "[", "]", ",", "null", "1e999", "-1", '"x"', ":"];
    let loaded = 0;
    for (let k = 0; k < 1000; k++) {
      let text = saved;
      const edits = 1 + Math.floor(rand() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * text.length);
        const cut = Math.floor(rand() * 8);
        text = text.slice(0, at) + junk[Math.floor(rand() * junk.length)] + text.slice(at + cut);
      }
      try {
        const m = loadGlm(text);
        m.summary();
        m.predict({ x1: [0.5] });
        loaded++;
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (!isGlmError(e) && typeof code !== "string")
          throw new Error(`loadGlm threw ${String(e)} on ${text}`);
      }
    }
    expect(loaded).toBeLessThan(1000);
  });

  it("names the field at fault", () => {
    const state = JSON.parse(saved);
    expect(() => loadGlm({ ...state, params: [1] })).toThrow(
      /"params" must have one value per name/,
    );
    expect(() => loadGlm({ ...state, formatVersion: 2 })).toThrow(/version 2/);
    expect(() => loadGlm({ ...state, kind: "mlp" })).toThrow(/"kind" must be "glm"/);
    expect(() => loadGlm({ ...state, family: "weibull" })).toThrow(/weibull/);
    expect(() => loadGlm("not json")).toThrow(/not JSON/);
  });
});

describe("statistics computed on first use", () => {
  it("are in the saved state, equal to the fitted model's, whichever is read first", () => {
    const fit = () => glm({ family: "poisson" }).fit({ formula: "y ~ x1", data: { y, x1 } });
    const a = fit();
    const aic = a.aic;
    const state = JSON.parse(JSON.stringify(fit()));
    for (const key of ["logLik", "aic", "bic", "nullDeviance", "pearsonChi2"]) {
      expect(Number.isFinite(state[key])).toBe(true);
    }
    expect(state.aic).toBe(aic);
    expect(state.logLik).toBe(a.logLik);
    expect(state.nullDeviance).toBe(a.nullDeviance);
    expect(state.pearsonChi2).toBe(a.pearsonChi2);
    expect(loadGlm(state).bic).toBe(a.bic);
    expect(a.aic).toBeCloseTo(-2 * a.logLik + 4, 12);
  });
});
