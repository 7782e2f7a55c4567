import type { Metrics } from "./metrics.js";

/** What `runDemo` measured, also written to `summary.json`. */
export interface DemoSummary {
  rows: { train: number; test: number };
  sst: { glm: Metrics; mlp: Metrics };
  warmPool: { deviance: number; testAccuracy: number; testBrier: number; aic: number };
  mlpHistory: { loss: number[]; validationLoss: number[]; bestEpoch: number };
  files: string[];
}
