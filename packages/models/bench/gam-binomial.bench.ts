/**
 * Binomial GAM benchmark: REML smoothness selection for a Bernoulli response with a
 * tensor product, `warm ~ s(lat) + te(lon, lat)` (warm water, SST ≥ 26.5 °C, weighted by
 * cos latitude) on datasets/csv/sst_cells.csv (10,648 rows), fitted by geoml and by R's
 * mgcv `gam(..., family = binomial(), method = "REML")`, each in its own process, in turns
 * (REPEATS, default 3), medians reported. The clocks cover the fit only (not start-up or
 * reading the CSV). Other problems in the same form: `npx tsx bench/gam-binomial.bench.ts
 * FILE.csv "FORMULA" WEIGHTS`.
 */
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
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
const run = (cmd: string, args: string[]): Run =>
  JSON.parse(
    (execFileSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 24 })
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
const runs: Run[][] = contenders.map(() => []);
for (let r = 0; r < repeats; r++)
  contenders.forEach(([, fit], c) => {
    runs[c].push(fit());
  });
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const rVersion = execFileSync(
  "Rscript",
  ["-e", 'cat(R.version.string, "mgcv", as.character(packageVersion("mgcv")))'],
  { encoding: "utf8" },
);
console.log(`node ${process.version}; ${rVersion}; ${cpus().length} cores (${cpus()[0].model})`);
console.log(`\n${formula}, binomial, REML, ${csv}; ${repeats} run(s) each\n`);
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
