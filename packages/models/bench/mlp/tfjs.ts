// TensorFlow.js with its WebAssembly backend: Sequential 8 → 64 → 64 → 1 tanh, Adam, model.fit.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { benchData, INPUTS, report, runnerArgs } from "./data.js";

const { rows, batch, epochs } = runnerArgs();
const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve("@tensorflow/tfjs-backend-wasm"))}/`);
await tf.setBackend("wasm");
await tf.ready();
if (tf.getBackend() !== "wasm")
  throw new Error(`expected the wasm backend, got ${tf.getBackend()}`);

const { x, y } = benchData(rows);
const xs = tf.tensor2d(x, [rows, INPUTS]);
const ys = tf.tensor2d(y, [rows, 1]);
const model = tf.sequential({
  layers: [
    tf.layers.dense({ inputShape: [INPUTS], units: 64, activation: "tanh" }),
    tf.layers.dense({ units: 64, activation: "tanh" }),
    tf.layers.dense({ units: 1 }),
  ],
});
model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
// Warm-up: one epoch over the data before timing, as every runner does.
await model.fit(xs, ys, {
  batchSize: batch,
  epochs: 1,
  shuffle: true,
  verbose: 0,
});
const times: number[] = [];
let t0 = performance.now();
const h = await model.fit(xs, ys, {
  batchSize: batch,
  epochs,
  shuffle: true,
  verbose: 0,
  callbacks: {
    onEpochEnd: async () => {
      const t = performance.now();
      times.push((t - t0) / 1000);
      t0 = t;
    },
  },
});
report(times, (h.history.loss as number[]).at(-1)! / 2);
