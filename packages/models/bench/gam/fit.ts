/**
 * One timed geoml GAM fit in its own process (so its peak memory is its own):
 * `tsx fit.ts <prefix> <n> <threads>` prints one JSON line. The data file `<prefix>.f64`
 * is written first when missing (outside the clock), and then removed at the end.
 */
import { gam } from "../../src/gam/index.js";
import { setThreads } from "../../src/linalg/index.js";
import { readProblem, writeProblem } from "./data.js";

const [prefix, nText, threads] = process.argv.slice(2);
const n = Number(nText);
process.on("exit", writeProblem(prefix, n));
const data = readProblem(prefix, n);
setThreads(Number(threads));
const formula = 'y ~ s(x1, bs="cr", k=20) + s(x2, bs="cr", k=20) + s(x3, bs="cr", k=20)';
// warm-up outside the clock (JIT, wasm kernels, worker start-up): the same model on the
// first 5,000 rows, as mgcv.R warms up R's lazily loaded code
const head = Math.min(n, 5000);
gam(formula, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.subarray(0, head)])), {
  method: "REML",
});
const t0 = performance.now();
const c0 = process.cpuUsage();
const fit = gam(formula, data, { method: "REML" });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakMiB: process.resourceUsage().maxRSS / 1024,
    edf: Object.values(fit.edf),
    score: fit.score,
  }),
);
