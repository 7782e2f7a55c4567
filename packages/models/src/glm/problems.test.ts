import { describe, expect, it } from "vitest";
import { isGlmError, RankDeficientError, SeparationError } from "./errors.js";
import { glm } from "./glm.js";
import { loadGlm } from "./results.js";

// a small deterministic data set (no RNG needed: a fixed low-discrepancy sequence)
const n = 120;
const x1 = Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 1.5);
const x2 = Array.from({ length: n }, (_, i) => ((i * 0.618034) % 1) * 2 - 1);
const zone = Array.from({ length: n }, (_, i) => ["north", "south", "tropics"][i % 3]);
const eta = x1.map((v, i) => 0.3 + 0.8 * v - 0.6 * x2[i]);
const y = eta.map((e, i) => ((i * 0.754877) % 1 < 1 / (1 + Math.exp(-e)) ? 1 : 0));
const counts = eta.map((e, i) => Math.floor(Math.exp(e) + ((i * 0.4142) % 1)));

describe("problems get clear answers", () => {
  it("reports a duplicated column as aliased (R-like) and can refuse it", () => {
    const data = { y, x1, x2, x1copy: x1.map((v) => 2 * v) };
    const fit = glm({ family: "binomial" }).fit({ formula: "y ~ x1 + x2 + x1copy", data });
    expect(fit.aliased).toEqual(["x1copy"]);
    expect(Number.isNaN(fit.coefficients.x1copy)).toBe(true);
    const ref = glm({ family: "binomial" }).fit({ formula: "y ~ x1 + x2", data });
    expect(fit.coefficients.x1).toBeCloseTo(ref.coefficients.x1, 10);
    expect(fit.stdErrors.x1).toBeCloseTo(ref.stdErrors.x1, 10);
    expect(fit.aic).toBeCloseTo(ref.aic, 8);
    expect(fit.summary()).toContain("not defined because of singularities: x1copy");
    expect(() =>
      glm({ family: "binomial", singular: "error" }).fit({ formula: "y ~ x1 + x2 + x1copy", data }),
    ).toThrow(RankDeficientError);
  });

  it("detects complete separation and names the diverging coefficient", () => {
    const ys = x1.map((v) => (v > 0.2 ? 1 : 0));
    const data = { y: ys, x1, x2 };
    let err: unknown;
    try {
      glm({ family: "binomial" }).fit({ formula: "y ~ x1 + x2", data });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SeparationError);
    expect((err as SeparationError).coefficients).toContain("x1");
    expect(isGlmError(err, "SEPARATION")).toBe(true);
    const flagged = glm({ family: "binomial", separation: "warn" }).fit({
      formula: "y ~ x1 + x2",
      data,
    });
    expect(flagged.converged).toBe(false);
    expect(flagged.summary()).toMatch(/separation/);
  });

  it("detects quasi-complete separation", () => {
    // y = 1 whenever x2 > 0.5; below that both outcomes occur
    const ys = x2.map((v, i) => (v > 0.5 ? 1 : y[i]));
    const g = x2.map((v) => (v > 0.5 ? 1 : 0));
    expect(() =>
      glm({ family: "binomial" }).fit({ formula: "y ~ x1 + g", data: { y: ys, x1, g } }),
    ).toThrow(/"g"/);
  });

  it("does not mistake strong but finite effects for separation", () => {
    const fit = glm({ family: "binomial" }).fit({ formula: "y ~ x1 + x2", data: { y, x1, x2 } });
    expect(fit.converged).toBe(true);
  });

  it("y outside the family's domain raises the family's error", () => {
    const bad = counts.map((c, i) => (i === 7 ? -1 : c));
    expect(() =>
      glm({ family: "poisson" }).fit({ formula: "y ~ x1", data: { y: bad, x1 } }),
    ).toThrow(/y\[7\] = -1/);
  });

  it("NaN in a column names the column and first row, or drops rows when asked", () => {
    const xs = x1.map((v, i) => (i === 11 || i === 40 ? Number.NaN : v));
    try {
      glm({ family: "poisson" }).fit({ formula: "y ~ xs + x2", data: { y: counts, xs, x2 } });
      expect.unreachable();
    } catch (e) {
      expect(isGlmError(e, "MISSING_VALUE")).toBe(true);
      expect((e as Error).message).toContain('"xs"');
      expect((e as Error).message).toContain("row 11");
    }
    const fit = glm({ family: "poisson" }).fit({
      formula: "y ~ xs + x2",
      data: { y: counts, xs, x2 },
      missing: "drop",
    });
    expect(fit.nObs).toBe(n - 2);
  });

  it("flags non-convergence in the result and summary", () => {
    const fit = glm({ family: "gamma", link: "log", maxIter: 1 }).fit({
      formula: "y ~ x1",
      data: { y: counts.map((c) => c + 0.5), x1 },
    });
    expect(fit.converged).toBe(false);
    expect(fit.summary()).toContain("did not converge");
  });

  it("refuses IRLS on designs too wide to factor, pointing to L-BFGS", () => {
    const row = Array.from({ length: 4097 }, (_, j) => (j % 3) - 1);
    expect(() => glm({ family: "poisson" }).fit({ x: [row, row], y: [1, 2] })).toThrow(
      /4097 columns.*method: "lbfgs"/,
    );
  });

  it("unknown columns and bad formulas say what is wrong", () => {
    expect(() =>
      glm({ family: "poisson" }).fit({ formula: "y ~ x9", data: { y: counts, x1 } }),
    ).toThrow(/no column "x9"/);
    expect(() =>
      glm({ family: "poisson" }).fit({ formula: "y ~ x1 +", data: { y: counts, x1 } }),
    ).toThrow(/formula "y ~ x1 \+"/);
  });
});

describe("fitting paths agree", () => {
  const data = { y, x1, x2, zone };
  it("IRLS and L-BFGS through autodiff reach the same estimate", () => {
    const a = glm({ family: "binomial", link: "probit" }).fit({
      formula: "y ~ x1 + x2 + C(zone)",
      data,
    });
    const b = glm({ family: "binomial", link: "probit", method: "lbfgs" }).fit({
      formula: "y ~ x1 + x2 + C(zone)",
      data,
    });
    for (const name of a.names) {
      expect(b.coefficients[name]).toBeCloseTo(a.coefficients[name], 5);
      expect(b.stdErrors[name]).toBeCloseTo(a.stdErrors[name], 5);
    }
    expect(b.deviance).toBeCloseTo(a.deviance, 7);
  });

  it("Poisson by IRLS and by L-BFGS agree", () => {
    const d = { y: counts, x1, x2 };
    const a = glm({ family: "poisson" }).fit({ formula: "y ~ x1 + x2", data: d });
    const b = glm({ family: "poisson", method: "lbfgs" }).fit({ formula: "y ~ x1 + x2", data: d });
    for (const name of a.names) expect(b.coefficients[name]).toBeCloseTo(a.coefficients[name], 5);
  });

  it("save/load gives identical predictions", () => {
    const fit = glm({ family: "poisson" }).fit({
      formula: "y ~ x1 * x2 + C(zone)",
      data: { y: counts, x1, x2, zone },
    });
    const back = loadGlm(JSON.stringify(fit));
    const newData = { x1: [0.1, -1, 2], x2: [0.5, 0, -0.3], zone: ["tropics", "north", "south"] };
    expect(Array.from(back.predict(newData).fit)).toEqual(Array.from(fit.predict(newData).fit));
    const a = fit.predictWithSe(newData, { type: "link" });
    const b = back.predictWithSe(newData, { type: "link" });
    expect(Array.from(b.seLink)).toEqual(Array.from(a.seLink));
    expect(back.summary()).toEqual(fit.summary());
    expect(() => back.predict({ x1: [0], x2: [0], zone: ["arctic"] })).toThrow(/level "arctic"/);
    expect(() => loadGlm('{"format":"other"}')).toThrow(/geoml-glm/);
  });

  it("Binomial trials as cbind(s, f) or as a proportion with the trials as weights", () => {
    const trials = x1.map((_, i) => 1 + (i % 9));
    const s = trials.map((t, i) =>
      Math.min(t, Math.round(t / (1 + Math.exp(-eta[i])) + ((i * 0.31) % 1) - 0.5)),
    );
    const f = trials.map((t, i) => t - s[i]);
    const prop = s.map((v, i) => v / trials[i]);
    const a = glm({ family: "binomial" }).fit({
      formula: "cbind(s, f) ~ x1 + x2",
      data: { s, f, x1, x2 },
    });
    const b = glm({ family: "binomial" }).fit({
      formula: "prop ~ x1 + x2",
      data: { prop, trials, x1, x2 },
      weights: "trials",
    });
    for (const name of a.names) {
      expect(b.coefficients[name]).toBeCloseTo(a.coefficients[name], 10);
      expect(b.stdErrors[name]).toBeCloseTo(a.stdErrors[name], 10);
    }
    expect(b.deviance).toBeCloseTo(a.deviance, 9);
    expect(b.logLik).toBeCloseTo(a.logLik, 9);
  });

  it("Adam through autodiff approaches the IRLS estimate", () => {
    const d = { y: counts, x1, x2 };
    const a = glm({ family: "poisson" }).fit({ formula: "y ~ x1 + x2", data: d });
    const b = glm({ family: "poisson", method: "adam", lr: 0.05, maxIter: 3000 }).fit({
      formula: "y ~ x1 + x2",
      data: d,
    });
    for (const name of a.names) expect(b.coefficients[name]).toBeCloseTo(a.coefficients[name], 3);
  });

  it("a design matrix fit equals the formula fit", () => {
    const f = glm({ family: "poisson" }).fit({
      formula: "y ~ x1 + x2",
      data: { y: counts, x1, x2 },
    });
    const m = glm({ family: "poisson" }).fit({
      x: x1.map((v, i) => [1, v, x2[i]]),
      y: counts,
      names: ["Intercept", "x1", "x2"],
    });
    expect(Array.from(m.params)).toEqual(Array.from(f.params));
    expect(Array.from(m.predict([[1, 0.5, 0.5]]).fit)).toEqual(
      Array.from(f.predict({ x1: [0.5], x2: [0.5] }).fit),
    );
  });
});
