import * as api from "@geoml/optim";
import { expect, it } from "vitest";

// A change to the public surface shows up here in review.
it("exports the documented API", () => {
  expect(Object.keys(api).sort()).toEqual([
    "NonFiniteError",
    "OptimError",
    "OptionError",
    "ReduceOnPlateau",
    "TreeMismatchError",
    "adam",
    "adamw",
    "addWeightDecay",
    "applyUpdates",
    "chain",
    "clipByGlobalNorm",
    "clipByValue",
    "cosineDecay",
    "cubicInterpolate",
    "globalNorm",
    "isOptimError",
    "lbfgsFlat",
    "minimize",
    "reduceOnPlateau",
    "rmsprop",
    "scale",
    "sgd",
    "stepDecay",
    "strongWolfe",
  ]);
});
