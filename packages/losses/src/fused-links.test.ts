import { tensor } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { LINK_NAMES, link, type StableLink } from "./index.js";

/** η on both tails, around zero, at the clamps, signed zeros and NaN. */
function etas(): Float64Array {
  const v = [0, -0, 1e-300, -1e-300, 36.8, -36.8, 37, -37, 710, -745, Number.NaN];
  for (let i = -4000; i <= 4000; i++) v.push(i / 97.3);
  return Float64Array.from(v);
}

function relErr(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : 1;
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

describe("fused inverseAndDerivative", () => {
  const fused = LINK_NAMES.map((name) => link(name, { power: 1.5 }) as StableLink).filter(
    (l) => l.inverseAndDerivative,
  );
  it("exists for the log and logit links", () => {
    expect([...new Set(fused.map((l) => l.name))].sort()).toEqual(["log", "logit"]);
  });
  for (const l of fused) {
    it(`${l.name}: equals inverse and derivative to 1e-15 relative`, () => {
      const eta = etas();
      const mu = new Float64Array(eta.length);
      const dmu = new Float64Array(eta.length);
      l.inverseAndDerivative?.(eta, mu, dmu);
      const m = l.inverse(tensor(eta)).data;
      const d = l.derivative(tensor(eta)).data;
      for (let i = 0; i < eta.length; i++) {
        expect(relErr(mu[i], m[i]), `mu at eta=${eta[i]}`).toBeLessThanOrEqual(1e-15);
        expect(relErr(dmu[i], d[i]), `dmu at eta=${eta[i]}`).toBeLessThanOrEqual(1e-15);
      }
    });
  }
});
