/**
 * The model contract. Every model kind — GLM, multinomial, elastic net, MLP, the
 * GAM, and any kind a user adds — is a specification whose `fit(...)` returns a
 * {@link Results}; every `Results` predicts on new data, prints a summary and
 * saves itself as JSON tagged with its `kind` and `formatVersion`, which
 * {@link loadModel} reads back through the kind registry.
 *
 * ```
 * spec ──fit(data)──► Results ─┬─ predict(newdata, { type, se, interval, level }) ─► Prediction
 *                              ├─ summary()
 *                              └─ toJSON() ─► { kind, formatVersion, … } ─► loadModel(json)
 * ```
 */
import type { DataFrame, MissingPolicy } from "../formula/design.js";

/** New data for {@link Results.predict}: named columns (formula models) or rows of numbers (matrix models). */
export type NewData = DataFrame | readonly (readonly number[])[];

/** The scale of a prediction: the mean μ ("response") or the linear predictor η ("link"). */
export type PredictType = "response" | "link";

/** Which interval {@link Results.predict} adds. */
export type IntervalKind = "confidence" | "prediction";

/** Options of {@link Results.predict}; a kind ignores none silently (unsupported → error). */
export interface PredictOptions {
  /** "response" (default): μ, or class probabilities; "link": η. */
  type?: PredictType;
  /** Add `seLink`, the standard error of η̂ (kinds with one output per row). */
  se?: boolean;
  /**
   * Add `lower`/`upper` on the scale of `type`: "confidence" for the mean
   * (η̂ ± z·se on the link scale, then the inverse link at both ends, as
   * statsmodels' `get_prediction().summary_frame()`), "prediction" for a new
   * observation where the family defines one (Gaussian: μ̂ ± t(df)·√(se_μ² + φ)).
   */
  interval?: IntervalKind;
  /** Coverage of the interval, in (0, 1); default 0.95. */
  level?: number;
  /** Rows of new data with missing values: "error" (default) or "drop" (see `Prediction.rows`). */
  missing?: MissingPolicy;
  /**
   * Offset added to η (formula models: a column name; or values per row).
   * Default: the offset column used when fitting, when the new data has it.
   */
  offset?: string | ArrayLike<number>;
}

/**
 * What {@link Results.predict} returns. Kinds with one output per row (GLM, GAM,
 * MLP regression or binary) fill `fit` with one value per row; kinds with class
 * probabilities (multinomial, categorical MLP) set `classes` and fill `fit` with
 * `rows.length × classes.length` probabilities, row-major.
 */
export interface Prediction {
  /** 0-based index in the new data of each predicted row (all rows unless `missing: "drop"`). */
  readonly rows: Int32Array;
  /** The scale of `fit`, `lower` and `upper`. */
  readonly type: PredictType;
  /** Values per row: one per row, or `width` per row (row-major). */
  readonly fit: Float64Array;
  /** Outputs per row: 1, or the number of classes. */
  readonly width: number;
  /** Class labels in model order, when `fit` holds class probabilities. */
  readonly classes?: readonly string[];
  /** Standard error of η̂ per row, when `se` was asked. */
  readonly seLink?: Float64Array;
  /** Interval ends per row on the scale of `type`, when `interval` was asked. */
  readonly lower?: Float64Array;
  readonly upper?: Float64Array;
  /** The interval asked for, and its level. */
  readonly interval?: IntervalKind;
  readonly level?: number;
}

/** The top level every saved model shares. */
export interface SavedModel {
  /** The model kind's tag, e.g. "glm", "multinomial", "mlp" (see {@link ModelKind}). */
  readonly kind: string;
  /** Version of the kind's file layout: an integer, 1 now. */
  readonly formatVersion: number;
}

/** A fitted model of any kind. */
export interface Results {
  /** The model kind's tag (the same as in {@link SavedModel.kind}). */
  readonly kind: string;
  /** Predictions on new data; see {@link PredictOptions} and {@link Prediction}. */
  predict(newdata: NewData, options?: PredictOptions): Prediction;
  /** A plain-text summary in a layout people know (statsmodels, mgcv). */
  summary(): string;
  /** The JSON-ready saved form; `loadModel(JSON.stringify(results))` gives equal predictions. */
  toJSON(): SavedModel;
}
