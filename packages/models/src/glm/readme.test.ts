import { readFileSync } from "node:fs";
import { Rng } from "@geoml/autodiff";
import { expect, it } from "vitest";
import { glm, loadGlm } from "../index.js";

it("runs the README example", () => {
  const logs: unknown[][] = [];
  const console = { log: (...args: unknown[]) => logs.push(args) };

  // --- README example (keep in sync with the GLM section of README.md) ---
  // Storm counts per grid cell: exposure (days observed) enters as an offset, the
  // zone as a dummy-coded factor, cos(latitude) as an area weight.
  const rng = new Rng(7);
  const n = 500;
  const u = rng.uniform([n, 4]).data;
  const zones = ["polar", "temperate", "tropics"];
  const data = {
    sst: Array.from({ length: n }, (_, i) => 10 + 20 * u[4 * i]),
    zone: Array.from({ length: n }, (_, i) => zones[Math.floor(3 * u[4 * i + 1])]),
    days: Array.from({ length: n }, (_, i) => 20 + Math.round(40 * u[4 * i + 2])),
    lat: Array.from({ length: n }, (_, i) => -60 + 120 * u[4 * i + 3]),
    storms: [] as number[],
    area: [] as number[],
  };
  const uy = rng.uniform([n]).data;
  for (let i = 0; i < n; i++) {
    const rate =
      data.days[i] * Math.exp(-4 + 0.08 * data.sst[i] + (data.zone[i] === "tropics" ? 0.5 : 0));
    let k = 0; // Poisson draw by inversion
    for (let p = Math.exp(-rate), c = p; uy[i] > c && k < 1000; c += p) p *= rate / ++k;
    data.storms.push(k);
    data.area.push(Math.cos((data.lat[i] * Math.PI) / 180));
  }

  const fit = glm({ family: "poisson", link: "log" }).fit({
    formula: "storms ~ sst + C(zone) + offset(log(days))",
    data,
    weights: "area",
  });
  console.log(fit.summary()); // statsmodels-style table
  console.log(fit.coefficients.sst, fit.stdErrors.sst); // ≈ 0.08 and its standard error
  console.log(fit.deviance, fit.aic, fit.converged);

  // Expected storms in 30 days, with standard errors of log μ.
  const newCells = { sst: [15, 28], zone: ["temperate", "tropics"], days: [30, 30] };
  const { fit: mu, seLink } = fit.predictWithSe(newCells);
  console.log(mu, seLink);

  // Save and load: identical predictions.
  const again = loadGlm(JSON.stringify(fit));
  console.log(again.predict(newCells).fit[1] === mu[1]); // true
  // --- end of README example ---

  expect(Math.abs(fit.coefficients.sst - 0.08)).toBeLessThan(4 * fit.stdErrors.sst);
  expect(Math.abs(fit.coefficients["C(zone)[T.tropics]"] - 0.5)).toBeLessThan(
    4 * fit.stdErrors["C(zone)[T.tropics]"],
  );
  expect(fit.converged).toBe(true);
  expect(logs[0][0]).toContain("Generalized Linear Model Regression Results");
  expect(logs.at(-1)).toEqual([true]);
  expect(seLink[0]).toBeGreaterThan(0);
});

it("README shows the code this test runs", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## GLM"));
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
