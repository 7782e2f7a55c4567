/**
 * Confidence and prediction intervals of `GlmResults.predict` against statsmodels
 * (tools/oracles/intervals_statsmodels.py): GLM `get_prediction().summary_frame(alpha)`
 * for the mean on both scales, and OLS `obs_ci` (t quantiles, as R's
 * `predict.lm(interval = "prediction")`) for a new Gaussian observation.
 * Tolerance: 1e-6 relative, the same as the GLM parity tests (both sides stop
 * IRLS at their own tolerance). statsmodels keeps `g⁻¹(η̂ − z·se)` as the lower
 * end even when the inverse link decreases (Gamma/inverse); geoml orders the
 * ends low to high, so the test compares the ordered pair.
 */
import { readFileSync } from "node:fs";
import { studentTQuantile } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import { isModelError } from "../contract/errors.js";
import { glm } from "./glm.js";

interface Level {
  mean: number[];
  mean_ci_lower: number[];
  mean_ci_upper: number[];
  link: number[];
  link_se: number[];
  link_ci_lower: number[];
  link_ci_upper: number[];
  obs_ci_lower?: number[];
  obs_ci_upper?: number[];
}
interface Case {
  name: string;
  family: string;
  link: string;
  formula: string;
  data: Record<string, number[] | string[]>;
  new: Record<string, number[] | string[]>;
  df_resid: number;
  levels: Record<string, Level>;
}
const fixture = JSON.parse(
  readFileSync(new URL("./__fixtures__/intervals_statsmodels.json", import.meta.url), "utf8"),
) as { cases: Case[] };

const close = (a: number, b: number, what: string) =>
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(
    1e-6 * Math.max(1, Math.abs(b)),
  );

describe("intervals match statsmodels", () => {
  for (const c of fixture.cases) {
    const fit = glm({ family: c.family, link: c.link }).fit({ formula: c.formula, data: c.data });
    for (const [levelText, e] of Object.entries(c.levels)) {
      const level = Number(levelText);
      it(`${c.name}: confidence interval of the mean at ${level}, response and link scale`, () => {
        const r = fit.predict(c.new, { interval: "confidence", level, se: true });
        const l = fit.predict(c.new, { type: "link", interval: "confidence", level });
        expect(r.interval).toBe("confidence");
        e.mean.forEach((m, i) => {
          close(r.fit[i], m, `mean ${i}`);
          close(r.seLink![i], e.link_se[i], `se ${i}`);
          const lo = Math.min(e.mean_ci_lower[i], e.mean_ci_upper[i]);
          const hi = Math.max(e.mean_ci_lower[i], e.mean_ci_upper[i]);
          close(r.lower![i], lo, `lower ${i}`);
          close(r.upper![i], hi, `upper ${i}`);
          close(l.fit[i], e.link[i], `link ${i}`);
          close(l.lower![i], e.link_ci_lower[i], `link lower ${i}`);
          close(l.upper![i], e.link_ci_upper[i], `link upper ${i}`);
        });
      });
      if (e.obs_ci_lower) {
        it(`${c.name}: prediction interval at ${level} (OLS obs_ci, R predict.lm)`, () => {
          const r = fit.predict(c.new, { interval: "prediction", level });
          expect(r.interval).toBe("prediction");
          e.obs_ci_lower!.forEach((v, i) => {
            close(r.lower![i], v, `lower ${i}`);
            close(r.upper![i], e.obs_ci_upper![i], `upper ${i}`);
          });
        });
      }
    }
  }

  it("refuses a prediction interval where the family has none, and bad options", () => {
    const c = fixture.cases.find((x) => x.name === "poisson_log")!;
    const fit = glm({ family: "poisson" }).fit({ formula: c.formula, data: c.data });
    expect(() => fit.predict(c.new, { interval: "prediction" })).toThrow(
      /poisson family defines no prediction interval/,
    );
    for (const bad of [
      { level: 1 },
      { level: Number.NaN },
      { interval: "tolerance" },
      { type: "mu" },
    ])
      try {
        fit.predict(c.new, { interval: "confidence", ...(bad as object) });
        throw new Error(`accepted ${JSON.stringify(bad)}`);
      } catch (err) {
        expect(isModelError(err, "BAD_OPTION")).toBe(true);
      }
  });

  it("t quantiles agree with R's qt to 1e-10", () => {
    // R 4: qt(0.975, c(1, 3, 10, 115)); qt(0.9, 115); qt(1e-10, 4)
    const cases: [number, number, number][] = [
      [0.975, 1, 12.706204736174694],
      [0.975, 3, 3.1824463052837078],
      [0.975, 10, 2.2281388519862739],
      [0.975, 115, 1.9808075411039094],
      [0.9, 115, 1.2889565100421765],
      [1e-10, 4, -416.17514032960423],
    ];
    for (const [p, df, q] of cases)
      expect(Math.abs(studentTQuantile(p, df) - q) / Math.abs(q), `qt(${p}, ${df})`).toBeLessThan(
        1e-10,
      );
  });
});
