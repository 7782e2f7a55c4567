/**
 * The analytic gradient of the REML/ML criterion against central differences of the
 * criterion itself (each difference two fully converged fits) on the reference problems:
 * Gaussian (profiled scale, linear case), binomial and Poisson (canonical links, weights
 * moving with β̂), Gamma with a log link (non-canonical: Newton weights, profiled scale),
 * probit binomial, te (two penalties), cc, factor-by smooths, ML; and the multinomial GAM's
 * criterion (mgcv's multinom: K predictors, the exact Hessian moving with β̂).
 */
import { readFileSync } from "node:fs";
import { binomial, categorical, type Family, gamma, gaussian, poisson } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import type { DataFrame } from "../formula/design.js";
import { evaluate, type GamMethod } from "./criterion.js";
import { type GamOptions, prepareGam } from "./fit.js";
import { criterionGradient } from "./gradient.js";
import { multinomCriterion } from "./multinom.js";

const fx = JSON.parse(
  readFileSync(new URL("./__fixtures__/gam_mgcv.json", import.meta.url), "utf8"),
) as { data: Record<string, (number | string)[]> };
const data: DataFrame = Object.fromEntries(
  Object.entries(fx.data).map(([k, v]) => [
    k,
    typeof v[0] === "string" ? (v as string[]) : Float64Array.from(v as number[]),
  ]),
);
// a positive response for the Gamma family
const x = data.x as Float64Array;
const yg = Float64Array.from(data.expo as Float64Array, (e, i) => e * Math.exp(Math.sin(6 * x[i])));
const frame = { ...data, yg };

const cases: [string, string, () => Family, GamMethod][] = [
  ["gaussian tp", "y ~ s(x) + s(x2)", gaussian, "REML"],
  ["gaussian cc", 'y ~ s(doy, bs="cc", k=12) + s(x, bs="cr")', gaussian, "REML"],
  ["gaussian te + side", 'y ~ s(lat, bs="cr") + te(lon, lat)', gaussian, "REML"],
  ["gaussian by", 'y ~ zone + s(x, by=zone, bs="cr")', gaussian, "REML"],
  ["gaussian ML", 'y ~ s(x, bs="cr") + s(x2, bs="ps")', gaussian, "ML"],
  ["binomial", 'yb ~ s(x) + s(x2, bs="cr")', binomial, "REML"],
  ["binomial probit", 'yb ~ s(x) + s(x2, bs="cr")', () => binomial("probit"), "REML"],
  ["poisson te", 'yp ~ s(x, bs="cr") + te(lon, lat)', poisson, "REML"],
  [
    "poisson offset",
    'yc ~ s(x, bs="cr") + s(doy, bs="cc", k=8) + offset(log(expo))',
    poisson,
    "REML",
  ],
  ["poisson ML", 'yp ~ s(x, bs="cr") + s(doy, bs="cc")', poisson, "ML"],
  ["Gamma log", 'yg ~ s(x, bs="cr") + s(x2)', () => gamma("log"), "REML"],
  ["Gamma log ML", 'yg ~ s(x, bs="cr") + te(lon, lat)', () => gamma("log"), "ML"],
];

/** (f(ρ + h·eₖ) − f(ρ − h·eₖ)) / 2h for each k. */
function centralDifferences(
  rho: Float64Array,
  h: number,
  f: (r: Float64Array) => number,
): Float64Array {
  return Float64Array.from(rho, (_, k) => {
    const up = Float64Array.from(rho);
    const dn = Float64Array.from(rho);
    up[k] += h;
    dn[k] -= h;
    return (f(up) - f(dn)) / (2 * h);
  });
}

describe("criterionGradient", () => {
  for (const [name, formula, family, method] of cases)
    it(`${name}: ${formula} (${method}) matches central differences to 1e-5`, () => {
      const options: GamOptions = { family: family(), method };
      const problem = prepareGam(formula, frame, options);
      if ("multinom" in problem) throw new Error("not a single-predictor GAM");
      const { setup } = problem;
      // away from the optimum (where the gradient vanishes): the initial sp and below it
      for (const shift of [0, -3]) {
        const rho = problem.rho0.map((v, j) => v + shift + 0.5 * j);
        const ev = evaluate(setup, rho, null);
        const g = criterionGradient(setup, rho, ev);
        // 1e-3: truncation ~1e-8 relative, and above the noise of the converged fits
        const h = 1e-3;
        const fd = centralDifferences(rho, h, (r) => evaluate(setup, r, ev.fit.beta).score);
        const scale = Math.max(...fd.map(Math.abs));
        for (let k = 0; k < rho.length; k++)
          expect(Math.abs(g[k] - fd[k]) / scale, `${name} ρ${k} shift ${shift}`).toBeLessThan(1e-5);
      }
    });
});

describe("multinomGradient", () => {
  const multinomCases: [string, GamMethod][] = [
    ['y3 ~ s(x, bs="cr") + s(x2, bs="cr")', "REML"],
    ['y3 ~ s(x, bs="cr") + te(lon, lat, k=c(4,4))', "REML"],
    ['y3 ~ s(x, bs="cr") + s(doy, bs="cc", k=8)', "ML"],
  ];
  for (const [formula, method] of multinomCases)
    it(`${formula} (${method}) matches central differences to 1e-5`, () => {
      const problem = prepareGam(formula, frame, { family: categorical(3), method });
      if (!("multinom" in problem)) throw new Error("not a multinomial GAM");
      const c = multinomCriterion(problem.multinom);
      for (const base of [0, -3]) {
        const rho = Float64Array.from(c.penalties, (_, j) => base + 0.7 * j - 1);
        const ev = c.evaluate(rho, null);
        const g = c.gradient(rho, ev);
        const h = 1e-3;
        const fd = centralDifferences(rho, h, (r) => c.evaluate(r, ev.fit.beta).score);
        const scale = Math.max(...fd.map(Math.abs));
        for (let k = 0; k < rho.length; k++)
          expect(Math.abs(g[k] - fd[k]) / scale, `ρ${k} at ${base}`).toBeLessThan(1e-5);
      }
    });
});
