// @jax-js/jax on its WebAssembly device: the same network, one jitted Adam step per minibatch.
import { defaultDevice, init, jit, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { benchData, INPUTS, report, runnerArgs } from "./data.js";

const { rows, batch, epochs } = runnerArgs();
await init("wasm");
defaultDevice("wasm");

type Params = {
  w1: np.Array;
  b1: np.Array;
  w2: np.Array;
  b2: np.Array;
  w3: np.Array;
  b3: np.Array;
};
const names = ["w1", "b1", "w2", "b2", "w3", "b3"] as const;

// Glorot-uniform weights from a fixed generator; exact values do not matter for timing.
let s = 12345;
const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
const dense = (a: number, b: number) =>
  np
    .array(Float32Array.from({ length: a * b }, () => rand() * Math.sqrt(6 / (a + b))))
    .reshape([a, b]);
const zerosF = (shape: number[]) => np.zeros(shape, { dtype: np.float32 });
const fresh = (): Params => ({
  w1: dense(INPUTS, 64),
  b1: zerosF([64]),
  w2: dense(64, 64),
  b2: zerosF([64]),
  w3: dense(64, 1),
  b3: zerosF([1]),
});

function loss(p: Params, x: np.Array, y: np.Array): np.Array {
  const h1 = np.tanh(np.matmul(x, p.w1).add(p.b1));
  const h2 = np.tanh(np.matmul(h1, p.w2).add(p.b2));
  const out = np.matmul(h2, p.w3).add(p.b3).reshape([-1]);
  return np.square(out.sub(y)).mean().mul(0.5);
}

const b1 = 0.9;
const b2 = 0.999;
const step = jit((p: Params, m: Params, v: Params, x: np.Array, y: np.Array, lrT: np.Array) => {
  const [value, g] = valueAndGrad(loss)(tree.ref(p), x, y);
  const np2 = {} as Params;
  const nm = {} as Params;
  const nv = {} as Params;
  for (const k of names) {
    const gk = g[k];
    nm[k] = m[k].mul(b1).add(gk.ref.mul(1 - b1));
    nv[k] = v[k].mul(b2).add(np.square(gk).mul(1 - b2));
    np2[k] = p[k].sub(nm[k].ref.mul(lrT.ref).div(np.sqrt(nv[k].ref).add(1e-8)));
  }
  lrT.dispose();
  return [np2, nm, nv, value] as [Params, Params, Params, np.Array];
});

const { x, y } = benchData(rows);
let params = fresh();
const zero = (): Params => ({
  w1: zerosF([INPUTS, 64]),
  b1: zerosF([64]),
  w2: zerosF([64, 64]),
  b2: zerosF([64]),
  w3: zerosF([64, 1]),
  b3: zerosF([1]),
});
let m = zero();
let v = zero();
let t = 0;
let order = new Int32Array(rows).map((_, i) => i);
let lastLoss = 0;

function runEpoch(limit = rows): void {
  // Fisher–Yates shuffle with the same fixed generator.
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(((rand() + 1) / 2) * (i + 1)) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  let sum = 0;
  for (let start = 0; start < limit; start += batch) {
    const count = Math.min(batch, limit - start);
    const xb = new Float32Array(count * INPUTS);
    const yb = new Float32Array(count);
    for (let k = 0; k < count; k++) {
      const r = order[start + k];
      xb.set(x.subarray(r * INPUTS, (r + 1) * INPUTS), k * INPUTS);
      yb[k] = y[r];
    }
    t++;
    const lrT = (1e-3 * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    const out = step(
      params,
      m,
      v,
      np.array(xb).reshape([count, INPUTS]),
      np.array(yb),
      np.array(lrT),
    );
    [params, m, v] = out;
    sum += out[3].item() * count;
  }
  lastLoss = sum / limit;
}

runEpoch(rows); // warm-up: compile the step, one epoch over the data as every runner does
order = new Int32Array(rows).map((_, i) => i);
const times: number[] = [];
for (let e = 0; e < epochs; e++) {
  const t0 = performance.now();
  runEpoch();
  times.push((performance.now() - t0) / 1000);
}
report(times, lastLoss);
