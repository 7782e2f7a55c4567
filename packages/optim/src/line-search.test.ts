import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lbfgsFlat } from "./lbfgs.js";
import { cubicInterpolate, strongWolfe } from "./line-search.js";

describe("cubicInterpolate", () => {
  it("finds the minimiser of a cubic from two points", () => {
    // f(t) = (t − 1)³/3 − (t − 1) has its local minimum at t = 2.
    const f = (t: number) => (t - 1) ** 3 / 3 - (t - 1);
    const g = (t: number) => (t - 1) ** 2 - 1;
    expect(cubicInterpolate(1.5, f(1.5), g(1.5), 3, f(3), g(3))).toBeCloseTo(2, 12);
    expect(cubicInterpolate(3, f(3), g(3), 1.5, f(1.5), g(1.5))).toBeCloseTo(2, 12);
  });

  it("bisects when the values give no usable cubic", () => {
    expect(cubicInterpolate(0, 0, -1, 1, Infinity, Number.NaN)).toBe(0.5);
  });
});

describe("strongWolfe (property)", () => {
  it("returns a decrease within the evaluation budget on random smooth 1-D slices", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e3, noNaN: true }),
        fc.integer({ min: 1, max: 25 }),
        (a, c, q, t0, maxEvals) => {
          // φ(t) = a (t − c')² + q t⁴ with c' > 0 so the slope at 0 is negative.
          const cc = Math.abs(c) + 0.1;
          let calls = 0;
          const phi = (t: number) => {
            calls++;
            return {
              f: a * (t - cc) ** 2 + q * t ** 4,
              g: Float64Array.of(2 * a * (t - cc) + 4 * q * t ** 3),
            };
          };
          const d = Float64Array.of(1);
          const f0 = a * cc * cc;
          const g0 = Float64Array.of(-2 * a * cc);
          const r = strongWolfe(phi, d, f0, g0, g0[0], t0, { maxEvals });
          expect(calls).toBe(r.nfev);
          expect(r.nfev).toBeLessThanOrEqual(maxEvals);
          expect(r.f).toBeLessThanOrEqual(f0);
          if (r.wolfe) {
            expect(r.f).toBeLessThanOrEqual(f0 + 1e-4 * r.t * g0[0] + 1e-12 * Math.abs(f0));
            expect(Math.abs(r.g[0])).toBeLessThanOrEqual(0.9 * Math.abs(g0[0]) * (1 + 1e-12));
          }
        },
      ),
      { numRuns: 2000, seed: 11 },
    );
  });
});

/** Solves A x = b by Gaussian elimination with partial pivoting. */
function solve(A: Float64Array, b: number[], n: number): number[] {
  const M = Array.from({ length: n }, (_, i) => [...A.slice(i * n, i * n + n), b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

describe("lbfgsFlat (property)", () => {
  it("solves random positive-definite quadratics", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 64, maxLength: 64 }),
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (n, m, b) => {
          // A = MᵀM + I is symmetric positive definite; minimiser x* solves A x = b.
          const A = new Float64Array(n * n);
          for (let i = 0; i < n; i++)
            for (let j = 0; j < n; j++) {
              let s = i === j ? 1 : 0;
              for (let k = 0; k < n; k++) s += m[k * 8 + i] * m[k * 8 + j];
              A[i * n + j] = s;
            }
          const fn = (x: Float64Array) => {
            const g = new Float64Array(n);
            let f = 0;
            for (let i = 0; i < n; i++) {
              let ax = 0;
              for (let j = 0; j < n; j++) ax += A[i * n + j] * x[j];
              g[i] = ax - b[i];
              f += 0.5 * x[i] * ax - b[i] * x[i];
            }
            return { f, g };
          };
          const r = lbfgsFlat(fn, new Float64Array(n), { gtol: 1e-10, ftol: 0, maxIter: 500 });
          expect(r.converged).toBe(true);
          // Near the minimum f is flat to rounding (|Δf| ~ |g|²/λ), so |g| ~ 1e-8 is as
          // far as any value-based line search can go; x is then within ~1e-7 of x*.
          const xs = solve(A, b.slice(0, n), n);
          const scale = Math.max(1, ...xs.map(Math.abs));
          for (let i = 0; i < n; i++)
            expect(Math.abs(r.x[i] - xs[i])).toBeLessThanOrEqual(1e-6 * scale);
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });
});
