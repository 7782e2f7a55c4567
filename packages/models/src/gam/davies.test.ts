/**
 * Davies' algorithm and Liu's approximation against mgcv's psum.chisq and liu2
 * (fixtures from tools/oracles/davies_mgcv.R): the mixtures the GAM summary builds for
 * fractional ranks, estimated scales and random-effect tests, plus far tails.
 */
import { readFileSync } from "node:fs";
import { chisqUpper } from "@geoml/losses";
import { describe, expect, test } from "vitest";
import { chisqMixtureUpper, daviesUpper, liuUpper } from "./davies.js";

interface Case {
  q: number;
  lambda: number[];
  df: number[];
  upper: number;
  liu: number | null;
}
const fx = JSON.parse(
  readFileSync(new URL("./__fixtures__/davies_mgcv.json", import.meta.url), "utf8"),
) as { cases: Case[] };

describe("Davies' algorithm against mgcv's psum.chisq", () => {
  test.each(fx.cases)("P(Σ $lambda·χ²($df) > $q)", (c) => {
    const res = daviesUpper(c.q, c.lambda, c.df);
    expect(res.fault === 0 || res.fault === 2).toBe(true);
    // the same algorithm and accuracy (2e-5): the answers agree far inside it
    expect(Math.abs(res.upper - c.upper)).toBeLessThan(1e-9);
    expect(chisqMixtureUpper(c.q, c.lambda, c.df)).toBe(res.upper);
    if (c.liu !== null) expect(Math.abs(liuUpper(c.q, c.lambda, c.df) - c.liu)).toBeLessThan(1e-12);
  });

  test("a single χ² term is the χ² tail to the requested accuracy", () => {
    for (const [q, df] of [
      [0.5, 1],
      [3.84, 1],
      [12, 5],
      [30, 10],
    ])
      expect(Math.abs(daviesUpper(q, [1], [df]).upper - chisqUpper(q, df))).toBeLessThan(2e-5);
  });

  test("a term limit too small reports failure (NaN and a fault code), never a wrong number", () => {
    const res = daviesUpper(12.5, [1, 1, 1, 1, 1.45, 0.55], undefined, 2e-5, 5);
    expect(res.fault).not.toBe(0);
    expect(Number.isNaN(res.upper)).toBe(true);
  });

  test("bad weights or degrees of freedom are refused", () => {
    expect(() => daviesUpper(1, [0, 0])).toThrow(/non-zero/);
    expect(() => daviesUpper(1, [1], [0])).toThrow(/positive integers/);
    expect(() => daviesUpper(1, [1, 2], [1])).toThrow(/one per weight/);
  });
});
