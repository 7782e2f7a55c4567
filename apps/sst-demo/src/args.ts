import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";

/** A command-line mistake: names the flag and what it expects. Exit status 2. */
export class DemoUsageError extends Error {
  override name = "DemoUsageError";
}

/** Options of the demo as the command line gives them, checked and resolved. */
export interface DemoArgs {
  out: string;
  datasets: string;
  epochs: number;
  seed: number;
  /** Another gridded SST file and its variable (`--data FILE.nc --var NAME`). */
  data?: { file: string; variable: string };
  help: boolean;
}

export const DEMO_USAGE = `Usage: pnpm demo [--out DIR] [--datasets DIR] [--data FILE.nc --var NAME] [--epochs N] [--seed S]

Fits a baseline, a GLM, a GAM and an MLP to three tasks (SST, warm water, thermal zones)
on the monthly SST climatology shipped in datasets/ (or another file), scores them on
held-out spatial blocks and writes predictions.nc, GeoTIFFs, summary.json and a
self-contained report.html to --out (default out/sst-demo).

  --out DIR        output folder (created when missing)
  --datasets DIR   folder holding netcdf/sstdata_netcdf.nc and netcdf/landsea.nc
  --data FILE.nc   another gridded SST (°C or K from its units; 1-D or 2-D lat/lon),
                   put on a regular 2° grid first; needs --var
  --var NAME       the SST variable of --data
  --epochs N       MLP training epochs, a positive integer (default 25)
  --seed S         seed of the train/test split and the network, an integer (default 2024)
  -h, --help       this text`;

/**
 * The folder relative paths are taken from. pnpm runs scripts from the repository root and
 * leaves the user's folder in INIT_CWD; a process started anywhere else (`tsx
 * apps/sst-demo/src/main.ts` from a copy, a script) uses its own working folder, since an
 * INIT_CWD it inherited may be stale.
 */
export function userFolder(
  root: string,
  cwd = process.cwd(),
  initCwd: string | undefined = process.env.INIT_CWD,
): string {
  return initCwd && resolve(cwd) === resolve(root) ? initCwd : cwd;
}

function integer(flag: string, text: string, min: number): number {
  const value = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    const what = min > 0 ? "a positive integer" : "an integer";
    throw new DemoUsageError(`--${flag} expects ${what}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Parses the demo's arguments before any work is done. A leading `--` (which `pnpm demo --
 * …` passes through) is accepted; relative paths are resolved from `cwd`, the folder the
 * user ran the command from.
 */
export function parseDemoArgs(
  argv: readonly string[],
  defaults: { out: string; datasets: string },
  cwd: string,
): DemoArgs {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: "string" },
        datasets: { type: "string" },
        epochs: { type: "string" },
        seed: { type: "string" },
        data: { type: "string" },
        var: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new DemoUsageError(
      `${error instanceof Error ? error.message.split("\n")[0] : String(error)}\n\n${DEMO_USAGE}`,
    );
  }
  const path = (p: string | boolean | undefined, fallback: string) =>
    typeof p === "string" ? (isAbsolute(p) ? p : resolve(cwd, p)) : fallback;
  if ((values.data === undefined) !== (values.var === undefined)) {
    throw new DemoUsageError(
      values.data === undefined
        ? "--var needs --data FILE.nc (the file holding the variable)"
        : "--data needs --var NAME (the SST variable of the file)",
    );
  }
  if (typeof values.var === "string" && values.var.trim() === "") {
    throw new DemoUsageError("--var expects a variable name, got an empty string");
  }
  return {
    ...(typeof values.data === "string"
      ? { data: { file: path(values.data, ""), variable: String(values.var) } }
      : {}),
    out: path(values.out, defaults.out),
    datasets: path(values.datasets, defaults.datasets),
    epochs: typeof values.epochs === "string" ? integer("epochs", values.epochs, 1) : 25,
    seed: typeof values.seed === "string" ? integer("seed", values.seed, -(2 ** 31)) : 2024,
    help: values.help === true,
  };
}
