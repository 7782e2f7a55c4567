/**
 * Learning-rate schedules. A schedule is a pure function of the 0-based update
 * number; optimisers accept it wherever they accept a number. The plateau rule
 * needs the loss, so it is a small stateful object whose `schedule` reads its
 * current rate.
 */
import { NonFiniteError, OptionError } from "./errors.js";

/** Learning rate as a function of the 0-based update number. */
export type Schedule = (step: number) => number;

/** A constant learning rate or a {@link Schedule}. */
export type LearningRate = number | Schedule;

function positive(where: string, option: string, v: number, allowZero = false): void {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0))
    throw new OptionError(
      where,
      option,
      allowZero ? "a finite number >= 0" : "a finite number > 0",
      v,
    );
}

function integer(where: string, option: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min)
    throw new OptionError(where, option, `an integer >= ${min}`, v);
}

/** Options of {@link stepDecay}. */
export interface StepDecayOptions {
  /** Initial learning rate. */
  lr: number;
  /** Number of updates between two decays. */
  stepSize: number;
  /** Multiplicative factor per decay (default 0.1). */
  gamma?: number;
}

/** `lr · gamma^⌊step / stepSize⌋`, as `torch.optim.lr_scheduler.StepLR`. */
export function stepDecay(options: StepDecayOptions): Schedule {
  const { lr, stepSize, gamma = 0.1 } = options;
  positive("stepDecay", "lr", lr, true);
  integer("stepDecay", "stepSize", stepSize, 1);
  positive("stepDecay", "gamma", gamma, true);
  return (step) => lr * gamma ** Math.floor(step / stepSize);
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayOptions {
  /** Peak learning rate: reached at the end of the warm-up, start of the cosine. */
  lr: number;
  /** Length of the cosine phase in updates (after the warm-up). */
  decaySteps: number;
  /** Learning rate at the end of the cosine and after it (default 0). */
  final?: number;
  /** Number of warm-up updates (default 0: no warm-up). */
  warmupSteps?: number;
  /** Learning rate of the first warm-up update (default 0). */
  warmupInit?: number;
}

/**
 * Linear warm-up from `warmupInit` to `lr` over `warmupSteps` updates, then
 * `final + (lr − final)(1 + cos(π t / decaySteps)) / 2` for t = 0 … decaySteps,
 * then `final`. Without warm-up this is `CosineAnnealingLR(T_max = decaySteps,
 * eta_min = final)` over its first period; with it, torch's `SequentialLR` of
 * `LinearLR(start_factor = warmupInit / lr)` and that cosine.
 */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const { lr, decaySteps, final = 0, warmupSteps = 0, warmupInit = 0 } = options;
  positive("cosineDecay", "lr", lr, true);
  integer("cosineDecay", "decaySteps", decaySteps, 1);
  positive("cosineDecay", "final", final, true);
  integer("cosineDecay", "warmupSteps", warmupSteps, 0);
  positive("cosineDecay", "warmupInit", warmupInit, true);
  return (step) => {
    if (step < warmupSteps) return warmupInit + ((lr - warmupInit) * step) / warmupSteps;
    const t = Math.min(step - warmupSteps, decaySteps);
    return final + ((lr - final) * (1 + Math.cos((Math.PI * t) / decaySteps))) / 2;
  };
}

/** Options of {@link reduceOnPlateau}; names and defaults follow `ReduceLROnPlateau`. */
export interface ReduceOnPlateauOptions {
  /** Initial learning rate. */
  lr: number;
  /** `"min"`: lower metric is better (a loss); `"max"`: higher is better (default "min"). */
  mode?: "min" | "max";
  /** Multiplicative factor of a reduction, in (0, 1) (default 0.1). */
  factor?: number;
  /** Number of calls without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Minimum change that counts as an improvement (default 1e-4). */
  threshold?: number;
  /** `"rel"`: relative to the best value; `"abs"`: absolute (default "rel"). */
  thresholdMode?: "rel" | "abs";
  /** Calls to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the learning rate (default 0). */
  minLr?: number;
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Serialisable state of a {@link ReduceOnPlateau}. */
export interface PlateauState {
  /** Current learning rate. */
  lr: number;
  /** Best metric seen so far. */
  best: number;
  /** Calls since the last improvement. */
  numBadEpochs: number;
  /** Calls left in the current cool-down. */
  cooldownCounter: number;
  /** Number of metrics recorded. */
  epoch: number;
}

/**
 * Reduces the learning rate when a metric stops improving, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`. Call {@link ReduceOnPlateau.step}
 * with the loss once per epoch; pass {@link ReduceOnPlateau.schedule} as the
 * optimiser's `lr`.
 */
export class ReduceOnPlateau {
  /** A schedule that returns the current learning rate, whatever the step. */
  readonly schedule: Schedule;
  private readonly opts: Required<ReduceOnPlateauOptions>;
  private s: PlateauState;

  /** @param options see {@link ReduceOnPlateauOptions}. */
  constructor(options: ReduceOnPlateauOptions) {
    const o: Required<ReduceOnPlateauOptions> = {
      mode: "min",
      factor: 0.1,
      patience: 10,
      threshold: 1e-4,
      thresholdMode: "rel",
      cooldown: 0,
      minLr: 0,
      eps: 1e-8,
      ...options,
    };
    positive("reduceOnPlateau", "lr", o.lr, true);
    if (!(o.factor > 0 && o.factor < 1))
      throw new OptionError("reduceOnPlateau", "factor", "in (0, 1)", o.factor);
    integer("reduceOnPlateau", "patience", o.patience, 0);
    integer("reduceOnPlateau", "cooldown", o.cooldown, 0);
    positive("reduceOnPlateau", "threshold", o.threshold, true);
    positive("reduceOnPlateau", "minLr", o.minLr, true);
    positive("reduceOnPlateau", "eps", o.eps, true);
    if (o.mode !== "min" && o.mode !== "max")
      throw new OptionError("reduceOnPlateau", "mode", '"min" or "max"', o.mode);
    if (o.thresholdMode !== "rel" && o.thresholdMode !== "abs")
      throw new OptionError("reduceOnPlateau", "thresholdMode", '"rel" or "abs"', o.thresholdMode);
    this.opts = o;
    this.s = {
      lr: o.lr,
      best: o.mode === "min" ? Infinity : -Infinity,
      numBadEpochs: 0,
      cooldownCounter: 0,
      epoch: 0,
    };
    this.schedule = () => this.s.lr;
  }

  /** Current learning rate. */
  get lr(): number {
    return this.s.lr;
  }

  /** A copy of the state (to save and later {@link ReduceOnPlateau.restore}). */
  get state(): PlateauState {
    return { ...this.s };
  }

  /** Replaces the state by a saved copy. */
  restore(state: PlateauState): void {
    this.s = { ...state };
  }

  /**
   * Records one metric value (e.g. the epoch's loss) and returns the learning
   * rate to use from now on. A NaN or infinite metric throws {@link NonFiniteError}.
   */
  step(metric: number): number {
    const o = this.opts;
    const s = { ...this.s, epoch: this.s.epoch + 1 };
    if (!Number.isFinite(metric))
      throw new NonFiniteError("reduceOnPlateau", s.epoch, "loss", null, 0, metric);
    if (this.isBetter(metric, s.best)) {
      s.best = metric;
      s.numBadEpochs = 0;
    } else s.numBadEpochs += 1;
    if (s.cooldownCounter > 0) {
      s.cooldownCounter -= 1;
      s.numBadEpochs = 0;
    }
    if (s.numBadEpochs > o.patience) {
      const reduced = Math.max(s.lr * o.factor, o.minLr);
      if (s.lr - reduced > o.eps) s.lr = reduced;
      s.cooldownCounter = o.cooldown;
      s.numBadEpochs = 0;
    }
    this.s = s;
    return s.lr;
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.opts;
    if (mode === "min")
      return thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }
}

/** Creates a {@link ReduceOnPlateau} learning-rate controller. */
export function reduceOnPlateau(options: ReduceOnPlateauOptions): ReduceOnPlateau {
  return new ReduceOnPlateau(options);
}
