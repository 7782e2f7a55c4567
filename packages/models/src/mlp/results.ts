/**
 * The fitted MLP under the model contract: the network plus how to code new
 * data (a formula's {@link DesignInfo}, or the number of matrix columns), class
 * labels of a Categorical response, and the training history.
 */
import { tensor } from "@geoml/autodiff";
import { ndtri } from "@geoml/losses";
import { ModelError } from "../contract/errors.js";
import { checkPredictOptions } from "../contract/predict.js";
import type { NewData, Prediction, PredictOptions, Results } from "../contract/results.js";
import { buildDesign, type DataFrame, type Design, type DesignInfo } from "../formula/design.js";
import { MlpFormatError, MlpShapeError } from "./errors.js";
import type { Mlp } from "./model.js";
import type { MlpJSON } from "./serialize.js";
import type { FitHistory } from "./train.js";

/** The saved form of an {@link MlpResults}: the network of `Mlp.toJSON` under the contract's header. */
export interface MlpState extends Omit<MlpJSON, "format" | "version"> {
  kind: "mlp";
  formatVersion: 1;
  /** How new data is coded: the formula with its levels, or null for rows of numbers. */
  design: DesignInfo | null;
  /** Class labels of a Categorical response (default "0" … "K−1"). */
  classLabels?: string[];
}

/** Row-major predictor columns of a design, without the intercept (biases play its role). */
export function predictorRows(design: Design): {
  data: Float64Array;
  cols: number;
  names: string[];
} {
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

/** A fitted network. Create with `mlp(spec).fit({ formula, data })` or `loadModel(json)`. */
export class MlpResults implements Results {
  /** The model kind tag, "mlp". */
  readonly kind = "mlp";

  /**
   * @param model a fitted network.
   * @param design how new data is coded: a formula's design info, or null for rows of numbers.
   * @param classLabels labels of the classes of a Categorical network (default "0"…"K−1").
   * @param history the training history, when this object comes from fitting.
   * @param nObs rows used for training, when this object comes from fitting.
   */
  constructor(
    readonly model: Mlp,
    readonly design: DesignInfo | null = null,
    readonly classLabels: readonly string[] | null = null,
    readonly history: FitHistory | null = null,
    readonly nObs: number | null = null,
  ) {
    if (model.params === null) throw new MlpFormatError("MlpResults: the network is not fitted");
  }

  /** Class labels when the network predicts class probabilities, else null. */
  get classes(): readonly string[] | null {
    const m = this.model;
    if (m.family?.name !== "categorical") return null;
    const k = m.architecture!.outputs;
    return this.classLabels ?? Array.from({ length: k }, (_, i) => String(i));
  }

  /** Network inputs of new data, coded like the training rows. */
  private inputs(data: NewData, missing: "error" | "drop") {
    if (this.design === null) {
      if (!Array.isArray(data))
        throw new MlpShapeError(
          "predict: this network was fitted on a matrix: pass rows of numbers",
        );
      const rows = data as readonly (readonly number[])[];
      return { x: tensor(rows as number[][]), rows: Int32Array.from(rows, (_, i) => i) };
    }
    if (Array.isArray(data))
      throw new MlpShapeError(
        "predict: this network was fitted with a formula: pass named columns",
      );
    const design = buildDesign(this.design.formula, data as DataFrame, {
      info: this.design,
      noResponse: true,
      missing,
    });
    const x = predictorRows(design);
    return { x: tensor(x.data, { shape: [design.n, x.cols] }), rows: design.rows };
  }

  /**
   * Predictions for new data: μ per row, or class probabilities (rows × K) for a
   * Categorical network; `type: "link"` gives the network output η. The network
   * has no standard errors; the heteroscedastic Gaussian head has prediction
   * intervals μ ± z·σ from its own σ per row.
   */
  predict(data: NewData, options: PredictOptions = {}): Prediction {
    const o = checkPredictOptions(options, "MlpResults.predict");
    if (o.se || o.interval === "confidence")
      throw new ModelError(
        "BAD_OPTION",
        "MlpResults.predict: a network has no standard errors, so no se or confidence interval",
      );
    const heteroscedastic = this.model.family === undefined;
    if (o.interval === "prediction" && !heteroscedastic)
      throw new ModelError(
        "BAD_OPTION",
        "MlpResults.predict: prediction intervals need the heteroscedastic Gaussian head (it predicts σ)",
      );
    const { x, rows } = this.inputs(data, o.missing);
    const out = this.model.predict(x, { type: heteroscedastic ? "response" : o.type });
    const classes = this.classes;
    const n = rows.length;
    const values = Float64Array.from(out.data);
    if (classes !== null)
      return { rows, type: o.type, fit: values, width: classes.length, classes };
    if (!heteroscedastic) return { rows, type: o.type, fit: values, width: 1 };
    // (μ, σ) per row: the mean is the prediction on either scale (identity link)
    const fit = new Float64Array(n);
    for (let i = 0; i < n; i++) fit[i] = values[2 * i];
    if (o.interval !== "prediction") return { rows, type: o.type, fit, width: 1 };
    const z = ndtri(1 - (1 - o.level) / 2);
    const lower = new Float64Array(n);
    const upper = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lower[i] = fit[i] - z * values[2 * i + 1];
      upper[i] = fit[i] + z * values[2 * i + 1];
    }
    return {
      rows,
      type: o.type,
      fit,
      width: 1,
      lower,
      upper,
      interval: "prediction",
      level: o.level,
    };
  }

  /** A short text summary: architecture, family, rows, epochs and losses. */
  summary(): string {
    const arch = this.model.architecture!;
    const layers = [arch.inputs, ...arch.hidden, arch.outputs].join(" → ");
    const f = this.model.family;
    const family = f ? `${f.name} (${f.link.name} link)` : "heteroscedastic Gaussian (μ, σ)";
    const lines = [`MLP ${layers}, ${arch.activation}; family ${family}`];
    if (this.design) lines.push(`formula: ${this.design.formula}`);
    const h = this.history;
    if (h) {
      const last = h.loss.length;
      if (this.nObs !== null) lines.push(`rows: ${this.nObs}`);
      lines.push(
        `epochs: ${last}${h.stoppedEarly ? " (stopped early)" : ""}; best epoch: ${h.bestEpoch}`,
        `training loss: ${h.loss[last - 1]?.toPrecision(6)}`,
      );
      if (h.validationLoss.length > 0)
        lines.push(
          `validation loss: ${h.validationLoss[h.bestEpoch - 1]?.toPrecision(6)} (best epoch)`,
        );
    }
    return lines.join("\n");
  }

  /** The saved form; `loadModel` (or `loadMlpResults`) reads it back with identical predictions. */
  toJSON(): MlpState {
    const { format: _f, version: _v, ...net } = this.model.toJSON();
    const out: MlpState = { kind: "mlp", formatVersion: 1, ...net, design: this.design };
    if (this.classLabels) out.classLabels = [...this.classLabels];
    return out;
  }
}
