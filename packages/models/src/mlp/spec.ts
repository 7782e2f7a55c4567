/**
 * The types that describe an MLP — its specification and the options of fitting
 * and prediction — and the {@link Network} view of a fitted one, apart from the
 * class so that results and formula fitting need not import it.
 */
import type { DType, Tensor } from "@geoml/autodiff";
import type { Family, FamilyName, LinkName } from "@geoml/losses";
import type { ReduceOnPlateau } from "@geoml/optim";
import type { ActivationName } from "./activations.js";
import type { MatrixInput, VectorInput } from "./data.js";
import type { FamilyParameters } from "./family.js";
import type { Architecture, Initializer, MlpParams } from "./network.js";
import type { Optimizer } from "./optimizer.js";
import type { MlpJSON, WeightEncoding } from "./serialize.js";
import type { EpochProgress, FitHistory } from "./train.js";

/** The description of a network: its layers, activation and the family on top. */
export interface MlpSpec {
  /** Widths of the hidden layers; default [64, 64]. `[]` gives a GLM. */
  hidden?: number[];
  /** Hidden-layer activation; default "tanh". */
  activation?: ActivationName;
  /**
   * Distribution of the target: a family from @geoml/losses or its name; default
   * Gaussian. Its link's inverse maps the network output onto μ.
   */
  family?: Family | FamilyName;
  /** Link by name, when `family` is given by name (otherwise the family's own link). */
  link?: LinkName;
  /** Number of classes K of a Categorical family given by name. */
  classes?: number;
  /** θ (Negative Binomial), power (Tweedie), linkPower (power link) of a family given by name. */
  familyParameters?: FamilyParameters;
  /** Gaussian head predicting μ and σ per row (loss: Gaussian NLL); replaces `family`. */
  heteroscedastic?: boolean;
  /** Weight initialiser; default He for relu/elu/gelu, Glorot otherwise. */
  init?: Initializer;
  /** Dropout probability of hidden units while training; default 0. */
  dropout?: number;
  /** Layer normalisation before every hidden activation; default false. */
  layerNorm?: boolean;
  /** Standardise the input columns with the training means and deviations; default true. */
  standardize?: boolean;
  /** Arithmetic precision of weights and activations; default "float64". */
  dtype?: DType;
  /** Seed of initialisation, shuffling, dropout and validation split; default 0. */
  seed?: number;
}

/** Validation data given explicitly (instead of `validationSplit`). */
export interface ValidationSet {
  x: MatrixInput;
  y: VectorInput;
  weights?: VectorInput;
}

/** Options of {@link Mlp.fit}. */
export interface FitOptions {
  /** Passes over the training rows; default 100. */
  epochs?: number;
  /** Rows per minibatch; default 256 (capped at the number of rows). */
  batchSize?: number;
  /** An optimiser (or chain) from @geoml/optim, schedules included; default Adam with `lr`. */
  optimizer?: Optimizer;
  /** Learning rate of the default Adam; default 1e-3. */
  lr?: number;
  /** L2 penalty λ: (λ/2)·Σ‖W‖² on dense weights is added to the loss; default 0. */
  weightDecay?: number;
  /** Per-observation (prior) weights; for Binomial the number of trials. */
  weights?: VectorInput;
  /** Fraction of rows (drawn with the seed) held out for validation; default 0. */
  validationSplit?: number;
  /** Explicit validation set; takes precedence over `validationSplit`. */
  validation?: ValidationSet;
  /** Stop after this many epochs without improvement of the validation loss (the training loss without a validation set); default: never. */
  patience?: number;
  /** Improvement smaller than this does not count; default 0. */
  minDelta?: number;
  /** Keep the weights of the best validation epoch; default true with a validation set. */
  restoreBest?: boolean;
  /** Shuffle rows every epoch; default true. */
  shuffle?: boolean;
  /**
   * A `reduceOnPlateau` from @geoml/optim stepped after every epoch with the validation
   * loss (the training loss without a validation set); pair it with the optimiser,
   * e.g. `optimizer: adam({ lr: plateau.schedule })`.
   */
  plateau?: ReduceOnPlateau;
  /** Called after every epoch; return `false` to stop training. */
  onEpoch?: (progress: EpochProgress) => undefined | boolean;
  /** Start from these parameters instead of fresh seeded ones (shapes must match). */
  initialParams?: MlpParams;
}

/** Options of {@link Mlp.predict}. */
export interface PredictOptions {
  /** Rows per forward pass; bounds memory to chunk × widest layer; default 8192. */
  chunkSize?: number;
  /** "response" (μ, probabilities; default) or "link" (the raw network output η). */
  type?: "response" | "link";
}

/** What results and formula fitting use of a network (the `Mlp` class implements it). */
export interface Network {
  /** The family on top (undefined for the heteroscedastic head). */
  readonly family: Family | undefined;
  /** Fitted parameters, or null before fitting. */
  readonly params: MlpParams | null;
  /** The architecture of the fitted network, or null before fitting. */
  readonly architecture: Architecture | null;
  /** Network output for rows `x`: μ (or class probabilities, or (μ, σ)); η with `type: "link"`. */
  predict(x: MatrixInput, options?: PredictOptions): Tensor;
  /** The saved network. */
  toJSON(options?: { weights?: WeightEncoding }): MlpJSON;
}

/** A network that can also be trained on rows (see `Mlp.fit`). */
export interface TrainableNetwork extends Network {
  fit(x: MatrixInput, y: VectorInput, options?: FitOptions): FitHistory;
}
