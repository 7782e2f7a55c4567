import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const tsx = resolve(root, "node_modules/.bin/tsx");
const run = (file: string) =>
  execFileSync(tsx, [resolve(import.meta.dirname, file)], { cwd: root, encoding: "utf8" });

describe("examples", () => {
  it("train-linear prints a falling mean squared error", () => {
    const losses = [...run("train-linear.ts").matchAll(/mse\s+([0-9.]+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(losses.length).toBeGreaterThan(3);
    expect(losses.at(-1)).toBeLessThan(losses[0] / 5);
  }, 60_000);

  it("sst-glm prints a GLM summary with both coefficients", () => {
    const out = run("sst-glm.ts");
    expect(out).toContain("Generalized Linear Model Regression Results");
    expect(out).toMatch(/coslat\s+-?\d/);
  }, 60_000);
});
