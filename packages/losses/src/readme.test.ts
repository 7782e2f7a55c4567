import { readFileSync } from "node:fs";
import * as ad from "@geoml/autodiff";
import { describe, expect, it, vi } from "vitest";

const read = (name: string) => readFileSync(new URL(`../${name}`, import.meta.url), "utf8");

describe("README example", () => {
  it("is the file example.ts, verbatim", () => {
    expect(read("README.md")).toContain(read("example.ts").trim());
  });

  it("runs and prints the numbers it claims", async () => {
    const lines: unknown[][] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args);
    });
    try {
      await import("../example.js");
    } finally {
      spy.mockRestore();
    }
    const out = Object.fromEntries(lines.map(([k, v]) => [k as string, v]));
    // independent check of the weighted Bernoulli NLL
    const eta = [0.2, -1.0, 1.5, 0.0, 0.4, -0.3];
    const y = [1, 0, 1, 0, 1, 0];
    const w = [10, 10, 10, 60, 60, 60].map((d) => Math.cos((d * Math.PI) / 180));
    let sum = 0;
    for (let i = 0; i < 6; i++) {
      const p = 1 / (1 + Math.exp(-eta[i]));
      sum -= w[i] * (y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
    }
    const total = w.reduce((a, b) => a + b, 0);
    expect(out.loss as number).toBeCloseTo(sum / total, 12);
    const g = (out["dLoss/dη"] as number[][]).flat();
    for (let i = 0; i < 6; i++) {
      expect(g[i]).toBeCloseTo((w[i] * (1 / (1 + Math.exp(-eta[i])) - y[i])) / total, 12);
    }
    expect(out.logLik as number).toBeLessThan(0);
    expect(out.deviance as number).toBeCloseTo(-2 * (out.logLik as number), 12);
    const nll = [0.1, 1.2, 2.0].reduce(
      (acc, e, i) =>
        acc + Math.exp(e) - [0, 3, 7][i] * e + ad.lgamma(ad.scalar([0, 3, 7][i] + 1)).item(),
      0,
    );
    expect(out["poisson nll"] as number).toBeCloseTo(nll, 12);
  });
});
