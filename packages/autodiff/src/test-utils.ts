/** Shared assertions for the package's tests. */
import { expect } from "vitest";
import type { Tensor } from "./tensor.js";

/** Asserts |a − b| ≤ atol + rtol·|b| elementwise, with equal shapes; NaN matches NaN, ±Inf must be equal. */
export function expectClose(
  actual: Tensor,
  expected: ArrayLike<number>,
  shape: readonly number[],
  rtol = 1e-12,
  atol = 0,
): void {
  expect([...actual.shape]).toEqual([...shape]);
  expect(actual.size).toBe(expected.length);
  let worst = 0;
  let where = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual.data[i];
    const b = expected[i];
    if (Number.isNaN(b) || !Number.isFinite(b)) {
      if (!Object.is(a, b)) {
        worst = Number.POSITIVE_INFINITY;
        where = i;
      }
      continue;
    }
    const err = Math.abs(a - b) / (atol + rtol * Math.abs(b) || Number.MIN_VALUE);
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
      where = i;
    }
  }
  if (worst > 1)
    expect.fail(
      `element ${where}: got ${actual.data[where]}, expected ${expected[where]} (rtol ${rtol}, atol ${atol})`,
    );
}
