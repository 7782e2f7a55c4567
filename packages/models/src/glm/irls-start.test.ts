import { describe, expect, it } from "vitest";
import { float64Family, resolveFamily } from "./family.js";
import { irls } from "./irls.js";

// a deterministic design: intercept and two smooth covariates, n rows column-major
function problem(n: number, kind: "logit" | "poisson") {
  const p = 3;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  const offset = kind === "poisson" ? new Float64Array(n) : null;
  let s = 12345;
  const u = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let i = 0; i < n; i++) {
    const a = Math.sin(i * 0.37) * 1.5;
    const b = u() * 2 - 1;
    x[i] = 1;
    x[n + i] = a;
    x[2 * n + i] = b;
    const eta = 0.3 + 0.8 * a - 0.6 * b;
    if (kind === "logit") y[i] = u() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
    else {
      if (offset) offset[i] = Math.log(1 + (i % 3));
      const lambda = Math.exp(eta + (offset ? offset[i] : 0));
      // Poisson draw by inversion
      let k = 0;
      let pr = Math.exp(-lambda);
      let c = pr;
      const v = u();
      while (v > c && k < 200) {
        k++;
        pr *= lambda / k;
        c += pr;
      }
      y[i] = k;
    }
  }
  return { x, n, p, y, w: new Float64Array(n).fill(1), offset };
}

describe("IRLS on large data starts from a subsample fit", () => {
  for (const kind of ["logit", "poisson"] as const) {
    it(`${kind}: same estimate as from zero, in fewer full-data iterations`, () => {
      const prob = problem(240_000, kind);
      const fam = float64Family(resolveFamily(kind === "logit" ? "binomial" : "poisson"));
      const sub = irls(fam, prob);
      const zero = irls(fam, prob, { start: new Float64Array(prob.p) });
      expect(sub.converged && zero.converged).toBe(true);
      for (let j = 0; j < prob.p; j++)
        expect(Math.abs(sub.beta[j] - zero.beta[j])).toBeLessThan(
          1e-9 * (Math.abs(zero.beta[j]) + 1e-3),
        );
      expect(Math.abs(sub.deviance - zero.deviance)).toBeLessThan(1e-9 * zero.deviance);
      expect(sub.iterations).toBeLessThan(zero.iterations);
      // the first step (the subsample's X'WX with the full data's score) and the stop
      // without a confirming pass leave the covariance and fitted means those of the
      // estimate
      sub.covUnscaled.forEach((c, i) => {
        expect(Math.abs(c - zero.covUnscaled[i])).toBeLessThan(
          1e-8 * Math.abs(zero.covUnscaled[i]) + 1e-15,
        );
      });
      for (let i = 0; i < prob.n; i += 101)
        expect(Math.abs(sub.mu[i] - zero.mu[i])).toBeLessThan(1e-8 * zero.mu[i]);
    });
  }
});
