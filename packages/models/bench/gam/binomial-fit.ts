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
const t0 = performance.now();
const [, , , formula = "warm ~ s(lat) + te(lon, lat)", weights = "coslat"] = process.argv;
const fit = gam(formula, data, {
  family: binomial(),
  method: "REML",
  weights,
});
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
