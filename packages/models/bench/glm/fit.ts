/**
 * One timed geoml fit, run in its own process so its peak memory is its own:
 * `tsx fit.ts <prefix> <n> <logit|poisson>` prints one JSON line.
 */
import { fitProblem, glm } from "../../src/glm/glm.js";
import { FEATURES, readDesign, readResponse } from "./data.js";

const [prefix, nText, which] = process.argv.slice(2);
const n = Number(nText);
const x = readDesign(prefix, n);
const y = readResponse(prefix, which as "logit" | "poisson", n);
const names = ["Intercept", ...Array.from({ length: FEATURES }, (_, j) => `x${j + 1}`)];
const model = glm({ family: which === "logit" ? "binomial" : "poisson" });
const t0 = performance.now();
const c0 = process.cpuUsage();
const fit = fitProblem(model, {
  x,
  n,
  p: FEATURES + 1,
  names,
  y,
  w: new Float64Array(n).fill(1),
  offset: null,
  response: "y",
  design: { kind: "matrix", names },
});
const seconds = (performance.now() - t0) / 1000;
// process-wide: includes the worker threads of the cross-product
const cpu = process.cpuUsage(c0);
console.log(
  JSON.stringify({
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakMiB: process.resourceUsage().maxRSS / 1024,
    iterations: fit.iterations,
    deviance: fit.deviance,
    params: Array.from(fit.params),
  }),
);
