/**
 * One timed geoml fit of the binomial REML problem of binomial.bench.ts in its own process:
 * `tsx binomial-fit.ts <csv> [formula] [weights]` prints one JSON line (the clock covers gam() only).
 */
import { readFileSync } from "node:fs";
import { binomial } from "@geoml/losses";
import { gam } from "../../src/gam/index.js";

const [head, ...lines] = readFileSync(process.argv[2], "utf8").trim().split("\n");
const names = head.split(",");
const data: Record<string, Float64Array> = {};
for (const k of names) data[k] = new Float64Array(lines.length);
lines.forEach((l, i) => {
  l.split(",").forEach((v, j) => {
    data[names[j]][i] = Number(v);
  });
});
const [, , , formula = "warm ~ s(lat) + te(lon, lat)", weights = "coslat"] = process.argv;
const fitTo = (d: Record<string, Float64Array>) =>
  gam(formula, d, { family: binomial(), method: "REML", weights });
// warm-up outside the clock (JIT, wasm kernels): the same model on every 4th row, as
// binomial-mgcv.R warms up R's lazily loaded code
fitTo(
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.filter((_, i) => i % 4 === 0)])),
);
const t0 = performance.now();
const fit = fitTo(data);
const seconds = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    seconds,
    score: fit.score,
    edfTotal: fit.edfTotal,
    sp: Object.values(fit.sp),
    iterations: fit.iterations,
    converged: fit.converged,
  }),
);
