import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { poisson } from "./families/poisson.js";

// the log-likelihood looks log Γ(y + 1) up by count; it must equal lgamma on every row
describe("poisson log-likelihood with tabulated log-factorials", () => {
  const direct = (y: number[], mu: number[]) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const lg = ad.lgamma(ad.tensor([y[i] + 1])).item();
      s += y[i] * Math.log(mu[i]) - mu[i] - lg;
    }
    return s;
  };
  it("matches lgamma for whole counts, large counts and non-integer y", () => {
    const mu = [0.5, 2, 7.5, 30, 1e3, 4.2];
    for (const y of [
      [0, 1, 3, 12, 4095, 2],
      [0, 1, 3, 12, 5000, 2],
      [0.5, 1, 3, 12, 40, 2.25],
    ]) {
      const ll = poisson().logLikelihood(ad.tensor(y), ad.tensor(mu));
      expect(Math.abs(ll - direct(y, mu))).toBeLessThan(1e-12 * Math.abs(ll));
    }
  });
});
