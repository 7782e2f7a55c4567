import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type BatchProgress, batchFit, batchPredict, queueExecutor } from "@geoml/batch";
import type { Command } from "../command.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { progressBar } from "../progress.js";

const HELP = `Usage: geoml batch fit --files "DIR/*.nc" --var NAME --formula "NAME ~ ..." --out OUT.nc|OUT.zarr|OUT.tif [options]
       geoml batch predict --model M.json --files "DIR/*.nc" --out PRED.nc|PRED.zarr|PRED.tif [options]

Fit a GLM to every grid cell along time, over an archive of files joined as one dataset
(ordered by their times; grids, variables and calendars checked to agree). The inputs may
be NetCDF files or Zarr stores ("DIR/*.zarr"). In the formula:
the variable, t (decimal years since the first step), year, month (1-12), doy, other
variables on the same grid, and pi. Each cell uses its own valid steps; cells with too
few steps or a singular design get NaN, with nobs saying how many steps they had.

Writes coef and se (term, ...grid), nobs, deviance and scale to OUT.nc (CF NetCDF) or
OUT.zarr (a Zarr store, v3 unless --zarr-format 2), term holding the column labels, or the
coefficients to OUT.tif (one band per term). The output appears whole or not at all. The
run is resumable: parts go to OUT.parts/ and the same command after a crash redoes only
the unfinished chunks.

'batch predict' applies a model saved by 'geoml fit --save' (any kind 'geoml predict'
loads that gives one value per row) to every cell and step, with the same column names (t, year, month, doy, pi,
the grid's coordinates and variables); PRED.nc and PRED.zarr hold 'prediction' on the
input grid with its time coordinate, PRED.tif one band per step described by its date.
Resumable like 'batch fit'.

Options:
  --files GLOB       input files (a glob in quotes, or one path)
  --model FILE       (predict) model written by 'geoml fit --save'
  --type SCALE       (predict) response (default) or link
  --var NAME         the gridded variable (default: the formula's / model's left side)
  --along DIM        dimension to fit along (default time)
  --formula TEXT     e.g. "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)"
  --family NAME      gaussian (default), poisson, binomial, gamma, inverse_gaussian, ...
  --link NAME        link (default: the family's canonical link)
  --out FILE         OUT.nc, OUT.zarr or OUT.tif
  --zarr-format N    Zarr format of a .zarr output: 3 (default) or 2 (xarray with zarr-python 2)
  --chunk-cells K    about K cells per chunk, whole rows (default 65536); sets memory use
  --workers N        worker threads on this machine (default 1)
  --queue URL        run chunks on 'geoml worker' processes through Redis
                     (redis://[:password@]HOST:PORT or rediss://... for TLS)
  -h, --help         show this help

Progress goes to standard error (a bar on a terminal, plain lines otherwise).
Exit status: 0 on success, 1 when the data or model fails, 2 on wrong usage.
`;

function zarrFormat(v: unknown): { zarrFormat?: 2 | 3 } {
  if (v === undefined) return {};
  if (v === "2" || v === "3") return { zarrFormat: Number(v) as 2 | 3 };
  throw new CliError("USAGE", `--zarr-format: expected 2 or 3, got "${String(v)}"`);
}

function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n) || n < 1)
    throw new CliError("USAGE", `--${flag}: expected a positive integer, got "${String(v)}"`);
  return n;
}

/** Progress on a terminal as a bar; otherwise one plain line per finished chunk. */
function reporter(
  io: CommandIO,
  label = "batch fit",
): { update(p: BatchProgress): void; done(): void } {
  let bar: ReturnType<typeof progressBar> | undefined;
  let last = 0;
  return {
    update(p) {
      if (io.errIsTTY) {
        bar ??= progressBar(io, label, p.total);
        if (p.done > last) bar.tick(p.done - last, `${p.done}/${p.total} chunks`);
      } else if (p.done === 0 || p.done > last) {
        const resumed = p.resumed > 0 ? ` (${p.resumed} from an earlier run)` : "";
        io.err(`${label}: ${p.done}/${p.total} chunks done${resumed}\n`);
      }
      last = p.done;
    },
    done() {
      bar?.done();
    },
  };
}

/** Errors with a code (data, model, queue) print as one line with status 1. */
async function oneLine(io: CommandIO, name: string, step: () => Promise<number>): Promise<number> {
  try {
    return await step();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (error instanceof Error && typeof code === "string" && code !== "USAGE") {
      io.err(`geoml ${name}: ${error.message.split("\n")[0]}\n`);
      return 1;
    }
    throw error;
  }
}

/** Flags every `geoml batch` subcommand takes besides its own. */
const SHARED_FLAGS = ["out", "zarr-format", "chunk-cells", "workers", "queue"];

/** Parses a subcommand's string flags (its own and the shared ones); a mistake is a usage error. */
function parseBatchArgs(
  args: string[],
  own: readonly string[],
): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(
    [...own, ...SHARED_FLAGS].map((name) => [name, { type: "string" as const }]),
  );
  try {
    return parseArgs({ args, options, strict: true }).values;
  } catch (error) {
    throw new CliError("USAGE", error instanceof Error ? error.message : String(error));
  }
}

async function predictCommand(args: string[], io: CommandIO): Promise<number> {
  const values = parseBatchArgs(args, ["model", "files", "var", "along", "type"]);
  if (typeof values.model !== "string") throw new CliError("USAGE", "--model M.json is required");
  if (typeof values.files !== "string")
    throw new CliError("USAGE", '--files "DIR/*.nc" is required');
  if (typeof values.out !== "string") throw new CliError("USAGE", "--out PRED.nc is required");
  const type = values.type ?? "response";
  if (type !== "response" && type !== "link")
    throw new CliError("USAGE", `--type: expected "response" or "link", got "${String(type)}"`);
  const workers = positiveInt(values.workers, "workers");
  const chunkCells = positiveInt(values["chunk-cells"], "chunk-cells");
  const zarr = zarrFormat(values["zarr-format"]);
  const queue = values.queue as string | undefined;
  if (queue !== undefined && workers !== undefined)
    throw new CliError(
      "USAGE",
      "--workers and --queue do not go together (workers serve the queue)",
    );
  let model: string;
  try {
    model = readFileSync(values.model as string, "utf8");
  } catch (e) {
    throw new CliError("IO_ERROR", `cannot read: ${(e as Error).message}`, {
      file: values.model as string,
    });
  }
  const progress = reporter(io, "batch predict");
  return oneLine(io, "batch predict", async () => {
    try {
      const report = await batchPredict({
        model,
        files: values.files as string,
        variable: values.var as string | undefined,
        along: values.along as string | undefined,
        type,
        out: values.out as string,
        ...zarr,
        chunkCells,
        workers,
        ...(queue !== undefined ? { executor: queueExecutor(queue) } : {}),
        onProgress: (p) => progress.update(p),
      });
      progress.done();
      io.out(`wrote ${report.out} (${report.chunks} chunk${report.chunks === 1 ? "" : "s"})\n`);
      return 0;
    } finally {
      progress.done();
    }
  });
}

async function fitCommand(args: string[], io: CommandIO): Promise<number> {
  const values = parseBatchArgs(args, ["files", "var", "along", "formula", "family", "link"]);
  if (typeof values.files !== "string")
    throw new CliError("USAGE", '--files "DIR/*.nc" is required');
  if (typeof values.formula !== "string") throw new CliError("USAGE", "--formula is required");
  if (typeof values.out !== "string") throw new CliError("USAGE", "--out OUT.nc is required");
  const workers = positiveInt(values.workers, "workers");
  const chunkCells = positiveInt(values["chunk-cells"], "chunk-cells");
  const zarr = zarrFormat(values["zarr-format"]);
  const queue = values.queue as string | undefined;
  if (queue !== undefined && workers !== undefined)
    throw new CliError(
      "USAGE",
      "--workers and --queue do not go together (workers serve the queue)",
    );
  const progress = reporter(io);
  return oneLine(io, "batch fit", async () => {
    try {
      const report = await batchFit({
        files: values.files as string,
        variable: values.var as string | undefined,
        along: values.along as string | undefined,
        formula: values.formula as string,
        family: values.family as string | undefined,
        link: values.link as string | undefined,
        out: values.out as string,
        ...zarr,
        chunkCells,
        workers,
        ...(queue !== undefined
          ? {
              executor: queueExecutor(queue, {
                onEvent: (e, chunk) => {
                  if (!io.errIsTTY && (e === "stalled" || e === "failed"))
                    io.err(`batch fit: chunk ${chunk} ${e}, retried by another worker\n`);
                },
              }),
            }
          : {}),
        onProgress: (p) => progress.update(p),
      });
      progress.done();
      io.out(`wrote ${report.out} (${report.chunks} chunk${report.chunks === 1 ? "" : "s"})\n`);
      return 0;
    } finally {
      progress.done();
    }
  });
}

/** `geoml batch fit ...`: per-cell fits over many files. */
export const batch: Command = {
  name: "batch",
  summary: "fit a model per grid cell, or apply one, over many files (resumable; threads or Redis)",
  help: HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === "fit") return fitCommand(rest, io);
    if (sub === "predict") return predictCommand(rest, io);
    throw new CliError("USAGE", `expected 'batch fit' or 'batch predict', got '${sub ?? ""}'`);
  },
};

export { oneLine };
