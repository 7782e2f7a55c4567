import { tensor } from "@geoml/autodiff";
import {
  buildDesign,
  type DataFrame,
  type Design,
  type DesignInfo,
  type MissingPolicy,
} from "../formula/index.js";
import { type MlpArgs, mlpOptionsFromArgs } from "./cli.js";
import { MlpFormatError, MlpOptionError } from "./errors.js";
import { loadMlp, type Mlp, mlp } from "./model.js";
import type { MlpJSON } from "./serialize.js";
import type { FitHistory } from "./train.js";

/** A saved MLP fitted from a formula: the network plus how to code new data. */
export interface MlpTableJSON extends MlpJSON {
  design: DesignInfo;
  /** Class labels of a Categorical response given as strings. */
  classLabels?: string[];
}

/** The result of {@link fitMlpFromFormula}. */
export interface MlpTableFit {
  model: Mlp;
  history: FitHistory;
  design: DesignInfo;
  /** Class labels of a Categorical response given as strings, else null. */
  classLabels: string[] | null;
  /** Rows used for training (after dropping missing values when asked). */
  rows: number;
  /** A short text summary: architecture, family, rows, epochs and losses. */
  summary(): string;
  /** The same summary as one JSON-ready object. */
  summaryJSON(): Record<string, unknown>;
  /** The model with its design, for `loadMlpTable` / `predictMlpTable`. */
  toJSON(): MlpTableJSON;
}

/** The largest value (a loop: spreading millions of values into Math.max overflows the stack). */
function largest(values: Float64Array): number {
  let m = 0;
  for (const v of values) if (v > m) m = v;
  return m;
}

/** Row-major predictor columns of a design, without the intercept (biases play its role). */
function predictorRows(design: Design): { data: Float64Array; cols: number; names: string[] } {
  const keep = design.names
    .map((name, j) => [name, j] as const)
    .filter(([name]) => name !== "Intercept");
  const n = design.n;
  const data = new Float64Array(n * keep.length);
  keep.forEach(([, j], c) => {
    for (let i = 0; i < n; i++) data[i * keep.length + c] = design.x[j * n + i];
  });
  return { data, cols: keep.length, names: keep.map(([name]) => name) };
}

/**
 * Fits an MLP to the columns of a table from a formula (`y ~ x1 + x2 + C(zone)`)
 * with the command-line flags of `geoml fit --model mlp` (see {@link MlpArgs}).
 * `cbind(s, f)` responses train a Binomial on proportions weighted by trials.
 */
export function fitMlpFromFormula(
  args: MlpArgs,
  formula: string,
  data: DataFrame,
  options: { weights?: string; missing?: MissingPolicy } = {},
): MlpTableFit {
  const design = buildDesign(formula, data, { weights: options.weights, missing: options.missing });
  if (design.y === null)
    throw new MlpOptionError(`formula "${formula}": the MLP needs a response (y ~ …)`);
  if (design.offset !== null) {
    throw new MlpOptionError(
      `formula "${formula}": offsets are not supported by the MLP; use a GLM`,
    );
  }
  const { spec, fit } = mlpOptionsFromArgs(args);
  const categorical = spec.family === "categorical" || (spec.family as string) === "multinomial";
  if (categorical) {
    spec.family = "categorical";
    if (spec.classes === undefined) {
      spec.classes = design.yLevels?.length ?? largest(design.y) + 1;
    }
  }
  let weights: Float64Array | undefined;
  if (design.trials !== null || design.weights !== null) {
    weights = new Float64Array(design.n).fill(1);
    for (let i = 0; i < design.n; i++) {
      weights[i] = (design.trials?.[i] ?? 1) * (design.weights?.[i] ?? 1);
    }
  }
  const x = predictorRows(design);
  if (x.cols === 0)
    throw new MlpOptionError(`formula "${formula}": the MLP needs at least one predictor`);
  const model = mlp(spec);
  const history = model.fit(tensor(x.data, { shape: [design.n, x.cols] }), design.y, {
    ...fit,
    weights,
  });
  const classLabels = categorical && design.yLevels ? [...design.yLevels] : null;
  const arch = model.architecture!;
  return {
    model,
    history,
    design: design.info,
    classLabels,
    rows: design.n,
    summary() {
      const layers = [arch.inputs, ...arch.hidden, arch.outputs].join(" → ");
      const family = model.family
        ? `${model.family.name} (${model.family.link.name} link)`
        : "heteroscedastic Gaussian (μ, σ)";
      const last = history.loss.length;
      const lines = [
        `MLP ${layers}, ${arch.activation}; family ${family}`,
        `formula: ${formula}; predictors: ${x.names.join(", ")}`,
        `rows: ${design.n}; epochs: ${last}${history.stoppedEarly ? " (stopped early)" : ""}; best epoch: ${history.bestEpoch}`,
        `training loss: ${history.loss[last - 1]?.toPrecision(6)}`,
      ];
      const val = history.validationLoss;
      if (val.length > 0)
        lines.push(`validation loss: ${val[history.bestEpoch - 1]?.toPrecision(6)} (best epoch)`);
      return lines.join("\n");
    },
    summaryJSON() {
      return {
        model: "mlp",
        family: model.family?.name ?? "gaussian (heteroscedastic)",
        link: model.family?.link.name ?? "identity",
        formula,
        predictors: x.names,
        layers: [arch.inputs, ...arch.hidden, arch.outputs],
        activation: arch.activation,
        nObs: design.n,
        epochs: history.loss.length,
        bestEpoch: history.bestEpoch,
        stoppedEarly: history.stoppedEarly,
        loss: history.loss,
        validationLoss: history.validationLoss,
      };
    },
    toJSON() {
      const json: MlpTableJSON = { ...model.toJSON(), design: design.info };
      if (classLabels) json.classLabels = classLabels;
      return json;
    },
  };
}

/**
 * Predicts with a model saved from {@link fitMlpFromFormula} on new columns, coded
 * like the training data: μ per row ([rows, K] probabilities for Categorical).
 */
export function predictMlpFromFormula(
  saved: MlpTableJSON | string,
  data: DataFrame,
  options: { missing?: MissingPolicy; type?: "response" | "link" } = {},
): { values: Float64Array | Float32Array; width: number; rows: Int32Array } {
  const json = (typeof saved === "string" ? JSON.parse(saved) : saved) as MlpTableJSON;
  if (json?.design === undefined || typeof json.design.formula !== "string") {
    throw new MlpFormatError(
      "predictMlpFromFormula: the saved model has no design (fit it from a formula)",
    );
  }
  const model = loadMlp(json);
  const design = buildDesign(json.design.formula, data, {
    info: json.design,
    noResponse: true,
    missing: options.missing,
  });
  const x = predictorRows(design);
  const out = model.predict(tensor(x.data, { shape: [design.n, x.cols] }), { type: options.type });
  return { values: out.data, width: out.ndim === 1 ? 1 : out.shape[1], rows: design.rows };
}
