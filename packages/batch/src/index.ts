/**
 * @geoml/batch — per-cell model fits over gridded archives: chunked, resumable, on worker
 * threads and across machines.
 */
export { BatchError, type BatchErrorCode } from "./errors.js";
export {
  chunkRanges,
  type FitAlongOptions,
  type FitAlongResult,
  fitAlong,
} from "./fit-along.js";
export { type GridRows, gridRows } from "./grid-rows.js";
export { type ChunkJob, JOB_VERSION, parseJob, runJob } from "./job.js";
export type { FitSpec } from "./model.js";
export {
  type OutputFormat,
  type OutputOptions,
  outputFormat,
  writeFitOutput,
  writePredictionOutput,
} from "./output.js";
export { poolExecutor } from "./pool.js";
export {
  type PredictAlongOptions,
  predictAlong,
} from "./predict-along.js";
export { type GridPredictor, gridPredictor } from "./predictor.js";
export {
  connect as connectRedis,
  type QueueExecutorOptions,
  queueExecutor,
  queueName,
  type ServeOptions,
  type StallOptions,
  serveQueue,
} from "./queue.js";
export {
  type BatchFitOptions,
  type BatchFitReport,
  type BatchPredictOptions,
  type BatchProgress,
  batchFit,
  batchPredict,
  type Executor,
  localExecutor,
} from "./run.js";
export type { ZarrFormat } from "./zarr-output.js";
