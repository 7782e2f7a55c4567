// @geoml/models: the same network trained by mlp().fit in float32 with Adam.
import { tensor } from "@geoml/autodiff";
import { type MlpSpec, mlp } from "../../src/mlp/index.js";
import { benchData, INPUTS, report, runnerArgs } from "./data.js";

const { rows, batch, epochs } = runnerArgs();
const { x, y } = benchData(rows);
const X = tensor(x, { shape: [rows, INPUTS] });
const spec: MlpSpec = { hidden: [64, 64], activation: "tanh", dtype: "float32", seed: 0 };

// Warm-up: one epoch over the data before timing, as every runner does, so that V8 has
// optimised the code on every thread (a worker's share of a batch too) first. The timed
// fit goes on from the weights it reached (with a fresh Adam state), as the peers go on
// training their model.
const warm = mlp(spec);
warm.fit(X, y, { epochs: 1, batchSize: batch, lr: 1e-3 });

const times: number[] = [];
// CPU time of the whole process (every thread) per epoch, beside the wall time
const cpu: number[] = [];
let c0 = process.cpuUsage();
let t0 = performance.now();
const history = mlp(spec).fit(X, y, {
  initialParams: warm.params!,
  epochs,
  batchSize: batch,
  lr: 1e-3,
  onEpoch: () => {
    const t = performance.now();
    times.push((t - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    c0 = process.cpuUsage();
    t0 = t;
    return undefined;
  },
});
// The Gaussian loss keeps its ½·log 2π constant; peers report ½·MSE.
report(times, history.loss.at(-1)! - 0.5 * Math.log(2 * Math.PI), cpu);
