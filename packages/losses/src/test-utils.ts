/** Shared helpers of the package's tests: fixture loading and an all-close matcher. */
import { readFileSync } from "node:fs";
import type { Tensor } from "@geoml/autodiff";
import * as ad from "@geoml/autodiff";
import { expect } from "vitest";
import { family } from "./registry.js";
import type { Family } from "./types.js";

/** Reads a JSON fixture written by tools/oracles/losses_statsmodels.py. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8")) as T;
}

/**
 * Asserts |a − b| ≤ atol + rtol·|b| for every element and reports the worst
 * element (index, both values) when it fails.
 */
export function expectAllClose(
  actual: Tensor | ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  rtol = 1e-10,
  atol = 0,
  label = "",
): void {
  const a = typeof actual === "number" ? [actual] : "data" in actual ? actual.data : actual;
  const b = typeof expected === "number" ? [expected] : expected;
  expect(a.length, `${label}: length`).toBe(b.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < b.length; i++) {
    const diff = Math.abs(a[i] - b[i]);
    const err = diff === 0 ? 0 : diff / (atol + rtol * Math.abs(b[i]));
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
      at = i;
    }
  }
  if (worst > 1) {
    expect.fail(
      `${label}: element ${at} is ${a[at]}, expected ${b[at]} (error ${worst.toExponential(2)}× the tolerance)`,
    );
  }
}

/** One family × link case of tools/oracles/losses_statsmodels.py. */
export interface FamilyCase {
  family: string;
  link: string;
  y: number[];
  eta: number[];
  mu: number[];
  weights: number[];
  scale: number;
  variance?: number[];
  dmu_deta?: number[];
  unit_deviance: number[];
  deviance: number;
  loglike_obs: number[];
  loglike: number;
  theta?: number;
  power?: number;
  k?: number;
  bernoulli?: boolean;
}

export const familyCases = fixture<FamilyCase[]>("families.json");

/** The family a fixture case was computed with. */
export function familyOf(c: FamilyCase): Family {
  return family(c.family, { link: c.link, theta: c.theta, power: c.power, k: c.k });
}

export function caseLabel(c: FamilyCase): string {
  const extra =
    c.theta !== undefined
      ? ` θ=${c.theta}`
      : c.power !== undefined
        ? ` p=${c.power}`
        : c.k !== undefined
          ? ` K=${c.k}`
          : c.bernoulli
            ? " (Bernoulli)"
            : "";
  return `${c.family}/${c.link}${extra}`;
}

/** Tensors of a case; Categorical's η and μ are [n, K]. */
export function tensorsOf(c: FamilyCase) {
  const n = c.y.length;
  const shape = c.k === undefined ? [n] : [n, c.k];
  return {
    y: ad.tensor(c.y),
    eta: ad.tensor(Float64Array.from(c.eta), { shape }),
    mu: ad.tensor(Float64Array.from(c.mu), { shape }),
    weights: ad.tensor(c.weights),
  };
}
