import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runDemo } from "./demo.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const { values } = parseArgs({
  options: {
    out: { type: "string", default: join(root, "out/sst-demo") },
    datasets: { type: "string", default: join(root, "datasets") },
    epochs: { type: "string", default: "25" },
    seed: { type: "string", default: "2024" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`Usage: pnpm demo [--out DIR] [--datasets DIR] [--epochs N] [--seed S]

Fits a Gaussian GLM and an MLP to the monthly SST climatology shipped in datasets/,
a Bernoulli GLM to its warm pool (SST ≥ 26.5 °C), and writes predictions.nc,
summary.json and report.html (maps and learning curves) to --out.`);
  process.exit(0);
}

const started = Date.now();
try {
  const summary = await runDemo({
    datasets: values.datasets,
    out: values.out,
    epochs: Number(values.epochs),
    seed: Number(values.seed),
    log: (line) => console.log(line),
  });
  const fmt = (m: { rmse: number; r2: number }) =>
    `RMSE ${m.rmse.toFixed(3)} °C, R² ${m.r2.toFixed(4)}`;
  console.log("");
  console.log(`Held-out ocean cells (${summary.rows.test}), area-weighted:`);
  console.log(`  Gaussian GLM  ${fmt(summary.sst.glm)}`);
  console.log(`  MLP           ${fmt(summary.sst.mlp)}`);
  console.log(
    `  Warm pool GLM accuracy ${(summary.warmPool.testAccuracy * 100).toFixed(1)}%, Brier ${summary.warmPool.testBrier.toFixed(4)}`,
  );
  console.log(`\nWrote ${summary.files.length} files; open ${join(values.out, "report.html")}`);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  console.error(`sst-demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
