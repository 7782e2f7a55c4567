import { noGrad, Rng, type Tensor, tensor } from "@geoml/autodiff";
import type { Family } from "@geoml/losses";
import { activationNames } from "./activations.js";
import {
  assertFinite,
  fitStandardizer,
  gatherMatrixRows,
  identityStandardizer,
  type MatrixInput,
  type Standardizer,
  toMatrix,
  toVector,
  type VectorInput,
} from "./data.js";
import {
  MlpDataError,
  MlpFormatError,
  MlpNotFittedError,
  MlpOptionError,
  MlpShapeError,
  show,
} from "./errors.js";
import { type FamilyParameters, familyFromJSON, familyToJSON, resolveFamily } from "./family.js";
import {
  fitFormula,
  fitMlp as fitMlpWith,
  isFormulaInput,
  type MlpFormulaInput,
} from "./formula-fit.js";
import { type Head, headResponse } from "./head.js";
import {
  type Architecture,
  defaultInitializer,
  forward,
  type Initializer,
  initParams,
  type MlpParams,
  parameterShapes,
} from "./network.js";
import { defaultOptimizer } from "./optimizer.js";
import type { MlpResults } from "./results.js";
import type { FitOptions, MlpSpec, PredictOptions, ValidationSet } from "./spec.js";

export type { FitOptions, MlpSpec, PredictOptions, ValidationSet } from "./spec.js";

import { type MlpJSON, paramsFromJSON, paramsToJSON, type WeightEncoding } from "./serialize.js";
import {
  batchTensors,
  type DataSet,
  type FitHistory,
  type ModelContext,
  objective,
  train,
} from "./train.js";

/** Largest network `fit` builds: far beyond what trains on a CPU, well below memory limits. */
const MAX_PARAMETERS = 2 ** 27;

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new MlpOptionError(`${name}: expected a positive integer, got ${show(value)}`);
  }
  return value;
}

function probability(value: number, name: string, max: number): number {
  if (!(value >= 0 && value < max)) {
    throw new MlpOptionError(`${name}: expected a number in [0, ${max}), got ${show(value)}`);
  }
  return value;
}

/**
 * A multilayer perceptron whose output is the linear predictor η of a family:
 * η = W₃·φ(W₂·φ(W₁·x + b₁) + b₂) + b₃, μ = g⁻¹(η), trained by minimising the
 * family's negative log-likelihood. Create one with {@link mlp}.
 */
export class Mlp {
  /** Hidden widths, activation and the rest of the architecture (inputs known after fit). */
  readonly spec: Required<
    Omit<MlpSpec, "family" | "link" | "classes" | "init" | "familyParameters">
  > & {
    init: Initializer;
  };
  /** The family on top (undefined for the heteroscedastic head). */
  readonly family: Family | undefined;
  /** Fitted parameters, or null before {@link Mlp.fit}. */
  params: MlpParams | null = null;
  /** Input centring and scaling learned by {@link Mlp.fit}. */
  standardizer: Standardizer | null = null;
  private arch: Architecture | null = null;
  private readonly classes: number | undefined;
  private readonly familyParameters: FamilyParameters;

  /** Prefer {@link mlp}; validates the specification. */
  constructor(spec: MlpSpec = {}) {
    const hidden = spec.hidden ?? [64, 64];
    if (!Array.isArray(hidden))
      throw new MlpOptionError("mlp: hidden must be an array of layer widths");
    hidden.forEach((h, i) => {
      positiveInt(h, `mlp: hidden[${i}]`);
    });
    const activation = spec.activation ?? "tanh";
    if (!activationNames.includes(activation)) {
      throw new MlpOptionError(
        `mlp: unknown activation ${show(activation)}; expected one of ${activationNames.join(", ")}`,
      );
    }
    const heteroscedastic = spec.heteroscedastic ?? false;
    if (heteroscedastic && spec.family !== undefined) {
      throw new MlpOptionError(
        "mlp: heteroscedastic is a Gaussian head of its own; leave family unset",
      );
    }
    const dtype = spec.dtype ?? "float64";
    if (dtype !== "float32" && dtype !== "float64") {
      throw new MlpOptionError(`mlp: dtype must be "float32" or "float64", got ${show(dtype)}`);
    }
    const init = spec.init ?? defaultInitializer(activation);
    if (init !== "glorot" && init !== "he") {
      throw new MlpOptionError(`mlp: init must be "glorot" or "he", got ${show(init)}`);
    }
    const seed = spec.seed ?? 0;
    if (!Number.isInteger(seed))
      throw new MlpOptionError(`mlp: seed must be an integer, got ${show(seed)}`);
    this.spec = {
      hidden: [...hidden],
      activation,
      heteroscedastic,
      init,
      dropout: probability(spec.dropout ?? 0, "mlp: dropout", 1),
      layerNorm: spec.layerNorm ?? false,
      standardize: spec.standardize ?? true,
      dtype,
      seed,
    };
    if (spec.classes !== undefined) positiveInt(spec.classes, "mlp: classes");
    this.family = heteroscedastic
      ? undefined
      : resolveFamily(spec.family ?? "gaussian", spec.link, spec.classes, spec.familyParameters);
    this.familyParameters = { ...spec.familyParameters };
    this.classes = spec.classes;
    if (this.family?.name === "categorical" && this.classes === undefined) {
      // The family object does not expose K, and counting the labels seen would
      // silently shrink K when a class is absent from the training rows.
      throw new MlpOptionError(
        "mlp: a Categorical family needs `classes` (the number of classes K)",
      );
    }
  }

  /** The architecture of the fitted network, or null before fit. */
  get architecture(): Architecture | null {
    return this.arch;
  }

  private outputs(): number {
    if (this.family === undefined) return 2;
    if (this.family.name !== "categorical") return 1;
    return this.classes!;
  }

  private head(): Head {
    const arch = this.arch!;
    return this.family === undefined
      ? { kind: "gaussian-variance", outputs: 2 }
      : { kind: "family", family: this.family, outputs: arch.outputs };
  }

  private context(): ModelContext {
    return {
      arch: this.arch!,
      head: this.head(),
      dtype: this.spec.dtype,
      standardizer: this.standardizer!,
    };
  }

  private checkTarget(y: Float64Array, w: Float64Array | null, name: string): void {
    assertFinite(y, `${name}: y`);
    if (w !== null) {
      assertFinite(w, `${name}: weights`);
      const bad = w.findIndex((v) => v < 0);
      if (bad >= 0) throw new MlpDataError(`${name}: weights[${bad}] = ${w[bad]} is negative`);
    }
    if (this.family?.name === "categorical") {
      const k = this.arch!.outputs;
      const bad = y.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= k);
      if (bad >= 0) {
        throw new MlpDataError(`${name}: y[${bad}] = ${y[bad]} is not a class index in 0…${k - 1}`);
      }
    } else if (this.family !== undefined) {
      this.family.validate(y, w ?? undefined);
    }
  }

  /**
   * Trains the network on a formula over named columns and returns the fitted
   * model under the model contract ({@link MlpResults}: predict, summary, toJSON).
   */
  fit(input: MlpFormulaInput, options?: FitOptions): MlpResults;
  /**
   * Trains the network on rows `x` ([rows, inputs]) and targets `y` ([rows]; class
   * indices 0…K−1 for Categorical) in place and returns the training history.
   * Starts from fresh seeded weights (or `initialParams`); the same seed and data
   * give the same model bit for bit. `new MlpResults(model)` gives the contract's view.
   */
  fit(x: MatrixInput, y: VectorInput, options?: FitOptions): FitHistory;
  fit(
    x: MatrixInput | MlpFormulaInput,
    y?: VectorInput | FitOptions,
    options: FitOptions = {},
  ): FitHistory | MlpResults {
    if (isFormulaInput(x)) return fitFormula(this, x, (y as FitOptions | undefined) ?? {});
    return this.fitRows(x, y as VectorInput, options);
  }

  private fitRows(x: MatrixInput, y: VectorInput, options: FitOptions): FitHistory {
    // A failed fit leaves the model unfitted rather than half-updated.
    this.params = null;
    this.arch = null;
    const X = toMatrix(x, "fit: x");
    if (X.rows === 0) throw new MlpShapeError("fit: x has no rows");
    assertFinite(X.data, "fit: x", X.cols);
    const Y = toVector(y, X.rows, "fit: y");
    const W =
      options.weights === undefined ? null : toVector(options.weights, X.rows, "fit: weights");
    this.arch = {
      inputs: X.cols,
      hidden: this.spec.hidden,
      outputs: this.outputs(),
      activation: this.spec.activation,
      layerNorm: this.spec.layerNorm,
      dropout: this.spec.dropout,
    };
    this.checkTarget(Y, W, "fit");
    const count = parameterShapes(this.arch).reduce(
      (total, layer) =>
        total + Object.values(layer).reduce((t, shape) => t + shape[0] * (shape[1] ?? 1), 0),
      0,
    );
    if (count > MAX_PARAMETERS) {
      throw new MlpOptionError(
        `fit: the network would have ${count} parameters; more than ${MAX_PARAMETERS} is refused (check hidden)`,
      );
    }

    const epochs = positiveInt(options.epochs ?? 100, "fit: epochs");
    const rng = new Rng(this.spec.seed + 1);
    let trainRows: Int32Array | null = null;
    let validation: DataSet | null = null;
    if (options.validation !== undefined) {
      validation = this.validationSet(options.validation, X.cols);
    } else if ((options.validationSplit ?? 0) > 0) {
      const frac = probability(options.validationSplit!, "fit: validationSplit", 1);
      const nVal = Math.floor(X.rows * frac);
      if (nVal < 1 || nVal >= X.rows) {
        throw new MlpOptionError(
          `fit: validationSplit ${frac} of ${X.rows} rows leaves an empty training or validation set`,
        );
      }
      const perm = rng.permutation(X.rows);
      trainRows = perm.slice(0, X.rows - nVal);
      validation = { x: X, y: Y, weights: W, rows: perm.slice(X.rows - nVal) };
    }
    const trainSet: DataSet = { x: X, y: Y, weights: W, rows: trainRows };
    this.standardizer = this.spec.standardize
      ? fitStandardizer(X, trainRows ?? undefined)
      : identityStandardizer(X.cols);

    const initial =
      options.initialParams ??
      initParams(this.arch, this.spec.init, new Rng(this.spec.seed), this.spec.dtype);
    this.checkParams(initial, "fit: initialParams");
    const nTrain = trainRows ? trainRows.length : X.rows;
    const { params, history } = train(
      this.context(),
      initial,
      trainSet,
      validation,
      {
        epochs,
        batchSize: Math.min(positiveInt(options.batchSize ?? 256, "fit: batchSize"), nTrain),
        optimizer: options.optimizer ?? defaultOptimizer(options.lr ?? 1e-3),
        weightDecay: options.weightDecay ?? 0,
        shuffle: options.shuffle ?? true,
        patience:
          options.patience === undefined
            ? undefined
            : positiveInt(options.patience, "fit: patience"),
        minDelta: options.minDelta ?? 0,
        restoreBest: options.restoreBest ?? validation !== null,
        onEpoch: options.onEpoch,
        plateau: options.plateau,
      },
      rng,
    );
    this.params = params;
    return history;
  }

  private validationSet(v: ValidationSet, cols: number): DataSet {
    const x = toMatrix(v.x, "fit: validation.x");
    if (x.cols !== cols) {
      throw new MlpShapeError(`fit: validation.x has ${x.cols} columns, training x has ${cols}`);
    }
    assertFinite(x.data, "fit: validation.x", x.cols);
    const y = toVector(v.y, x.rows, "fit: validation.y");
    const w =
      v.weights === undefined ? null : toVector(v.weights, x.rows, "fit: validation.weights");
    this.checkTarget(y, w, "fit: validation");
    return { x, y, weights: w, rows: null };
  }

  private checkParams(params: MlpParams, name: string): void {
    const expected = parameterShapes(this.arch!);
    if (!Array.isArray(params) || params.length !== expected.length) {
      throw new MlpShapeError(`${name}: expected ${expected.length} layers`);
    }
    expected.forEach((layer, i) => {
      const given = params[i] ?? {};
      const extra = Object.keys(given).find((k) => !(k in layer));
      if (extra !== undefined) {
        throw new MlpShapeError(`${name}: layer ${i} has an unexpected parameter "${extra}"`);
      }
      for (const [key, shape] of Object.entries(layer)) {
        const p = given[key];
        if (p === undefined || p.shape.join(",") !== shape.join(",")) {
          throw new MlpShapeError(
            `${name}: layer ${i} ${key} should have shape [${shape.join(", ")}], got ${p ? `[${p.shape.join(", ")}]` : "nothing"}`,
          );
        }
        if (p.dtype !== this.spec.dtype) {
          throw new MlpShapeError(
            `${name}: layer ${i} ${key} is ${p.dtype}, the model is ${this.spec.dtype}`,
          );
        }
      }
    });
  }

  /**
   * Predictions for rows `x`, computed in chunks of `chunkSize` rows so that memory
   * stays bounded for millions of grid cells. Returns μ of shape [rows] (class
   * probabilities [rows, K] for Categorical, (μ, σ) [rows, 2] for the
   * heteroscedastic head); with `type: "link"` the network output η instead
   * ([rows] for one output, [rows, outputs] otherwise).
   */
  predict(x: MatrixInput, options: PredictOptions = {}): Tensor {
    if (this.params === null || this.arch === null) throw new MlpNotFittedError("predict");
    const X = toMatrix(x, "predict: x");
    if (X.cols !== this.arch.inputs) {
      throw new MlpShapeError(
        `predict: x has ${X.cols} columns, the model was fitted on ${this.arch.inputs}`,
      );
    }
    // Never larger than the input: a huge chunkSize must not allocate a huge buffer.
    const chunk = Math.min(
      positiveInt(options.chunkSize ?? 8192, "predict: chunkSize"),
      Math.max(X.rows, 1),
    );
    const type = options.type ?? "response";
    const ctx = this.context();
    const params = this.params;
    const univariate = type === "response" && this.family !== undefined && this.arch.outputs === 1;
    const width = univariate ? 1 : this.arch.outputs;
    const out =
      this.spec.dtype === "float32"
        ? new Float32Array(X.rows * width)
        : new Float64Array(X.rows * width);
    const buf =
      this.spec.dtype === "float32"
        ? new Float32Array(chunk * X.cols)
        : new Float64Array(chunk * X.cols);
    noGrad(() => {
      for (let start = 0; start < X.rows; start += chunk) {
        const count = Math.min(chunk, X.rows - start);
        const xs = buf.subarray(0, count * X.cols);
        gatherMatrixRows(X, xs, null, start, count, ctx.standardizer);
        const eta = forward(ctx.arch, params, tensor(xs, { shape: [count, X.cols] }));
        const result = type === "link" ? eta : headResponse(ctx.head, eta);
        out.set(result.data, start * width);
      }
    });
    return tensor(out, { shape: width === 1 ? [X.rows] : [X.rows, width] });
  }

  /**
   * The training objective at `params` on rows `x` and targets `y`: the family's
   * weighted mean negative log-likelihood (for the heteroscedastic head, the
   * Gaussian one with its own σ per row) plus (λ/2)·Σ‖W‖² over the dense weights
   * with `weightDecay` — the loss `fit` minimises, as a differentiable scalar for a
   * training loop of your own:
   * `valueAndGrad((p) => model.loss(p, x, y))(model.params!)`. Rows are
   * standardised like the training rows; the model must be fitted or loaded (for
   * its architecture and standardiser). Dense weights are `[inputs, outputs]`.
   */
  loss(
    params: MlpParams,
    x: MatrixInput,
    y: VectorInput,
    options: { weights?: VectorInput; weightDecay?: number } = {},
  ): Tensor {
    if (this.arch === null || this.standardizer === null) throw new MlpNotFittedError("loss");
    const X = toMatrix(x, "loss: x");
    if (X.cols !== this.arch.inputs)
      throw new MlpShapeError(
        `loss: x has ${X.cols} columns, the model was fitted on ${this.arch.inputs}`,
      );
    assertFinite(X.data, "loss: x", X.cols);
    const Y = toVector(y, X.rows, "loss: y");
    const W =
      options.weights === undefined ? null : toVector(options.weights, X.rows, "loss: weights");
    this.checkTarget(Y, W, "loss");
    this.checkParams(params, "loss: params");
    const decay = options.weightDecay ?? 0;
    if (!(decay >= 0))
      throw new MlpOptionError(`loss: weightDecay must be ≥ 0, got ${show(decay)}`);
    const ctx = this.context();
    const b = batchTensors(ctx, { x: X, y: Y, weights: W, rows: null }, null, 0, X.rows);
    return objective(ctx, params, b.x, b.y, b.weights, decay);
  }

  /** The model as a JSON-ready object; `weights: "arrays"` writes plain numbers instead of base64. */
  toJSON(options: { weights?: WeightEncoding } = {}): MlpJSON {
    if (this.params === null || this.arch === null || this.standardizer === null) {
      throw new MlpNotFittedError("toJSON");
    }
    return {
      format: "geoml.mlp",
      version: 1,
      architecture: { ...this.arch, hidden: [...this.arch.hidden] },
      init: this.spec.init,
      standardize: this.spec.standardize,
      seed: this.spec.seed,
      dtype: this.spec.dtype,
      family:
        this.family === undefined
          ? null
          : familyToJSON(this.family, this.arch.outputs, this.familyParameters),
      standardizer: { mean: [...this.standardizer.mean], scale: [...this.standardizer.scale] },
      params: paramsToJSON(this.params, options.weights ?? "base64"),
    };
  }

  /**
   * Rebuilds a model saved with {@link Mlp.toJSON}; its predictions equal the
   * saved model's bit for bit. A custom family object may be passed for families
   * that cannot be rebuilt by name.
   */
  static fromJSON(json: MlpJSON, options: { family?: Family } = {}): Mlp {
    if (json === null || typeof json !== "object" || json.format !== "geoml.mlp") {
      throw new MlpFormatError('fromJSON: not a saved MLP (expected format "geoml.mlp")');
    }
    if (json.version !== 1) {
      throw new MlpFormatError(
        `fromJSON: unsupported version ${show(json.version)}; this release reads version 1`,
      );
    }
    const a = json.architecture;
    if (
      a === null ||
      typeof a !== "object" ||
      !Array.isArray(a.hidden) ||
      typeof a.activation !== "string" ||
      typeof a.layerNorm !== "boolean" ||
      typeof a.dropout !== "number"
    ) {
      throw new MlpFormatError(
        "fromJSON: architecture must hold hidden (array), activation (name), layerNorm (boolean) and dropout (number)",
      );
    }
    if (json.family !== null && (typeof json.family !== "object" || json.family === undefined)) {
      throw new MlpFormatError(
        "fromJSON: family must be an object, or null for the heteroscedastic head",
      );
    }
    const family =
      json.family === null ? undefined : (options.family ?? familyFromJSON(json.family));
    let model: Mlp;
    try {
      model = new Mlp({
        hidden: a.hidden,
        activation: a.activation,
        family,
        familyParameters: json.family === null ? undefined : json.family,
        heteroscedastic: json.family === null,
        classes: json.family?.k,
        init: json.init,
        dropout: a.dropout,
        layerNorm: a.layerNorm,
        standardize: json.standardize,
        dtype: json.dtype,
        seed: json.seed,
      });
    } catch (e) {
      throw new MlpFormatError(`fromJSON: ${(e as Error).message}`);
    }
    if (!Number.isInteger(a.inputs) || a.inputs < 1) {
      throw new MlpFormatError(
        `fromJSON: architecture.inputs must be a positive integer, got ${show(a.inputs)}`,
      );
    }
    if (a.outputs !== model.outputs()) {
      throw new MlpFormatError(
        `fromJSON: architecture.outputs is ${show(a.outputs)}, the ${json.family === null ? "heteroscedastic Gaussian" : show(json.family.name)} head needs ${model.outputs()}`,
      );
    }
    // Built from the validated spec so that nothing unchecked reaches forward().
    model.arch = {
      inputs: a.inputs,
      hidden: model.spec.hidden,
      outputs: a.outputs,
      activation: model.spec.activation,
      layerNorm: model.spec.layerNorm,
      dropout: model.spec.dropout,
    };
    const { mean, scale } = json.standardizer ?? {};
    if (
      !Array.isArray(mean) ||
      !Array.isArray(scale) ||
      mean.length !== a.inputs ||
      scale.length !== a.inputs
    ) {
      throw new MlpFormatError(
        `fromJSON: standardizer must hold ${show(a.inputs)} means and scales`,
      );
    }
    model.standardizer = { mean: Float64Array.from(mean), scale: Float64Array.from(scale) };
    const params = paramsFromJSON(json.params, model.spec.dtype);
    try {
      model.checkParams(params, "fromJSON: params");
    } catch (e) {
      throw new MlpFormatError((e as Error).message);
    }
    model.params = params;
    return model;
  }
}

/**
 * A multilayer perceptron with a family on top, e.g.
 * `mlp({ hidden: [64, 64], activation: "tanh", family: "poisson" })`. Train it with
 * {@link Mlp.fit}, apply it with {@link Mlp.predict}, save it with {@link Mlp.toJSON}.
 */
export function mlp(spec: MlpSpec = {}): Mlp {
  return new Mlp(spec);
}

/**
 * Fits an MLP to the columns of a table from a formula: `fitMlp(spec, { formula,
 * data }, fitOptions)` → {@link MlpResults}. A Categorical network takes K from
 * the response's levels when `spec.classes` is not given.
 */
export function fitMlp(
  spec: MlpSpec,
  input: MlpFormulaInput,
  options: FitOptions = {},
): MlpResults {
  return fitMlpWith(spec, input, options, mlp);
}

/** Reads a model saved with {@link Mlp.toJSON} (an object or its JSON text). */
export function loadMlp(json: MlpJSON | string, options: { family?: Family } = {}): Mlp {
  let parsed: MlpJSON;
  if (typeof json === "string") {
    try {
      parsed = JSON.parse(json) as MlpJSON;
    } catch (e) {
      throw new MlpFormatError(`loadMlp: the text is not JSON (${(e as Error).message})`);
    }
  } else {
    parsed = json;
  }
  return Mlp.fromJSON(parsed, options);
}
