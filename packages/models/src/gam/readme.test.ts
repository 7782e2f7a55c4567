import { readFileSync } from "node:fs";
import { Rng } from "@geoml/autodiff";
import { poisson } from "@geoml/losses";
import { expect, it } from "vitest";
import { gam, loadGam } from "../index.js";

it("runs the README example", () => {
  const logs: unknown[][] = [];
  const console = { log: (...args: unknown[]) => logs.push(args) };

  // --- README example (keep in sync with the GAM section of README.md) ---
  // Plankton counts along a season at stations in a box of longitude × latitude.
  const rng = new Rng(11);
  const n = 400;
  const u = rng.uniform([n, 4]).data;
  const data = {
    doy: Array.from({ length: n }, (_, i) => 1 + Math.floor(365 * u[4 * i])),
    lon: Array.from({ length: n }, (_, i) => -20 + 40 * u[4 * i + 1]),
    lat: Array.from({ length: n }, (_, i) => 40 + 20 * u[4 * i + 2]),
    count: [] as number[],
  };
  const uy = rng.uniform([n]).data;
  for (let i = 0; i < n; i++) {
    const season = Math.sin((2 * Math.PI * data.doy[i]) / 365);
    const wave = 0.5 * Math.cos(data.lon[i] / 8) * Math.sin((data.lat[i] - 50) / 6);
    const rate = Math.exp(1 + season + wave);
    let k = 0; // Poisson draw by inversion
    for (let p = Math.exp(-rate), c = p; uy[i] > c && k < 1000; c += p) p *= rate / ++k;
    data.count.push(k);
  }

  const fit = gam('count ~ s(doy, bs="cc", k=12) + te(lon, lat)', data, { family: poisson() });
  console.log(fit.summary()); // mgcv's layout: edf, Ref.df, Chi.sq, p-values, -REML
  console.log(fit.edf, fit.sp, fit.score, fit.devianceExplained);

  // Expected counts at two new stations, standard errors of log μ, a 95% band.
  const stations = { doy: [90, 270], lon: [0, 10], lat: [45, 55] };
  const p = fit.predict(stations, { se: true, interval: "confidence" });
  console.log(p.fit, p.seLink, p.lower, p.upper);

  // The seasonal smooth with a pointwise 95% band, as data for a plot.
  const season = fit.partialEffect("s(doy)");
  console.log(season.x.doy.length, season.fit[0], season.lower[0], season.upper[0]);

  // Save and load: identical predictions.
  const again = loadGam(JSON.parse(JSON.stringify(fit)));
  console.log(again.predict(stations).fit[1] === p.fit[1]); // true
  // --- end of README example ---

  expect(fit.converged).toBe(true);
  expect(logs[0][0]).toContain("Approximate significance of smooth terms");
  // the season peaks near day 91 and bottoms near day 274
  expect(p.fit[0]).toBeGreaterThan(p.fit[1]);
  expect(fit.edf["s(doy)"]).toBeGreaterThan(2);
  expect(logs.at(-1)).toEqual([true]);
});

it("README shows the code this test runs", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## GAM"));
  const start = section.indexOf("```ts") + 5;
  const block = section.slice(start, section.indexOf("```", start));
  const source = readFileSync(new URL("./readme.test.ts", import.meta.url), "utf8");
  const squash = (s: string) => s.replace(/\s+/g, "");
  const body = squash(
    source.slice(source.indexOf("// --- README example"), source.indexOf("// --- end of README")),
  );
  for (const line of block.split("\n")) {
    if (line.trim() === "" || line.startsWith("import ")) continue;
    expect(body, `README line missing from the test: ${line}`).toContain(squash(line));
  }
});
