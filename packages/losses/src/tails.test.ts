import { describe, expect, it } from "vitest";
import { chisqUpper, fUpper, tTwoSided } from "./index.js";

// Reference values from scipy.stats 1.10 (chi2.sf, f.sf, 2·t.sf), as R's pchisq/pf/pt give.
describe("upper-tail probabilities", () => {
  it.each([
    [3.84, 1, 0.05004352124870519],
    [0.5, 3, 0.9188914116546758],
    [25, 10, 0.005345505487134069],
    [120, 100, 0.08440668109369177],
    [1e-3, 0.5, 0.8350402492315872],
  ])("P(χ² > %s) with %s degrees of freedom", (x, df, p) => {
    expect(Math.abs(chisqUpper(x, df) - p) / p).toBeLessThan(1e-12);
  });

  it.each([
    [4, 2, 10, 0.05292214940134466],
    [0.3, 5, 7, 0.8981557643278846],
    [12, 1, 200, 0.0006507735817681672],
  ])("P(F > %s) with %s and %s degrees of freedom", (f, d1, d2, p) => {
    expect(Math.abs(fUpper(f, d1, d2) - p) / p).toBeLessThan(1e-12);
  });

  it.each([
    [2.1, 5, 0.08975324988459868],
    [0.2, 30, 0.8428301570593246],
    [-4, 3, 0.028008456010146156],
  ])("P(|T| > |%s|) with %s degrees of freedom", (t, df, p) => {
    expect(Math.abs(tTwoSided(t, df) - p) / p).toBeLessThan(1e-12);
  });

  it("is 1 at or below zero and NaN for bad degrees of freedom", () => {
    expect(chisqUpper(0, 3)).toBe(1);
    expect(fUpper(-1, 2, 3)).toBe(1);
    expect(chisqUpper(1, 0)).toBeNaN();
    expect(fUpper(1, 2, -3)).toBeNaN();
    expect(tTwoSided(1, Number.NaN)).toBeNaN();
  });
});
