import type { Metrics } from "./metrics.js";

/** Sea water freezes near this temperature (°C); SST cannot be lower. */
export const FREEZING_SST = -1.8;

/** Threshold above which the ocean can feed tropical cyclones (°C). */
export const WARM_POOL_SST = 26.5;

/** What {@link runDemo} measured, also written to `summary.json`. */
export interface DemoSummary {
  rows: { train: number; test: number };
  sst: { glm: Metrics; mlp: Metrics };
  warmPool: { deviance: number; testAccuracy: number; testBrier: number; aic: number };
  mlpHistory: { loss: number[]; validationLoss: number[]; bestEpoch: number };
  /** Ocean rows predicted below {@link FREEZING_SST}, per model. */
  impossible: { glm: number; mlp: number };
  files: string[];
}
