import { glm } from "../../src/index.js";
import { FEATURES, readColumns, readResponse } from "./data.js";

const [prefix, nText, which, roundsT] = process.argv.slice(2);
const n = Number(nText);
const data: Record<string, Float64Array> = {
  ...readColumns(prefix, n),
  y: readResponse(prefix, which as "logit" | "poisson", n),
};
const formula = `y ~ ${Array.from({ length: FEATURES }, (_, j) => `x${j + 1}`).join(" + ")}`;
const model = glm({ family: which === "logit" ? "binomial" : "poisson" });
const ts: number[] = [];
const cs: number[] = [];
for (let r = 0; r < Number(roundsT ?? 5); r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const fit = model.fit({ formula, data });
  const c = process.cpuUsage(c0);
  ts.push(performance.now() - t0);
  cs.push((c.user + c.system) / 1000);
  if (r === 0) console.log("iters", fit.iterations, fit.params.slice(0, 3));
}
console.log(
  which,
  "wall",
  ts.map((t) => t.toFixed(0)).join(" "),
  "cpu",
  cs.map((t) => t.toFixed(0)).join(" "),
);
