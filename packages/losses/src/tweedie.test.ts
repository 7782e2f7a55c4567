import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { tweedie } from "./families/tweedie.js";
import { lgammaPositive, tweedieLogA } from "./special.js";
import { expectAllClose } from "./test-utils.js";

/**
 * ∫₀^yMax g(y) dy by composite Simpson in u with y = uᵐ: the density behaves like
 * y^(α−1) at 0 (α = (2−p)/(p−1)), and m ≥ 2/α makes the integrand smooth there.
 */
function integrate(g: (y: number) => number, yMax: number, m: number, n = 4000): number {
  const uMax = yMax ** (1 / m);
  const h = uMax / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const u = i * h;
    const f = u === 0 ? 0 : g(u ** m) * m * u ** (m - 1);
    s += f * (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2);
  }
  return (s * h) / 3;
}

describe("Tweedie density (Dunn & Smyth series)", () => {
  for (const [p, mu, phi] of [
    [1.3, 2, 0.8],
    [1.5, 1, 1.3],
    [1.8, 3, 0.5],
    [1.05, 0.7, 2],
  ]) {
    it(`p = ${p}, μ = ${mu}, φ = ${phi}: mass at 0 plus ∫ f = 1 and ∫ y f = μ`, () => {
      const fam = tweedie({ power: p });
      const density = (y: number) =>
        Math.exp(-fam.nll(ad.tensor([y]), ad.tensor([mu]), { scale: phi }).item());
      const p0 = density(0);
      expectAllClose(p0, Math.exp(-(mu ** (2 - p)) / (phi * (2 - p))), 1e-14, 0, "P(0)");
      const yMax = mu * 60 + 60 * phi;
      const m = Math.max(4, Math.ceil((2 * (p - 1)) / (2 - p)));
      expectAllClose(p0 + integrate(density, yMax, m), 1, 1e-8, 0, "total mass");
      expectAllClose(
        integrate((y) => y * density(y), yMax, m),
        mu,
        1e-7,
        0,
        "mean",
      );
    });
  }

  it("series equals the compound Poisson–Gamma sum written out directly", () => {
    // f(y) = Σ_N Pois(N; λ) Gamma(y; Nα, scale), λ = μ^(2−p)/(φ(2−p)), α = (2−p)/(p−1)
    const [p, mu, phi, y] = [1.4, 1.7, 0.9, 2.3];
    const lambda = mu ** (2 - p) / (phi * (2 - p));
    const shape = (2 - p) / (p - 1);
    const scale = phi * (p - 1) * mu ** (p - 1);
    let f = 0;
    for (let n = 1; n < 200; n++) {
      const logPois = -lambda + n * Math.log(lambda) - lgammaPositive(n + 1);
      const a = n * shape;
      const logGamma = (a - 1) * Math.log(y) - y / scale - a * Math.log(scale) - lgammaPositive(a);
      f += Math.exp(logPois + logGamma);
    }
    const theta = mu ** (1 - p) / (1 - p);
    const kappa = mu ** (2 - p) / (2 - p);
    const series = Math.exp(tweedieLogA(y, p, phi) + (y * theta - kappa) / phi);
    expectAllClose(series, f, 1e-12, 0, "density");
  });

  it("stays bounded for extreme y and φ", () => {
    for (const [y, phi] of [
      [1e6, 1e-3],
      [1e-8, 10],
      [50, 1e-4],
    ]) {
      expect(Number.isFinite(tweedieLogA(y, 1.5, phi))).toBe(true);
    }
  });
});

describe("Tweedie series cache", () => {
  it("reuses log a(y, φ/w) only for the same y, φ and weights", () => {
    const fam = tweedie({ power: 1.5 });
    const y = ad.tensor([0, 1.2, 3.4]);
    const mu = ad.tensor([1, 1, 1]);
    const a = fam.nll(y, mu, { scale: 1.1 }).data;
    const b = fam.nll(y, mu, { scale: 1.1 }).data;
    expect([...b]).toEqual([...a]);
    const c = fam.nll(y, mu, { scale: 2 }).data;
    expect(c[1]).not.toBe(a[1]);
    const w = fam.nll(y, mu, { scale: 1.1, weights: ad.tensor([1, 2, 1]) }).data;
    expect(w[1]).not.toBe(a[1]);
    expect(w[2]).toBe(a[2]);
    const fresh = tweedie({ power: 1.5 }).nll(y, mu, { scale: 2 }).data;
    expect([...fam.nll(y, mu, { scale: 2 }).data]).toEqual([...fresh]);
  });
});
