import { readFileSync } from "node:fs";
// The README example: these imports and the body of the first test.
import { add, matmul, mean, square, sub, type Tensor, tensor, valueAndGrad } from "@geoml/autodiff";
import { adam, applyUpdates, chain, clipByGlobalNorm, cosineDecay, minimize } from "@geoml/optim";
import { expect, it } from "vitest";

it("runs the README example", () => {
  // y = 2·x₁ − x₂ + 0.5, observed without noise
  const x = tensor([
    [1, 2],
    [2, 0],
    [0, 1],
    [3, 1],
    [1, 1],
  ]);
  const y = tensor([0.5, 4.5, -0.5, 5.5, 1.5]);
  type Params = { w: Tensor; b: Tensor };
  const loss = (p: Params) => mean(square(sub(add(matmul(x, p.w), p.b), y)));

  // 1. A pure init/update optimiser: gradient clipping, then Adam with warm-up and cosine decay.
  const lr = cosineDecay({ lr: 0.1, warmupSteps: 20, decaySteps: 480 });
  const opt = chain(clipByGlobalNorm(10), adam({ lr }));
  let params: Params = { w: tensor([0, 0]), b: tensor(0) };
  let state = opt.init(params);
  const lossAndGrad = valueAndGrad(loss);
  for (let i = 0; i < 500; i++) {
    const [value, grads] = lossAndGrad(params);
    const r = opt.update(grads, state, params, { loss: value }); // throws on a NaN loss or gradient
    params = applyUpdates(params, r.updates);
    state = r.state;
  }
  console.log(params.w.toArray(), params.b.item()); // ≈ [2, -1] 0.5

  // 2. Full-batch L-BFGS with a strong-Wolfe line search, as scipy.optimize.minimize.
  const x0: Params = { w: tensor([0, 0]), b: tensor(0) };
  const result = minimize(loss, x0, { method: "lbfgs", tol: 1e-12 });
  console.log(result.x.w.toArray(), result.fun, result.nfev, result.converged);

  expect(Math.abs(params.w.data[0] - 2)).toBeLessThan(0.05);
  expect(Math.abs(params.w.data[1] + 1)).toBeLessThan(0.05);
  expect(Math.abs(params.b.item() - 0.5)).toBeLessThan(0.05);
  expect(result.converged).toBe(true);
  expect(Math.abs(result.x.w.data[0] - 2)).toBeLessThan(1e-8);
  expect(Math.abs(result.x.w.data[1] + 1)).toBeLessThan(1e-8);
  expect(Math.abs(result.x.b.item() - 0.5)).toBeLessThan(1e-8);
});

it("README shows this same example", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const block = readme.split("```ts")[1].split("```")[0];
  const source = readFileSync(new URL(import.meta.url), "utf8");
  for (const line of block.split("\n").map((l) => l.trim()))
    if (line !== "") expect(source, `README line not in the test: ${line}`).toContain(line);
});
