/**
 * A chunk already in memory, fitted on a worker thread: the task carries the model as data
 * (formula text, family and link names, the decoded times) and the chunk's values.
 */
import type { CFDatetime } from "@geoml/grid";
import { BatchError } from "./errors.js";
import { type ChunkResult, fitChunk } from "./fit-chunk.js";
import { type FitSpec, prepareModel } from "./model.js";
import { featuresOf } from "./time-features.js";

/** One in-memory chunk for a worker thread. */
export interface BlockTask {
  kind: "block";
  spec: FitSpec;
  times: CFDatetime[];
  C: number;
  y: Float32Array | Float64Array;
  covariates: Record<string, Float32Array | Float64Array>;
}

/** Fit a {@link BlockTask}. */
export function runBlock(task: BlockTask): ChunkResult {
  if (task === null || typeof task !== "object" || !Array.isArray(task.times)) {
    throw new BatchError("INVALID_ARGUMENT", "malformed block task");
  }
  const model = prepareModel(task.spec, featuresOf(task.times));
  return fitChunk(model, task.y, task.C, task.covariates);
}
