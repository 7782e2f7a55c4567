import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";

it("a fitted model does not keep the design's WebAssembly memory alive", () => {
  // a process of its own, to collect garbage on demand. A large design lives in the
  // kernels' WebAssembly memory with μ written there, and the result's lazy statistics
  // (log-likelihood, AIC, Pearson χ²) need μ: asking for them drops what they kept,
  // which must be μ alone, not the memory (≈ 50 MB here)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const index = new URL("../index.ts", import.meta.url).href;
  const script = `
    const { glm } = await import(${JSON.stringify(index)});
    const n = 600_000;
    let s = 1;
    const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const data = { y: new Float64Array(n) };
    for (let j = 1; j <= 4; j++) data["x" + j] = Float64Array.from({ length: n }, () => u() * 2 - 1);
    for (let i = 0; i < n; i++) data.y[i] = Number(u() < 1 / (1 + Math.exp(-data.x1[i])));
    const gc = async () => {
      for (let i = 0; i < 3; i++) {
        globalThis.gc();
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const fit = glm({ family: "binomial" }).fit({ formula: "y ~ x1 + x2 + x3 + x4", data });
    await gc();
    const before = process.memoryUsage().rss;
    const aic = fit.aic;
    await gc();
    const freed = (before - process.memoryUsage().rss) / 2 ** 20;
    console.log(JSON.stringify({ freed, aic }));`;
  const out = execFileSync(
    process.execPath,
    ["--expose-gc", "--import", tsx, "--input-type=module", "-e", script],
    { encoding: "utf8", env: { ...process.env, GEOML_THREADS: "1" } },
  );
  const { freed, aic } = JSON.parse(out.trim().split("\n").at(-1)!) as {
    freed: number;
    aic: number;
  };
  expect(Number.isFinite(aic)).toBe(true);
  // what the statistics keep: copies of μ, y and the weights, 4.6 MiB each (the design's
  // memory would be ≈ 58 MiB more)
  expect(freed).toBeLessThan(30);
}, 60_000);
