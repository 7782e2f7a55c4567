import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_USAGE, DemoUsageError, parseDemoArgs, userFolder } from "./args.js";
import { formatTable, runDemo, scoreTables } from "./demo.js";
import { epochProgress } from "./progress.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const cwd = userFolder(root);

let args: ReturnType<typeof parseDemoArgs>;
try {
  args = parseDemoArgs(
    process.argv.slice(2),
    { out: join(root, "out/sst-demo"), datasets: join(root, "datasets") },
    cwd,
  );
  if (args.data) {
    if (!existsSync(args.data.file) || !statSync(args.data.file).isFile()) {
      throw new DemoUsageError(`--data ${args.data.file}: expected a NetCDF file, found none`);
    }
  } else {
    for (const file of ["netcdf/sstdata_netcdf.nc", "netcdf/landsea.nc"]) {
      if (!existsSync(join(args.datasets, file))) {
        throw new DemoUsageError(`--datasets ${args.datasets}: ${file} is not there`);
      }
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
const progress = epochProgress(process.stderr);
try {
  const summary = await runDemo({
    datasets: args.datasets,
    out: args.out,
    ...(args.data ? { data: args.data } : {}),
    epochs: args.epochs,
    seed: args.seed,
    log: (line) => progress.line(line),
    onEpoch: (task, epoch, epochs, loss) => progress.epoch(task, epoch, epochs, loss),
  });
  progress.stop();
  console.log("");
  console.log(
    `Held-out scores on ${summary.split.heldBlocks} whole ${summary.split.blockDegrees}° blocks (${summary.rows.test} rows), area-weighted:`,
  );
  for (const t of scoreTables(summary)) console.log(`\n${formatTable(t)}`);
  for (const n of summary.notes) console.log(`\nNote: ${n}`);
  console.log(`\nWrote ${summary.files.length} files; open ${join(args.out, "report.html")}`);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  progress.stop();
  console.error(`sst-demo: ${error instanceof Error ? error.message : String(error)}`);
  // A flag that names something unusable (--var missing from the file) is a usage error.
  process.exit(error instanceof DemoUsageError ? 2 : 1);
}
