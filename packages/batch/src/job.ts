/**
 * A chunk job: plain data (file paths, chunk bounds, the formula text, family and link
 * names), never code. Workers on threads or other machines parse and check it, open the
 * files themselves and send back the part bytes.
 */
import { openMfDataset } from "@geoml/io";
import { BatchError } from "./errors.js";
import { fitChunk } from "./fit-chunk.js";
import { datasetSource, type GridSource } from "./grid-source.js";
import { type CellModel, type FitSpec, prepareModel } from "./model.js";
import { encodePart, fitArrays } from "./parts.js";
import { openPredict, type PredictRun, predictRange } from "./predict-along.js";
import { timeFeatures } from "./time-features.js";

/** The job format version; a worker refuses any other. */
export const JOB_VERSION = 1;

/** One chunk of a per-cell fit (`kind: "fit"`) or of a model applied to a grid (`"predict"`). */
export interface ChunkJob {
  version: number;
  /** Default `"fit"`. */
  kind?: "fit" | "predict";
  /** For `predict`: the saved model's JSON text, parsed and checked by the worker. */
  model?: string;
  /** For `predict`: `response` (default) or `link`. */
  type?: "response" | "link";
  /** Run id (hash of the inputs and model). */
  run: string;
  /** Input files, in joined order. */
  files: string[];
  variable: string;
  along: string;
  /** For `fit`: the formula, family and link. */
  spec?: FitSpec;
  chunk: number;
  /** Rows `[start, stop)` of the first cell dimension. */
  start: number;
  stop: number;
}

const isString = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isIndex = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/**
 * Check that `value` is a {@link ChunkJob} of the version this worker knows.
 *
 * @throws BatchError `JOB_VERSION` for another version, `INVALID_ARGUMENT` for anything malformed
 */
export function parseJob(value: unknown): ChunkJob {
  const j = value as Partial<ChunkJob> | null;
  if (j === null || typeof j !== "object")
    throw new BatchError("INVALID_ARGUMENT", "job is not an object");
  if (j.version !== JOB_VERSION) {
    throw new BatchError(
      "JOB_VERSION",
      `job format version ${String(j.version)} is not the version ${JOB_VERSION} this worker knows`,
    );
  }
  const s = j.spec as Partial<FitSpec> | undefined;
  const ok =
    isString(j.run) &&
    Array.isArray(j.files) &&
    j.files.length > 0 &&
    j.files.every(isString) &&
    isString(j.variable) &&
    isString(j.along) &&
    (j.kind === "predict"
      ? s === undefined
      : s !== undefined &&
        s !== null &&
        isString(s.formula) &&
        (s.family === undefined || isString(s.family)) &&
        (s.link === undefined || isString(s.link))) &&
    isIndex(j.chunk) &&
    isIndex(j.start) &&
    isIndex(j.stop) &&
    (j.stop as number) > (j.start as number) &&
    (j.kind === undefined || j.kind === "fit" || j.kind === "predict") &&
    (j.kind !== "predict" || isString(j.model)) &&
    (j.type === undefined || j.type === "response" || j.type === "link");
  if (!ok) throw new BatchError("INVALID_ARGUMENT", "malformed job");
  return {
    version: JOB_VERSION,
    ...(j.kind === "predict" ? { kind: "predict" as const, model: j.model! } : {}),
    ...(j.type !== undefined ? { type: j.type } : {}),
    run: j.run!,
    files: [...j.files!],
    variable: j.variable!,
    along: j.along!,
    ...(s === undefined
      ? {}
      : {
          spec: {
            formula: s.formula!,
            ...(s.family !== undefined ? { family: s.family } : {}),
            ...(s.link !== undefined ? { link: s.link } : {}),
          },
        }),
    chunk: j.chunk!,
    start: j.start!,
    stop: j.stop!,
  };
}

interface Opened {
  key: string;
  grid: GridSource;
  model?: CellModel;
  predict?: PredictRun;
  close(): Promise<void>;
}

// The last run's files stay open between its jobs (one run at a time per worker).
let cache: Opened | undefined;

async function opened(job: ChunkJob): Promise<Opened> {
  const key = JSON.stringify([
    job.kind,
    job.files,
    job.variable,
    job.along,
    job.spec,
    job.model,
    job.type,
  ]);
  if (cache?.key === key) return cache;
  await cache?.close();
  cache = undefined;
  const ds = await openMfDataset(job.files, { concatDim: job.along });
  try {
    if (job.kind === "predict") {
      const predict = await openPredict(job.model!, ds, {
        along: job.along,
        variable: job.variable,
        ...(job.type !== undefined ? { type: job.type } : {}),
      });
      cache = { key, grid: predict.grid, predict, close: () => ds.close() };
      return cache;
    }
    const grid = await datasetSource(ds, job.variable, job.along);
    const model = prepareModel(job.spec!, timeFeatures(grid.alongCoord, job.along));
    cache = { key, grid, model, close: () => ds.close() };
    return cache;
  } catch (error) {
    await ds.close();
    throw error;
  }
}

/** Run one chunk job and return its part bytes. */
export async function runJob(value: unknown): Promise<Uint8Array> {
  const job = parseJob(value);
  const { grid, model, predict } = await opened(job);
  if (job.stop > grid.rows) {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `chunk rows ${job.start}–${job.stop} beyond ${grid.rows}`,
    );
  }
  const header = { run: job.run, chunk: job.chunk, start: job.start, stop: job.stop };
  if (predict !== undefined) {
    return encodePart(header, {
      values: await predictRange(predict, { start: job.start, stop: job.stop }),
    });
  }
  if (model === undefined) throw new BatchError("INVALID_ARGUMENT", "malformed job");
  const block = await grid.read({ start: job.start, stop: job.stop }, model.covariates);
  const result = fitChunk(model, block.y, block.C, block.covariates);
  return encodePart(header, fitArrays(result));
}

/** Close the files kept open between jobs. */
export async function closeJobs(): Promise<void> {
  await cache?.close();
  cache = undefined;
}
