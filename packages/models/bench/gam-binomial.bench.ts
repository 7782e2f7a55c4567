/**
 * Binomial GAM benchmark: REML smoothness selection for a Bernoulli response with a
 * tensor product, `warm ~ s(lat) + te(lon, lat)` (warm water, SST ≥ 26.5 °C, weighted by
 * cos latitude) on datasets/csv/sst_cells.csv (10,648 rows), fitted by geoml and by R's
 * mgcv `gam(..., family = binomial(), method = "REML")`, each in its own process, in turns
 * (REPEATS, default 3; the order reversed every other round), medians reported, one BLAS
 * thread for R. The clocks cover the fit only (not start-up, reading the CSV or a warm-up
 * fit on every 4th row). The default problem's table is printed between
 * `<!-- bench:models/gam-binomial -->` lines for docs/benchmarks.md. Other problems in the same form: `npx tsx bench/gam-binomial.bench.ts
 * FILE.csv "FORMULA" WEIGHTS`.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inTurns, median } from "./rounds.js";

const here = dirname(fileURLToPath(import.meta.url));
const ownProblem = process.argv.length > 2;
const csv = process.argv[2] ?? join(here, "../../../datasets/csv/sst_cells.csv");
const formula = process.argv[3] ?? "warm ~ s(lat) + te(lon, lat)";
const weights = process.argv[4] ?? "coslat";
const repeats = Math.max(1, Number(process.env.REPEATS ?? 3));

interface Run {
  seconds: number;
  score: number;
  edfTotal: number;
  sp: number[];
  iterations: number;
  converged: boolean;
}
// one BLAS/OpenMP thread for R, and geoml on one thread too
const env: NodeJS.ProcessEnv = { ...process.env, GEOML_THREADS: "1" };
for (const v of ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]) env[v] = "1";
const run = (cmd: string, args: string[]): Run =>
  JSON.parse(
    (execFileSync(cmd, args, { encoding: "utf8", env, maxBuffer: 1 << 24 })
      .trim()
      .split("\n")
      .pop() ?? "") as string,
  ) as Run;
const contenders: [string, () => Run][] = [
  [
    "geoml gam REML",
    () =>
      run(process.execPath, [
        "--import",
        "tsx",
        join(here, "gam", "binomial-fit.ts"),
        csv,
        formula,
        weights,
      ]),
  ],
  [
    "mgcv gam REML",
    () => run("Rscript", [join(here, "gam", "binomial-mgcv.R"), csv, formula, weights]),
  ],
];
const { runs, loadBefore, loadAfter } = inTurns(contenders, repeats);
const rVersion = execFileSync(
  "Rscript",
  ["-e", 'cat(R.version.string, "mgcv", as.character(packageVersion("mgcv")))'],
  { encoding: "utf8" },
);
// the default problem's table as docs/benchmarks.md shows it (`pnpm bench` puts it there)
if (!ownProblem) console.log("<!-- bench:models/gam-binomial -->");
console.log(
  `\`cd packages/models && npx tsx bench/gam-binomial.bench.ts\`: \`${formula}\`, binomial, REML, ${ownProblem ? csv : "datasets/csv/sst_cells.csv"}; ${repeats} run${repeats === 1 ? "" : "s"} of each fitter in turns, one thread each; ` +
    `node ${process.version}, ${rVersion}, ${cpus().length} × ${cpus()[0]?.model}; load average ${loadBefore} before, ${loadAfter} after.\n`,
);
const ours = median(runs[0].map((x) => x.seconds));
console.log(
  "| fitter | wall s: median (range) | time ÷ geoml | REML score | edf total | Newton steps | converged |",
);
console.log("|---|---|---|---|---|---|---|");
contenders.forEach(([name], c) => {
  const w = runs[c].map((x) => x.seconds);
  const r0 = runs[c][0];
  console.log(
    `| ${name} | ${median(w).toFixed(2)} (${Math.min(...w).toFixed(2)}–${Math.max(...w).toFixed(2)}) | ${(median(w) / ours).toFixed(2)} | ${r0.score.toFixed(4)} | ${r0.edfTotal.toFixed(3)} | ${r0.iterations} | ${r0.converged} |`,
  );
});
const [g, m] = [runs[0][0], runs[1][0]];
console.log(
  `\nREML scores agree to ${(Math.abs(g.score - m.score) / Math.abs(m.score)).toExponential(1)} relative, total edf to ${(Math.abs(g.edfTotal - m.edfTotal) / m.edfTotal).toExponential(1)}.`,
);
if (!ownProblem) console.log("<!-- /bench:models/gam-binomial -->");
