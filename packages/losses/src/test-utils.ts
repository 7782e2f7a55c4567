/** Shared helpers of the package's tests: fixture loading and an all-close matcher. */
import { readFileSync } from "node:fs";
import type { Tensor } from "@geoml/autodiff";
import { expect } from "vitest";

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
