import {
  add,
  BufferPool,
  type DType,
  mul,
  noGrad,
  type Rng,
  square,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from "@geoml/autodiff";
import type { ReduceOnPlateau } from "@geoml/optim";
import {
  gatherMatrixRows,
  gatherRows,
  type Matrix,
  type Standardizer,
  standardizeAll,
} from "./data.js";
import { MlpDivergedError } from "./errors.js";
import { type Head, headLoss } from "./head.js";
import { type Architecture, forward, type MlpParams } from "./network.js";
import { type Optimizer, startOptimizer } from "./optimizer.js";
import { parallelGradient } from "./parallel-grad.js";

/**
 * @internal Whether training reuses op buffers from one step to the next (on by
 * default; tests switch it off to check that results are bit-identical without it).
 */
export const trainBuffers: { reuse: boolean; pool: BufferPool | null } = {
  reuse: true,
  /** The pool of the latest training run (tests read its counters). */
  pool: null,
};

/** Rows, targets and weights of one data set (training or validation). */
export interface DataSet {
  x: Matrix;
  y: Float64Array;
  /** Per-observation weights, or null for all ones. */
  weights: Float64Array | null;
  /** Rows of `x` that belong to the set, or null for all. */
  rows: Int32Array | null;
}

/** What the progress callback receives after every epoch. */
export interface EpochProgress {
  /** 1-based epoch number. */
  epoch: number;
  /** Weighted mean training objective over the epoch's minibatches (L2 penalty included). */
  loss: number;
  /** Weighted mean validation loss at the end of the epoch, when there is a validation set. */
  validationLoss?: number;
  /** Training rows processed per second during the epoch. */
  rowsPerSecond: number;
}

/** The training settings after defaults are applied. */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  weightDecay: number;
  shuffle: boolean;
  patience: number | undefined;
  minDelta: number;
  restoreBest: boolean;
  onEpoch: ((progress: EpochProgress) => undefined | boolean) | undefined;
  plateau: ReduceOnPlateau | undefined;
}

/** The record of one training run. */
export interface FitHistory {
  /** Training objective per epoch. */
  loss: number[];
  /** Validation loss per epoch (empty without a validation set). */
  validationLoss: number[];
  /** 1-based epoch whose weights the model holds. */
  bestEpoch: number;
  /** True when early stopping (or the callback) ended training before `epochs`. */
  stoppedEarly: boolean;
}

/** Everything about the model that training reads but does not change. */
export interface ModelContext {
  arch: Architecture;
  head: Head;
  dtype: DType;
  standardizer: Standardizer;
}

function floatArray(dtype: DType, n: number): Float32Array | Float64Array {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

/** Arrays a training loop reuses for every minibatch (each batch's tensors die with its step). */
export interface BatchScratch {
  x: Float32Array | Float64Array;
  y: Float32Array | Float64Array;
  w: Float32Array | Float64Array;
  /** The set's rows already standardised (in the model's dtype), or null. */
  standardized: Matrix | null;
}

/**
 * Tensors of rows `start … start + count` of `set` (through `order` when given), in
 * `scratch` when given (overwritten by the next call).
 */
export function batchTensors(
  ctx: ModelContext,
  set: DataSet,
  order: Int32Array | null,
  start: number,
  count: number,
  scratch?: BatchScratch,
): { x: Tensor; y: Tensor; weights: Tensor | undefined } {
  const cols = set.x.cols;
  const xb = scratch ? scratch.x.subarray(0, count * cols) : floatArray(ctx.dtype, count * cols);
  if (scratch?.standardized) gatherMatrixRows(scratch.standardized, xb, order, start, count);
  else gatherMatrixRows(set.x, xb, order, start, count, ctx.standardizer);
  const yb = scratch ? scratch.y.subarray(0, count) : floatArray(ctx.dtype, count);
  gatherRows(set.y, yb, order, start, count);
  let weights: Tensor | undefined;
  if (set.weights !== null) {
    const wb = scratch ? scratch.w.subarray(0, count) : floatArray(ctx.dtype, count);
    gatherRows(set.weights, wb, order, start, count);
    weights = tensor(wb, { shape: [count] });
  }
  return { x: tensor(xb, { shape: [count, cols] }), y: tensor(yb, { shape: [count] }), weights };
}

/**
 * The training objective of one minibatch: the head's weighted mean loss plus
 * (λ/2)·Σ‖W‖² over the dense weights (biases, gains and shifts are not penalised).
 */
export function objective(
  ctx: ModelContext,
  params: MlpParams,
  x: Tensor,
  y: Tensor,
  weights: Tensor | undefined,
  weightDecay = 0,
  dropoutRng?: Rng,
): Tensor {
  const out = forward(ctx.arch, params, x, { dropoutRng });
  let loss = headLoss(ctx.head, out, y, weights, "mean");
  if (weightDecay > 0) {
    for (const layer of params) loss = add(loss, mul(sum(square(layer.weight)), 0.5 * weightDecay));
  }
  return loss;
}

/** Weighted mean loss of `set` evaluated in chunks without recording a graph. */
export function evaluateLoss(
  ctx: ModelContext,
  params: MlpParams,
  set: DataSet,
  chunk = 8192,
): number {
  const n = set.rows ? set.rows.length : set.x.rows;
  let total = 0;
  let weightSum = 0;
  noGrad(() => {
    for (let start = 0; start < n; start += chunk) {
      const count = Math.min(chunk, n - start);
      const b = batchTensors(ctx, set, set.rows, start, count);
      const out = forward(ctx.arch, params, b.x);
      total += headLoss(ctx.head, out, b.y, b.weights, "sum").item();
      weightSum += b.weights ? sum(b.weights).item() : count;
    }
  });
  return total / weightSum;
}

function copyParams(params: MlpParams): MlpParams {
  return params.map((layer) => {
    const copy: MlpParams[number] = {};
    for (const [k, t] of Object.entries(layer)) {
      copy[k] = tensor(t.data.slice(), { shape: [...t.shape], dtype: t.dtype });
    }
    return copy;
  });
}

/**
 * Minibatch training: each epoch visits the training rows once in an order drawn
 * from `rng`, takes one optimiser step per batch, then scores the validation set.
 * With `patience`, training stops once the validation loss has not improved by
 * `minDelta` for that many epochs, and the best weights are restored.
 */
export function train(
  ctx: ModelContext,
  initial: MlpParams,
  trainSet: DataSet,
  validation: DataSet | null,
  settings: TrainSettings,
  rng: Rng,
): { params: MlpParams; history: FitHistory } {
  const n = trainSet.rows ? trainSet.rows.length : trainSet.x.rows;
  const history: FitHistory = { loss: [], validationLoss: [], bestEpoch: 0, stoppedEarly: false };
  // the optimiser updates these in place: a copy, so the caller's initial values stay
  const params = copyParams(initial);
  const opt = startOptimizer(settings.optimizer, params);
  let best = Number.POSITIVE_INFINITY;
  let bestParams: MlpParams | null = null;
  let wait = 0;
  const dropoutRng = ctx.arch.dropout > 0 ? rng : undefined;
  const parallel = parallelGradient(
    ctx.arch,
    ctx.head,
    ctx.dtype,
    settings.batchSize,
    dropoutRng !== undefined,
    trainSet.weights !== null,
  );
  // one set of minibatch arrays for the whole run: a batch's tensors die with its step
  const rowsPerBatch = Math.min(settings.batchSize, n);
  const scratch: BatchScratch = {
    x: floatArray(ctx.dtype, rowsPerBatch * trainSet.x.cols),
    y: floatArray(ctx.dtype, rowsPerBatch),
    w: floatArray(ctx.dtype, trainSet.weights ? rowsPerBatch : 0),
    standardized: null,
  };
  // every epoch visits each row once: standardise them all once (the same values,
  // rounded once into the model's dtype) and only gather rows per batch
  scratch.standardized = standardizeAll(trainSet.x, ctx.standardizer, scratch.x);
  // The step's intermediates (activations, their gradients) go back to this pool when
  // the step ends and the next step's ops reuse them; only the loss escapes (the
  // optimiser step runs inside, on parameters updated in place).
  const pool = trainBuffers.reuse ? new BufferPool() : null;
  trainBuffers.pool = pool;

  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const t0 = performance.now();
      let order: Int32Array | null = trainSet.rows;
      if (settings.shuffle) {
        const perm = rng.permutation(n);
        order = trainSet.rows ? perm.map((i) => trainSet.rows![i]) : perm;
      }
      let lossSum = 0;
      let weightSum = 0;
      for (let start = 0; start < n; start += settings.batchSize) {
        const count = Math.min(settings.batchSize, n - start);
        const b = batchTensors(ctx, trainSet, order, start, count, scratch);
        // large batches: a data-parallel gradient over row blocks on the worker threads
        const split = parallel?.valueAndGrad(params, b, settings.weightDecay) ?? null;
        let v: number;
        if (split !== null) {
          v = split[0];
          if (Number.isFinite(v)) opt.step(params, split[1], v);
        } else {
          const f = (p: MlpParams) =>
            objective(ctx, p, b.x, b.y, b.weights, settings.weightDecay, dropoutRng);
          // the update inside the pool's scope: the gradients go back to it too
          const local = (): number => {
            const [value, g] = valueAndGrad(f)(params);
            const loss = value.item();
            if (Number.isFinite(loss)) opt.step(params, g, loss);
            return loss;
          };
          v = pool ? pool.run(local) : local();
        }
        if (!Number.isFinite(v)) {
          throw new MlpDivergedError(
            `fit: the training loss became ${v} in epoch ${epoch} (batch starting at row ${start}); lower the learning rate or check the data for extreme values`,
          );
        }
        const bw = b.weights ? noGrad(() => sum(b.weights!).item()) : count;
        lossSum += v * bw;
        weightSum += bw;
      }
      const seconds = (performance.now() - t0) / 1000;
      const progress: EpochProgress = {
        epoch,
        loss: lossSum / weightSum,
        rowsPerSecond: seconds > 0 ? n / seconds : Number.POSITIVE_INFINITY,
      };
      history.loss.push(progress.loss);
      // Without a validation set the training loss decides which weights are best.
      const score = validation ? evaluateLoss(ctx, params, validation) : progress.loss;
      if (validation) {
        progress.validationLoss = score;
        history.validationLoss.push(score);
      }
      settings.plateau?.step(score);
      if (score < best - settings.minDelta) {
        best = score;
        history.bestEpoch = epoch;
        wait = 0;
        if (settings.restoreBest) bestParams = copyParams(params);
      } else {
        wait++;
      }
      const stop = settings.onEpoch?.(progress) === false;
      if (stop || (settings.patience !== undefined && wait >= settings.patience)) {
        history.stoppedEarly = epoch < settings.epochs;
        break;
      }
    }
  } finally {
    // the free arrays are not needed after training (the pool's counters stay for tests)
    pool?.clear();
    parallel?.close();
  }
  if (settings.restoreBest && bestParams !== null) return { params: bestParams, history };
  history.bestEpoch = history.loss.length;
  return { params, history };
}
