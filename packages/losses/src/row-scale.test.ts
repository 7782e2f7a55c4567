/** One dispersion φ per row (a tensor `scale`), as the MLP's heteroscedastic head uses. */
import * as ad from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { isLossesError } from "./errors.js";
import { gamma, gaussian, poisson, tweedie } from "./index.js";

describe("a per-row scale tensor", () => {
  const y = ad.tensor([0.5, 2, 1.5]);
  const mu = ad.tensor([1, 1.8, 1.2]);
  const phi = [0.5, 2, 0.25];
  for (const [name, fam] of [
    ["gaussian", gaussian()],
    ["gamma", gamma("log")],
    ["poisson", poisson()],
  ] as const)
    it(`${name}: row i gets the NLL of scale φᵢ`, () => {
      const rows = fam.nll(y, mu, { scale: ad.tensor(phi) }).data;
      phi.forEach((p, i) => {
        const alone = fam.nll(y, mu, { scale: p }).data[i];
        expect(rows[i]).toBeCloseTo(alone, 14);
      });
    });

  it("is checked: shape, positivity, and families that need one number", () => {
    expect(() => gaussian().nll(y, mu, { scale: ad.tensor([1, 2]) })).toThrow(/scale/);
    try {
      gaussian().nll(y, mu, { scale: ad.tensor([1, 0, 2]) });
      throw new Error("accepted φ = 0");
    } catch (e) {
      expect(isLossesError(e)).toBe(true);
    }
    expect(() => tweedie({ power: 1.5 }).nll(y, mu, { scale: ad.tensor(phi) })).toThrow(
      /scale must be a number/,
    );
  });
});
