/** Scalar special functions against mpmath at 40 digits (tools/oracles/autodiff_special_mpmath.py). */
import { describe, expect, it } from "vitest";
import ref from "./__fixtures__/special_mpmath.json" with { type: "json" };
import { digamma, erf, erfc, lgamma, polygamma } from "./special.js";

const FNS: Record<string, [(x: number) => number, number]> = {
  erf: [erf, 1e-15],
  erfc: [erfc, 1e-14],
  lgamma: [lgamma, 1e-15],
  digamma: [digamma, 2e-14],
  polygamma1: [(x) => polygamma(1, x), 1e-15],
  polygamma2: [(x) => polygamma(2, x), 1e-15],
  polygamma3: [(x) => polygamma(3, x), 1e-15],
};

describe.each(Object.keys(FNS))("%s", (name) => {
  it("matches mpmath", () => {
    const [fn, rtol] = FNS[name];
    let worst = 0;
    for (const [x, want] of (ref as Record<string, number[][]>)[name]) {
      const got = fn(x);
      const rel = Math.abs(got - want) / Math.max(Math.abs(want), Number.MIN_VALUE);
      if (rel > rtol) expect.fail(`${name}(${x}) = ${got}, expected ${want} (rel ${rel})`);
      worst = Math.max(worst, rel);
    }
    expect(worst).toBeLessThanOrEqual(rtol);
  });
});

describe("special values", () => {
  it("follows IEEE conventions at poles and infinities", () => {
    expect(lgamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(lgamma(-3)).toBe(Number.POSITIVE_INFINITY);
    expect(lgamma(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(digamma(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(digamma(-2)).toBeNaN();
    expect(erf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(erf(Number.NEGATIVE_INFINITY)).toBe(-1);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
    expect(erf(Number.NaN)).toBeNaN();
  });
});
