import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from "./args.js";
import { runDemo } from "./demo.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
// pnpm runs scripts from the repository root; INIT_CWD is where the user typed the command.
const cwd = process.env.INIT_CWD ?? process.cwd();

let args: ReturnType<typeof parseDemoArgs>;
try {
  args = parseDemoArgs(
    process.argv.slice(2),
    { out: join(root, "out/sst-demo"), datasets: join(root, "datasets") },
    cwd,
  );
  for (const file of ["netcdf/sstdata_netcdf.nc", "netcdf/landsea.nc"]) {
    if (!existsSync(join(args.datasets, file))) {
      throw new DemoUsageError(`--datasets ${args.datasets}: ${file} is not there`);
    }
  }
} catch (error) {
  console.error(`sst-demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
if (args.help) {
  console.log(DEMO_USAGE);
  process.exit(0);
}

const started = Date.now();
try {
  const summary = await runDemo({
    datasets: args.datasets,
    out: args.out,
    epochs: args.epochs,
    seed: args.seed,
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
  console.log(`\nWrote ${summary.files.length} files; open ${join(args.out, "report.html")}`);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  console.error(`sst-demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
