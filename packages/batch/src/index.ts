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
export type { FitSpec } from "./model.js";
