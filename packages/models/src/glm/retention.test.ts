import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { lastPass, setThreads, simdEnabled, startWorkers } from "@geoml/autodiff";
import { expect, it } from "vitest";
import { dropSpare, spareBytes } from "../linalg/design-memory.js";
import { glm } from "./glm.js";

it("a fitted model does not keep the design's WebAssembly memory alive", () => {
  // a process of its own, to collect garbage on demand. A large design lives in the
  // kernels' WebAssembly memory with μ written there, and the result's lazy statistics
  // (log-likelihood, AIC, Pearson χ²) need μ: asking for them drops what they kept,
  // which must be μ alone, not the memory (≈ 50 MB here)
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const index = new URL("../index.ts", import.meta.url).href;
  const memory = new URL("../linalg/design-memory.ts", import.meta.url).href;
  const script = `
    const { glm } = await import(${JSON.stringify(index)});
    const { dropSpare } = await import(${JSON.stringify(memory)});
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
    // the memory the fit released for the next design is let go: what stays is the result's
    dropSpare();
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

it("a fit hands its design's memory to the next fit, which gives the same results on one thread and on two", async () => {
  const n = 800_001;
  let s = 11;
  const u = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const data: Record<string, Float64Array> = { y: new Float64Array(n) };
  for (let j = 1; j <= 5; j++) data[`x${j}`] = Float64Array.from({ length: n }, () => u() * 2 - 1);
  for (let i = 0; i < n; i++)
    data.y[i] = Number(u() < 1 / (1 + Math.exp(-data.x1[i] + data.x2[i])));
  const formula = "y ~ x1 + x2 + x3 + x4 + x5";
  const summary = (fit: ReturnType<ReturnType<typeof glm>["fit"]>) => [
    ...fit.params,
    ...fit.bse,
    fit.deviance,
    fit.iterations,
  ];
  try {
    setThreads(1);
    dropSpare();
    const model = glm({ family: "binomial" });
    const first = summary(model.fit({ formula, data }));
    // with the SIMD kernels a large design lives in memory of its own, which is kept
    const kept = simdEnabled();
    if (kept) expect(spareBytes()).toBeGreaterThan(n * 6 * 8);
    expect(summary(model.fit({ formula, data }))).toEqual(first);
    // a Poisson fit of counts, with an offset column, in between
    const counts = { ...data, y: data.y.map((v, i) => v + (i % 3)), o: data.x3.map((v) => v / 4) };
    glm({ family: "poisson" }).fit({ formula, data: counts, offset: "o" });
    setThreads(2);
    await startWorkers(1e12);
    const two = summary(model.fit({ formula, data }));
    expect(lastPass.threads).toBe(2);
    for (let k = 0; k < first.length; k++)
      expect(Math.abs(two[k] - first[k])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(first[k])));
    expect(summary(model.fit({ formula, data }))).toEqual(two);
    // so do predictions on new data, which give the same values in reused memory
    const fitted = model.fit({ formula, data });
    dropSpare();
    const fresh = fitted.predictWithSe(data);
    if (kept) expect(spareBytes()).toBeGreaterThan(n * 6 * 8);
    const reused = fitted.predictWithSe(data);
    expect(Array.from(reused.fit)).toEqual(Array.from(fresh.fit));
    expect(Array.from(reused.seLink)).toEqual(Array.from(fresh.seLink));
    // an elastic-net path hands its design on too
    dropSpare();
    model.path({ formula, data }, { nLambda: 3 });
    if (kept) expect(spareBytes()).toBeGreaterThan(n * 6 * 8);
  } finally {
    setThreads(2);
    dropSpare();
  }
}, 60_000);
