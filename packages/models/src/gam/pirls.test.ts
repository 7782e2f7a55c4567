/**
 * Penalised IRLS at the rounding floor of an ill-conditioned fit: the warm-water
 * indicator of datasets/csv/sst_cells.csv is almost separated by latitude, and with the
 * small smoothing parameters the REML search tries for s(lat) + te(lon, lat) the Fisher
 * step of P-IRLS stays around 1e-8 while the penalised deviance only jitters.
 */
import { readFileSync } from "node:fs";
import { binomial } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import { parseFormula } from "../formula/parse.js";
import { float64Family } from "../glm/family.js";
import { type GamData, innerFit } from "./pirls.js";
import { sideConstrain } from "./side.js";
import { type BuiltSmooth, buildSmooth } from "./smooth.js";

const text = readFileSync(
  new URL("../../../../datasets/csv/sst_cells.csv", import.meta.url),
  "utf8",
);
const [head, ...lines] = text.trim().split("\n");
const names = head.split(",");
const cols = new Map(names.map((k) => [k, new Float64Array(lines.length)]));
lines.forEach((l, i) => {
  l.split(",").forEach((v, j) => {
    (cols.get(names[j]) as Float64Array)[i] = Number(v);
  });
});

/** The P-IRLS data of warm ~ s(lat) + te(lon, lat) and its total penalty at log λ = rho. */
function problem(rho: number[]) {
  const n = lines.length;
  const f = parseFormula("warm ~ s(lat) + te(lon, lat)");
  let first = 1;
  let built: BuiltSmooth[] = [];
  for (const sm of f.smooths)
    for (const b of buildSmooth(sm, (v) => cols.get(v) as Float64Array, null, n, first)) {
      built.push(b);
      first += b.info.size;
    }
  built = sideConstrain(built, n, true);
  const p = 1 + built.reduce((a, b) => a + b.info.size, 0);
  const X = new Float64Array(n * p).fill(1, 0, n);
  const St = new Float64Array(p * p);
  const lambda = rho.map(Math.exp);
  let c = 1;
  let s = 0;
  for (const b of built) {
    X.set(b.X, c * n);
    const q = b.info.size;
    for (const S of b.info.S) {
      for (let i = 0; i < q; i++)
        for (let j = 0; j < q; j++) St[(c + i) * p + c + j] += lambda[s] * S[i * q + j];
      s++;
    }
    c += q;
  }
  const d: GamData = {
    X,
    n,
    p,
    y: cols.get("warm") as Float64Array,
    w: cols.get("coslat") as Float64Array,
    offset: null,
    fam: float64Family(binomial()),
    linear: false,
  };
  return { d, St };
}

describe("innerFit at the rounding floor", () => {
  it("stops when further Fisher steps cannot improve the fit, instead of at its cap", () => {
    // log smoothing parameters where the REML search of this model met the floor
    const { d, St } = problem([-12.537866, -8.582034, -6.87941]);
    const fit = innerFit(d, St, null, null);
    const again = innerFit(d, St, null, fit.beta);
    expect(fit.iterations).toBeLessThan(200);
    expect(again.iterations).toBeLessThan(200);
    // what the cap would have returned: the same penalised deviance to rounding
    const pdev = fit.deviance + fit.penalty;
    expect(Math.abs(again.deviance + again.penalty - pdev)).toBeLessThan(1e-9 * pdev);
  });

  it("stops when the steps only wander along directions the data hardly determine", () => {
    // tiny λ (as the REML search of the CMIP5 tos demo tries): coefficients near 3e4, and
    // steps of order 1 that no longer lower the penalised deviance
    const { d, St } = problem([-25, -20, -18]);
    const fit = innerFit(d, St, null, null);
    expect(Math.max(...fit.beta.map(Math.abs))).toBeGreaterThan(1e4);
    expect(fit.iterations).toBeLessThan(60);
    const again = innerFit(d, St, null, fit.beta);
    expect(again.iterations).toBeLessThan(20);
    const pdev = fit.deviance + fit.penalty;
    expect(Math.abs(again.deviance + again.penalty - pdev)).toBeLessThan(1e-9 * pdev);
  });
});
