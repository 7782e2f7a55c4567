/** Loads the reference fixtures written by `tools/oracles/optim_*.py`. */
import { readFileSync } from "node:fs";
import type { NestedArray } from "@geoml/autodiff";

const dir = new URL("../__fixtures__/", import.meta.url);

/** Reads and parses one fixture file. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, dir), "utf8")) as T;
}

/** Weights of the fixed tanh network, stored [in, out]. */
export interface NetWeights {
  hidden: { weight: NestedArray; bias: number[] };
  output: { weight: NestedArray; bias: number[] };
}

/** `optim_torch.json`. */
export interface TorchFixture {
  steps: number;
  problem: { x: NestedArray; y: NestedArray; init: NetWeights };
  runs: {
    name: string;
    optimizer: "sgd" | "adam" | "adamw" | "rmsprop";
    options: Record<string, unknown>;
    schedule:
      | null
      | { kind: "step"; stepSize: number; gamma: number }
      | { kind: "cosine"; decaySteps: number; final: number };
    losses: number[];
    final: NetWeights;
  }[];
  schedules: {
    step: { options: { lr: number; stepSize: number; gamma: number }; lrs: number[] };
    cosine: { options: { lr: number; decaySteps: number; final: number }; lrs: number[] };
    warmupCosine: {
      options: {
        lr: number;
        warmupSteps: number;
        warmupInit: number;
        decaySteps: number;
        final: number;
      };
      lrs: number[];
    };
    plateau: {
      options: Record<string, unknown> & { lr: number };
      losses: number[];
      lrs: number[];
    }[];
  };
}

/** `optim_scipy.json`. */
export interface ScipyFixture {
  tight: { gtol: number; ftol: number };
  problems: {
    name: "rosenbrock2" | "rosenbrock10" | "logistic";
    x0: number[];
    xstar: number[];
    fstar: number;
    scipyDefault: ScipyRun;
    scipyTight: ScipyRun;
    data?: { x: number[][]; y: number[] };
  }[];
}

/** One scipy L-BFGS-B run. */
export interface ScipyRun {
  nit: number;
  nfev: number;
  fun: number;
  maxAbsError: number;
  message: string;
}

/** Largest |a − b| / max(|b|, tiny) over two flat arrays. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < b.length; i++)
    m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}
