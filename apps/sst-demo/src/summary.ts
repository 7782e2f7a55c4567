import type { ClassScores, Metrics } from "./metrics.js";

/** Sea water freezes near this temperature (°C); SST cannot be lower. */
export const FREEZING_SST = -1.8;

/** Threshold above which the ocean can feed tropical cyclones (°C). */
export const WARM_POOL_SST = 26.5;

/** Lower edges (°C) of the temperate, subtropical and tropical zones. */
export const ZONE_EDGES = [5, 18, WARM_POOL_SST] as const;

/** Thermal zones, in class order. */
export const ZONES = ["polar", "temperate", "subtropical", "tropical"] as const;

/** The four models of every task, in table order. */
export const MODELS = ["baseline", "glm", "gam", "mlp"] as const;
export type ModelName = (typeof MODELS)[number];

/** One row of a task's table. */
export interface ModelRow<S> {
  model: ModelName;
  /** What was fitted, e.g. "GLM (IRLS), harmonic + polynomial". */
  label: string;
  scores: S;
  /** Rows the model was fitted on. */
  trainRows: number;
  /** Fit time in seconds. */
  seconds: number;
}

/** What {@link runDemo} measured, also written to `summary.json`. */
export interface DemoSummary {
  rows: { train: number; test: number };
  split: { blockDegrees: number; heldBlocks: number; blocks: number };
  regression: ModelRow<Metrics>[];
  binary: ModelRow<ClassScores>[];
  multinomial: ModelRow<ClassScores>[];
  mlpHistory: Record<
    "regression" | "binary" | "multinomial",
    { loss: number[]; validationLoss: number[]; bestEpoch: number }
  >;
  /** Ocean rows predicted below {@link FREEZING_SST}, per regression model. */
  impossible: Record<ModelName, number>;
  /** Where the data came from. */
  source: string;
  /** Notes on what could not be done as asked (shown in the report and the tables). */
  notes: string[];
  files: string[];
}
