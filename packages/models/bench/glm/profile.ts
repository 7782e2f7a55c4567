/**
 * Where the time of one `glm({ family }).fit({ formula, data })` goes, on the thread
 * count GEOML_THREADS gives: each phase timed on its own, ROUNDS times (default 5),
 * medians printed in milliseconds. The phases are the ones a fit runs, in order: the
 * design from the formula, the family's check of y, the subsample start, the set-up
 * of the passes (the row kernel's flag from y; the JavaScript kernel's tables from y
 * when the passes run it), the first full-data pass (η, μ and working values with
 * exp/log, deviance and its part in y alone, score, the row columns' first use), one full
 * IRLS pass (the same with the cross-product in place of the score), the
 * p×p solve, and the whole fit for comparison (whose count of passes is printed).
 *
 *   GEOML_THREADS=1 npx tsx bench/glm/profile.ts <prefix> <n> <logit|poisson>
 *
 * The data files `<prefix>.*.f64` are written first when missing, and then removed at the end.
 */

import { float64Family } from "../../src/glm/family.js";
import { fitProblem, prepare } from "../../src/glm/glm.js";
import { subsampleStart } from "../../src/glm/irls.js";
import { irlsPass } from "../../src/glm/irls-pass.js";
import { glm } from "../../src/index.js";
import { cholesky, choleskySolve } from "../../src/linalg/cholesky.js";
import { dropSpare } from "../../src/linalg/design-memory.js";
import { FEATURES, readColumns, readResponse, writeProblem } from "./data.js";

const [prefix, nText, which] = process.argv.slice(2);
const n = Number(nText);
process.on("exit", writeProblem(prefix, n));
const rounds = Number(process.env.ROUNDS ?? 5);
const data: Record<string, Float64Array> = {
  ...readColumns(prefix, n),
  y: readResponse(prefix, which as "logit" | "poisson", n),
};
const formula = `y ~ ${Array.from({ length: FEATURES }, (_, j) => `x${j + 1}`).join(" + ")}`;
const model = glm({ family: which === "logit" ? "binomial" : "poisson" });
const fam = float64Family(model.family);

// CPU time of the process (all threads) as well as wall time: on a shared machine the
// wall clock also counts waiting for a core
const times: Record<string, number[]> = {};
const cpuTimes: Record<string, number[]> = {};
const time = <T>(name: string, f: () => T): T => {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = f();
  const c = process.cpuUsage(c0);
  (times[name] ??= []).push(performance.now() - t0);
  (cpuTimes[name] ??= []).push((c.user + c.system) / 1000);
  return out;
};
let passes = 0;
let iterations = 0;
for (let r = 0; r < rounds; r++) {
  // every round as a first fit: the design in fresh memory, not in the memory the
  // previous round's fit released (the benchmark's "next fit" column times that)
  dropSpare();
  const prob = time("design from the formula", () => prepare({ formula, data }));
  time("family.validate(y, w)", () => model.family.validate(prob.y, prob.w));
  const start = time("subsample start (20,000 rows)", () => subsampleStart(fam, prob, {}));
  if (!start) throw new Error("no subsample start");
  const kernel = model.family.rowKernel;
  if (!kernel) throw new Error("no fused kernel");
  const pass = time("pass set-up (y's flag, tables)", () =>
    irlsPass(kernel, prob.x, prob.n, prob.p, prob.y, prob.w, prob.offset),
  );
  time("first pass (score only)", () => pass(start.beta, true));
  const res = time("one full-data pass", () => pass(start.beta));
  const cross = res.cross;
  if (!cross) throw new Error("no cross-product");
  time("p×p solve", () => {
    const p = prob.p;
    const a = new Float64Array(p * p);
    for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) a[j * p + k] = cross[j * (p + 1) + k];
    return choleskySolve(cholesky(a, p), a.subarray(0, p));
  });
  const fit = time("whole glm().fit", () => model.fit({ formula, data }));
  iterations = fit.iterations;
  // the start's score pass, then one full pass per iteration but the first (the score
  // pass feeds it) and the last (no confirming pass)
  passes = iterations - 1;
  void fitProblem;
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(
  `${which}, ${n} rows, GEOML_THREADS=${process.env.GEOML_THREADS ?? "(unset)"}, ${rounds} rounds, medians:`,
);
console.log(`  ${"phase".padEnd(32)} ${"wall ms".padStart(8)} ${"cpu ms".padStart(8)}`);
for (const [k, v] of Object.entries(times))
  console.log(
    `  ${k.padEnd(32)} ${median(v).toFixed(1).padStart(8)} ${median(cpuTimes[k]).toFixed(1).padStart(8)}`,
  );
const m = (k: string) => median(cpuTimes[k]);
const accounted =
  m("design from the formula") +
  m("family.validate(y, w)") +
  m("subsample start (20,000 rows)") +
  m("pass set-up (y's flag, tables)") +
  m("first pass (score only)") +
  passes * m("one full-data pass") +
  iterations * m("p×p solve");
console.log(
  `  ${iterations} iterations, ${passes} full passes after the score pass; design + validate + start + pass set-up + score pass + full passes + solves = ${accounted.toFixed(1)} cpu ms; the rest of the fit (final statistics, separation check) ≈ ${(m("whole glm().fit") - accounted).toFixed(1)} cpu ms`,
);
// for bench/glm.bench.ts, which tabulates both models
console.log(
  `PHASES ${JSON.stringify({
    cpu: Object.fromEntries(Object.keys(cpuTimes).map((k) => [k, m(k)])),
    passes,
    accounted,
  })}`,
);
