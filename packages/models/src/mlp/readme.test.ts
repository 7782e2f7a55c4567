import { readFileSync } from "node:fs";
import { Rng } from "@geoml/autodiff";
import { adam } from "@geoml/optim";
import { expect, it } from "vitest";
import { loadMlp, mlp } from "../index.js";

it("runs the README example", () => {
  const logs: unknown[][] = [];
  const console = { log: (...args: unknown[]) => logs.push(args) };

  // --- README example (keep in sync with the MLP section of README.md) ---
  // Counts that rise with a covariate: y ~ Poisson(exp(1 + x₀ − x₁²)).
  const rng = new Rng(42);
  const x = rng.uniform([2000, 2], { low: -1, high: 1 });
  const u = rng.uniform([2000]);
  const y = Array.from({ length: 2000 }, (_, i) => {
    const rate = Math.exp(1 + x.data[2 * i] - x.data[2 * i + 1] ** 2);
    let k = 0;
    for (let p = Math.exp(-rate), c = p; u.data[i] > c && k < 1000; c += p) p *= rate / ++k;
    return k;
  });

  const model = mlp({ hidden: [16, 16], activation: "tanh", family: "poisson", seed: 1 });
  const history = model.fit(x, y, {
    epochs: 60,
    batchSize: 64,
    optimizer: adam({ lr: 0.01 }),
    validationSplit: 0.2, // rows drawn with the seed
    patience: 5, // early stopping on the validation loss, best weights restored
    onEpoch: ({ epoch, loss, validationLoss }) => {
      if (epoch % 20 === 0) console.log(epoch, loss.toFixed(4), validationLoss?.toFixed(4));
      return undefined;
    },
  });

  // μ for new rows, computed in bounded-memory chunks.
  const mu = model.predict(
    [
      [0.5, 0],
      [-0.5, 0.8],
    ],
    { chunkSize: 65536 },
  );
  console.log(history.bestEpoch, mu.toArray()); // ≈ [4.5, 0.9]

  // Save and load: identical predictions.
  const again = loadMlp(JSON.stringify(model.toJSON()));
  console.log(again.predict([[0.5, 0]]).item() === mu.data[0]); // true
  // --- end of README example ---

  expect(Math.abs(mu.data[0] - Math.exp(1.5))).toBeLessThan(0.5);
  expect(Math.abs(mu.data[1] - Math.exp(1 - 0.5 - 0.64))).toBeLessThan(0.25);
  expect(logs.at(-1)).toEqual([true]);
  expect(history.bestEpoch).toBeGreaterThan(0);
});

it("README shows the code this test runs", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## MLP"));
  const block = section.slice(
    section.indexOf("```ts") + 5,
    section.indexOf("```", section.indexOf("```ts") + 5),
  );
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
