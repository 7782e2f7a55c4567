/**
 * A whole batch fit over files: check everything, cut the grid into chunks, run the chunks
 * that have no part yet (in this thread, on a worker pool or through a queue), then
 * assemble the parts into the output. Killed and started again with the same inputs, it
 * redoes only the chunks without a part and writes the same bytes.
 */
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { openMfDataset } from "@geoml/io";
import { BatchError } from "./errors.js";
import { assemble, chunkRanges, openRun } from "./fit-along.js";
import { type ChunkJob, JOB_VERSION, runJob } from "./job.js";
import type { FitSpec } from "./model.js";
import { outputFormat, writeFitOutput, writePredictionOutput } from "./output.js";
import { fitResult, PartStore } from "./parts.js";
import { poolExecutor } from "./pool.js";
import { assemblePrediction, openPredict } from "./predict-along.js";
import { checkZarrTarget, type ZarrFormat, zarrFormatOf } from "./zarr-output.js";

/** Runs chunk jobs somewhere and hands back each one's part bytes as it finishes. */
export type Executor = (
  jobs: readonly ChunkJob[],
  onPart: (job: ChunkJob, part: Uint8Array) => Promise<void>,
) => Promise<void>;

/** Progress of a run. */
export interface BatchProgress {
  /** Chunks with a part (including those found from an earlier run). */
  done: number;
  total: number;
  /** Chunks whose parts were already there when the run started. */
  resumed: number;
}

/** Options of {@link batchFit}. */
export interface BatchFitOptions extends FitSpec {
  /** A glob, a path or a list of paths (joined with `openMfDataset`). */
  files: string | readonly string[];
  /** Variable to fit; default the formula's left side. */
  variable?: string;
  /** Dimension to fit along; default `"time"`. */
  along?: string;
  /** Output: `.nc` (NetCDF), `.zarr` (a Zarr store) or `.tif` (GeoTIFF). Parts go to `<out>.parts/`. */
  out: string;
  /** Zarr format of a `.zarr` output: 3 (default) or 2 (what xarray 2023 and zarr-python 2 read). */
  zarrFormat?: ZarrFormat;
  /** About how many cells per chunk (whole rows); default 65536. */
  chunkCells?: number;
  /** Worker threads; default 1 (this thread). */
  workers?: number;
  /** Run the chunks somewhere else (e.g. {@link queueExecutor}); overrides `workers`. */
  executor?: Executor;
  /** Called whenever a chunk's part is written. */
  onProgress?: (p: BatchProgress) => void;
  /** Keep `<out>.parts/` after writing the output (default false). */
  keepParts?: boolean;
}

/** What {@link batchFit} did. */
export interface BatchFitReport {
  out: string;
  run: string;
  chunks: number;
  /** Chunks found done from an earlier, interrupted run. */
  resumed: number;
}

/**
 * Fit a model per cell over an archive and write the result to `out`, resumably. Every
 * input check (files, grids, times, variable, formula, output name) happens before any
 * part or output is written.
 *
 * @throws IoError / BatchError naming the file or variable at fault
 */
export async function batchFit(options: BatchFitOptions): Promise<BatchFitReport> {
  const along = options.along ?? "time";
  await checkOutput(options);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new BatchError("INVALID_ARGUMENT", `workers must be a positive integer, got ${workers}`);
  }
  const ds = await openMfDataset(options.files, { concatDim: along });
  let jobs: ChunkJob[];
  let store: PartStore;
  let run: string;
  let grid: Awaited<ReturnType<typeof openRun>>["grid"];
  let model: Awaited<ReturnType<typeof openRun>>["model"];
  const spec: FitSpec = {
    formula: options.formula,
    ...(options.family !== undefined ? { family: options.family } : {}),
    ...(options.link !== undefined ? { link: options.link } : {}),
  };
  try {
    ({ grid, model } = await openRun(ds, { ...spec, variable: options.variable }, along));
    // Covariates must exist on the same grid: check now, not in the middle of the run.
    for (const c of model.covariates) await grid.read({ start: 0, stop: 1 }, [c]);
    const files = ds.files.map((f) => resolve(f));
    run = await runId(files, grid.name, along, spec, options.chunkCells);
    const ranges = chunkRanges(grid.rows, grid.rowCells, options.chunkCells);
    jobs = ranges.map((r, chunk) => ({
      version: JOB_VERSION,
      run,
      files,
      variable: grid.name,
      along,
      spec,
      chunk,
      start: r.start,
      stop: r.stop,
    }));
    store = new PartStore(options.out);
  } finally {
    await ds.close();
  }
  const { resumed } = await execute(jobs, store, run, options, workers);
  const parts = [];
  for (const j of jobs) {
    const arrays = await readPart(store, run, j);
    const cells = (j.stop - j.start) * grid.rowCells;
    const result = fitResult(arrays, cells, model.p, store.path(j.chunk));
    parts.push({ range: { start: j.start, stop: j.stop }, result });
  }
  await writeFitOutput(
    options.out,
    assemble(grid, model, parts),
    { source: jobs[0].files.join(" "), history: `geoml batch fit ${spec.formula}` },
    { zarrFormat: options.zarrFormat },
  );
  if (options.keepParts !== true) await store.remove();
  return { out: options.out, run, chunks: jobs.length, resumed };
}

/** Check the output's name, format options and (for Zarr) what is already there. */
async function checkOutput(options: { out: string; zarrFormat?: unknown }): Promise<void> {
  const format = outputFormat(options.out);
  zarrFormatOf(options.zarrFormat);
  if (format === "zarr") await checkZarrTarget(options.out);
}

/** Run the chunks without a part, writing each part as it arrives. */
async function execute(
  jobs: readonly ChunkJob[],
  store: PartStore,
  run: string,
  options: { executor?: Executor; onProgress?: (p: BatchProgress) => void; out: string },
  workers: number,
): Promise<{ resumed: number }> {
  const done = await store.open(run);
  const resumed = done.size;
  const todo = jobs.filter((j) => !done.has(j.chunk));
  const progress = () => options.onProgress?.({ done: done.size, total: jobs.length, resumed });
  progress();
  const executor: Executor =
    options.executor ?? (workers > 1 ? poolExecutor(workers) : localExecutor);
  await executor(todo, async (job, part) => {
    await store.write(job.chunk, part);
    done.add(job.chunk);
    progress();
  });
  const missing = jobs.filter((j) => !done.has(j.chunk));
  if (missing.length > 0) {
    throw new BatchError("IO_ERROR", `${missing.length} chunks did not finish`, {
      file: options.out,
    });
  }
  return { resumed };
}

/** Read chunk `j`'s part, checking that it belongs to this run and chunk. */
async function readPart(store: PartStore, run: string, j: ChunkJob) {
  const { header, arrays } = await store.read(j.chunk);
  if (header.run !== run || header.start !== j.start || header.stop !== j.stop) {
    throw new BatchError("BAD_PART", `part of chunk ${j.chunk} belongs to another run`, {
      file: store.path(j.chunk),
    });
  }
  return arrays;
}

/** Chunks one after another in this thread. */
export const localExecutor: Executor = async (jobs, onPart) => {
  for (const job of jobs) await onPart(job, await runJob(job));
};

/** A run's identity: the files (and their sizes and times), the variable and the model. */
async function runId(
  files: readonly string[],
  variable: string,
  along: string,
  spec: FitSpec | { model: string; type?: string },
  chunkCells: number | undefined,
): Promise<string> {
  const h = createHash("sha256");
  for (const f of files) await hashEntry(h, f, 0);
  h.update(JSON.stringify([JOB_VERSION, variable, along, spec, chunkCells ?? null]));
  return h.digest("hex").slice(0, 16);
}

/**
 * Add a file's path, size and time to the run's identity; for a directory (a Zarr store),
 * every file in it, since rewriting a chunk changes neither the store's size nor its time.
 */
async function hashEntry(h: ReturnType<typeof createHash>, path: string, depth: number) {
  const s = await stat(path);
  h.update(`${path}\0${s.isDirectory() ? "dir" : s.size}\0${s.mtimeMs}\0`);
  if (!s.isDirectory() || depth > 32) return;
  const entries = (await readdir(path)).sort();
  for (const e of entries) await hashEntry(h, join(path, e), depth + 1);
}

/** Options of {@link batchPredict}. */
export interface BatchPredictOptions {
  /** The saved model: its JSON text (e.g. the content of a `geoml fit --save` file). */
  model: string;
  /** A glob, a path or a list of paths (joined with `openMfDataset`). */
  files: string | readonly string[];
  /** Variable whose grid to predict on; default the model's response. */
  variable?: string;
  along?: string;
  /** `response` (default) or `link`. */
  type?: "response" | "link";
  /** `.nc` or `.zarr` (a `prediction` variable) or `.tif` (one band per step, described by its date). */
  out: string;
  /** Zarr format of a `.zarr` output: 3 (default) or 2. */
  zarrFormat?: ZarrFormat;
  chunkCells?: number;
  workers?: number;
  executor?: Executor;
  onProgress?: (p: BatchProgress) => void;
  keepParts?: boolean;
}

/**
 * Apply a saved model to every cell and step of an archive and write the predictions to
 * `out`, resumably, like {@link batchFit}. The assembled predictions are held in memory
 * once (float32) to write the output.
 *
 * @throws IoError / BatchError naming the file, variable or model at fault
 */
export async function batchPredict(options: BatchPredictOptions): Promise<BatchFitReport> {
  const along = options.along ?? "time";
  await checkOutput(options);
  const workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new BatchError("INVALID_ARGUMENT", `workers must be a positive integer, got ${workers}`);
  }
  if (typeof options.model !== "string") {
    throw new BatchError("INVALID_ARGUMENT", "model must be the saved model's JSON text");
  }
  const ds = await openMfDataset(options.files, { concatDim: along });
  let jobs: ChunkJob[];
  let run: string;
  let predict: Awaited<ReturnType<typeof openPredict>>;
  try {
    predict = await openPredict(options.model, ds, {
      along,
      ...(options.variable !== undefined ? { variable: options.variable } : {}),
      ...(options.type !== undefined ? { type: options.type } : {}),
    });
    const { grid } = predict;
    // The variables the model reads must exist on the same grid: check before any work.
    await grid.read(
      { start: 0, stop: 1 },
      predict.variables.filter((v) => v !== grid.name),
    );
    const files = ds.files.map((f) => resolve(f));
    const what = { model: options.model, ...(options.type ? { type: options.type } : {}) };
    run = await runId(files, grid.name, along, what, options.chunkCells);
    jobs = chunkRanges(grid.rows, grid.rowCells, options.chunkCells).map((r, chunk) => ({
      version: JOB_VERSION,
      kind: "predict" as const,
      model: options.model,
      ...(options.type !== undefined ? { type: options.type } : {}),
      run,
      files,
      variable: grid.name,
      along,
      chunk,
      start: r.start,
      stop: r.stop,
    }));
  } finally {
    await ds.close();
  }
  const store = new PartStore(options.out);
  const { resumed } = await execute(jobs, store, run, options, workers);
  const parts = [];
  for (const j of jobs) {
    const arrays = await readPart(store, run, j);
    if (arrays.values === undefined) {
      throw new BatchError("BAD_PART", "does not hold predictions", { file: store.path(j.chunk) });
    }
    parts.push({ range: { start: j.start, stop: j.stop }, values: arrays.values });
  }
  const prediction = assemblePrediction(predict.grid, parts);
  await writePredictionOutput(
    options.out,
    prediction,
    { source: jobs[0].files.join(" "), history: "geoml batch predict" },
    { zarrFormat: options.zarrFormat },
  );
  if (options.keepParts !== true) await store.remove();
  return { out: options.out, run, chunks: jobs.length, resumed };
}
