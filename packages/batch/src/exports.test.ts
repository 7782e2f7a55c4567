import { expect, it } from "vitest";
import * as api from "./index.js";

// The public surface; a change here is an API change to review (and a changeset).
it("exports exactly the public API", () => {
  expect(Object.keys(api).sort()).toEqual([
    "BatchError",
    "JOB_VERSION",
    "batchFit",
    "batchPredict",
    "chunkRanges",
    "connectRedis",
    "fitAlong",
    "gridPredictor",
    "gridRows",
    "localExecutor",
    "outputFormat",
    "parseJob",
    "poolExecutor",
    "predictAlong",
    "queueExecutor",
    "queueName",
    "runJob",
    "serveQueue",
    "writeFitOutput",
    "writePredictionOutput",
  ]);
});
