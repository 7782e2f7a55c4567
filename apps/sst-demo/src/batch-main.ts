import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DemoUsageError, parseDemoArgs, userFolder } from "./args.js";
import { runBatch } from "./batch.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const cwd = userFolder(root);

let args: ReturnType<typeof parseDemoArgs>;
try {
  // Same --out, --datasets and --seed as the demo; the rest is refused by name.
  args = parseDemoArgs(
    process.argv.slice(2),
    { out: join(root, "out/sst-demo"), datasets: join(root, "datasets") },
    cwd,
  );
  if (args.data)
    throw new DemoUsageError("--data: demo:batch builds its archive from the shipped climatology");
  if (!existsSync(join(args.datasets, "netcdf/sstdata_netcdf.nc"))) {
    throw new DemoUsageError(`--datasets ${args.datasets}: netcdf/sstdata_netcdf.nc is not there`);
  }
} catch (error) {
  console.error(`sst-demo batch: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

try {
  const s = await runBatch({
    datasets: args.datasets,
    out: args.out,
    seed: args.seed,
    log: (line) => console.log(line),
  });
  console.log(
    `\nPer-cell trend of sst ~ t + C(month), ${s.fittedCells} ocean cells (${s.steps} steps, ${s.missingSteps} missing):`,
  );
  console.log(
    `  mean |recovered − generated| ${s.meanAbsError.toFixed(4)} °C/decade, mean SE ${s.meanSe.toFixed(4)} °C/decade`,
  );
  console.log(`  generated trend within ±1.96 SE in ${(s.coverage95 * 100).toFixed(1)}% of cells`);
  console.log(`\nOpen ${join(args.out, "batch.html")}; done in ${s.seconds.toFixed(1)} s.`);
} catch (error) {
  console.error(`sst-demo batch: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
