import * as ad from "@geoml/autodiff";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binomial } from "./families/binomial.js";
import { categorical } from "./families/categorical.js";
import { negativeBinomial } from "./families/negative-binomial.js";
import { poisson } from "./families/poisson.js";

const finite = (t: ad.Tensor) => t.data.every((v: number) => Number.isFinite(v));
const eta = (lim: number) => fc.double({ min: -lim, max: lim, noNaN: true });

describe("losses and gradients stay finite (property tests)", () => {
  it("Bernoulli with every probability link, |η| ≤ 1000", () => {
    const fams = ["logit", "probit", "cloglog", "cauchit"].map((l) => binomial(l));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(eta(1000), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const e = ad.tensor(rows.map(([v]) => v));
          const y = ad.tensor(rows.map(([, b]) => (b ? 1 : 0)));
          for (const fam of fams) {
            const [value, g] = ad.valueAndGrad((x: ad.Tensor) => fam.loss(x, y))(e);
            expect(Number.isFinite(value.item()), fam.link.name).toBe(true);
            expect(finite(g), fam.link.name).toBe(true);
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  // beyond |η| ≈ 10 the route through μ itself loses digits (1 − μ rounds), not the loss
  it("Bernoulli-logit: loss from η equals the NLL at μ = g⁻¹(η) for |η| ≤ 10", () => {
    const fam = binomial();
    fc.assert(
      fc.property(eta(10), fc.boolean(), (v, b) => {
        const y = ad.tensor([b ? 1 : 0]);
        const fromEta = fam.loss(ad.tensor([v]), y).item();
        const fromMu = fam.nll(y, fam.link.inverse(ad.tensor([v]))).item();
        expect(Math.abs(fromEta - fromMu)).toBeLessThanOrEqual(1e-10 * Math.max(1, fromEta));
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it("Poisson and Negative Binomial with the log link, |η| ≤ 700", () => {
    const fams = [poisson(), negativeBinomial({ theta: 1.5 })];
    fc.assert(
      fc.property(eta(700), fc.nat(1000), (v, count) => {
        for (const fam of fams) {
          const [value, g] = ad.valueAndGrad((x: ad.Tensor) => fam.loss(x, ad.tensor([count])))(
            ad.tensor([v]),
          );
          expect(Number.isFinite(value.item()), fam.name).toBe(true);
          expect(finite(g), fam.name).toBe(true);
        }
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it("categorical with logits up to ±1e4", () => {
    fc.assert(
      fc.property(fc.array(eta(1e4), { minLength: 4, maxLength: 4 }), fc.nat(3), (row, cls) => {
        const [value, g] = ad.valueAndGrad((x: ad.Tensor) =>
          categorical(4).loss(x, ad.tensor([cls])),
        )(ad.tensor([row]));
        expect(Number.isFinite(value.item())).toBe(true);
        expect(value.item()).toBeGreaterThanOrEqual(0);
        expect(finite(g)).toBe(true);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
