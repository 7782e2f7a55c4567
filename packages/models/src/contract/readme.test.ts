import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { glm, loadModel } from "../index.js";

it("runs the README example of the model contract", () => {
  const logs: unknown[][] = [];
  const console = { log: (...args: unknown[]) => logs.push(args) };

  // --- README example (keep in sync with the contract section of README.md) ---
  // Wet days out of days observed at 40 stations, against elevation (km).
  const elevation = Array.from({ length: 40 }, (_, i) => (i % 10) * 0.3);
  const days = elevation.map((_, i) => 20 + (i % 7));
  const wet = elevation.map((e, i) =>
    Math.round(days[i] / (1 + Math.exp(1 - 0.8 * e)) + ((i * 7) % 3) - 1),
  );
  const fit = glm({ family: "binomial" }).fit({
    formula: "I(wet / days) ~ elevation", // a proportion, the trials as prior weights (R's glm)
    data: { wet, days, elevation },
    weights: "days",
  });

  // Probability of a wet day at 0.5 and 2 km, with a 90% confidence interval.
  const p = fit.predict({ elevation: [0.5, 2] }, { se: true, interval: "confidence", level: 0.9 });
  console.log(p.fit, p.lower, p.upper, p.seLink);

  // Any saved model comes back through loadModel, whatever its kind.
  const back = loadModel(JSON.stringify(fit));
  console.log(back.kind, back.predict({ elevation: [0.5] }).fit[0] === p.fit[0]); // "glm" true
  // --- end of README example ---

  expect(logs.at(-1)).toEqual(["glm", true]);
  const [mu, lower, upper] = logs[0] as Float64Array[];
  for (let i = 0; i < 2; i++) {
    expect(lower[i]).toBeLessThan(mu[i]);
    expect(upper[i]).toBeGreaterThan(mu[i]);
  }
  expect(mu[1]).toBeGreaterThan(mu[0]);
});

it("README shows the code this test runs", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## One contract"));
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
