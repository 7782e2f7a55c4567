/**
 * Fits a one-hidden-layer regression y ≈ tanh(x·W1 + b1)·W2 + b2 to noisy samples of
 * y = sin(2x₁) + 0.5·x₂ by plain gradient descent with `valueAndGrad`.
 * Run from the repository root: npx tsx examples/train-linear.ts
 */
import * as ad from "@geoml/autodiff";

const rng = new ad.Rng(2024);
const n = 512;
const x = rng.uniform([n, 2], { low: -1.5, high: 1.5 });
const x1 = ad.slice(x, [0, 0], [n, 1]);
const x2 = ad.slice(x, [0, 1], [n, 1]);
const y = ad.add(ad.add(ad.sin(ad.mul(x1, 2)), ad.mul(x2, 0.5)), rng.normal([n, 1], { std: 0.05 }));

type Params = { w1: ad.Tensor; b1: ad.Tensor; w2: ad.Tensor; b2: ad.Tensor };
const hidden = 16;
let params: Params = {
  w1: rng.normal([2, hidden]),
  b1: ad.zeros([hidden]),
  w2: rng.normal([hidden, 1], { std: 0.25 }),
  b2: ad.zeros([1]),
};

// Mean squared error of the network's prediction.
const mse = (p: Params) => {
  const h = ad.tanh(ad.add(ad.matmul(x, p.w1), p.b1));
  return ad.mean(ad.square(ad.sub(ad.add(ad.matmul(h, p.w2), p.b2), y)));
};

const step = ad.valueAndGrad(mse);
const lr = 0.2;
for (let i = 0; i <= 1000; i++) {
  const [loss, g] = step(params);
  if (i % 100 === 0) console.log(`step ${String(i).padStart(4)}  mse ${loss.item().toFixed(5)}`);
  // Plain gradient descent on every leaf of the parameter tree.
  const grads = ad.treeLeaves(g);
  params = ad.treeMap(params, (p, k) => ad.sub(p, ad.mul(grads[k], lr)));
}
console.log("(the noise variance is 0.0025)");
