/**
 * The fitted GLM: coefficients with names, Wald inference from the Fisher
 * information, goodness of fit, prediction on new data, a statsmodels-style
 * summary table, and JSON save/load.
 */

import { builtInFamilyName, type Family } from "@geoml/losses";
import { ModelFileError } from "../contract/errors.js";
import {
  checkPredictOptions,
  confidenceInterval,
  predictionInterval,
} from "../contract/predict.js";
import type {
  PredictOptions as ContractPredictOptions,
  NewData,
  Prediction,
  Results,
} from "../contract/results.js";
import {
  buildDesign,
  type DataFrame,
  type DesignInfo,
  designFromMatrix,
} from "../formula/design.js";
import { rowQuadraticForm } from "../linalg/crossprod.js";
import { releaseDesign } from "../linalg/design-memory.js";
import { DataError } from "./errors.js";
import { type FamilyOptions, float64Family, resolveFamily } from "./family.js";
import { normalPValue, normalQuantile } from "./stats.js";

/** Everything that defines a fitted GLM; this is also its JSON form. */
export interface GlmState {
  /** Model kind tag of the saved file (files of earlier releases have `format: "geoml-glm"`). */
  kind: "glm";
  /** Layout version of the saved file. */
  formatVersion: 1;
  family: string;
  link: string;
  /**
   * True when the model was fitted with a family object not made by a built-in
   * factory of `@geoml/losses`: loading then needs that family again (given to
   * `loadGlm`, or registered under its name with `registerFamily`).
   */
  customFamily?: boolean;
  familyOptions: FamilyOptions;
  /** "irls" or the gradient method used. */
  method: string;
  /** Design description: a formula with its levels, or matrix column names. */
  design:
    | { kind: "formula"; info: DesignInfo; offsetColumn?: string; weightsColumn?: string }
    | { kind: "matrix"; names: string[] };
  /** Response label (formula left side, or "y"). */
  response: string;
  names: string[];
  params: number[];
  /** Covariance of the estimates (dispersion included), p×p row-major; null entries for aliased. */
  cov: (number | null)[];
  aliased: string[];
  deviance: number;
  nullDeviance: number;
  logLik: number;
  aic: number;
  bic: number;
  pearsonChi2: number;
  dispersion: number;
  nObs: number;
  dfResidual: number;
  dfModel: number;
  iterations: number;
  converged: boolean;
  /** Coefficients that diverge because of separation, or empty. */
  separation: string[];
  /** Penalty used when fitting, if any. */
  penalty: { l2?: number; lambda?: number; alpha?: number } | null;
}

/** Options of {@link GlmResults.predict}: the contract's options (type, se, interval, level, offset, missing). */
export type PredictOptions = ContractPredictOptions;

/** A row of the coefficient table. */
export interface CoefficientRow {
  name: string;
  estimate: number;
  stdError: number;
  z: number;
  pValue: number;
  lower: number;
  upper: number;
}

/** The statistics a fit computes on first use, as statsmodels' results do. */
export type DeferredStatistics = () => Pick<GlmState, "nullDeviance" | "logLik" | "aic" | "bic"> &
  Partial<Pick<GlmState, "pearsonChi2">>;

/** A fitted generalized linear model. Create with `glm(...).fit(...)` or {@link loadGlm}. */
export class GlmResults implements Results {
  /** The model kind tag, "glm". */
  readonly kind = "glm";
  #state: GlmState;
  #deferred: DeferredStatistics | null;
  #family: Family | undefined;
  /** Coefficient names, in design order. */
  readonly names: readonly string[];
  /** Estimates in design order (NaN for aliased columns). */
  readonly params: Float64Array;
  /** Covariance matrix of the estimates, p×p row-major. */
  readonly cov: Float64Array;

  /**
   * @param state a fitted model's state (as produced by fitting or {@link loadGlm}).
   * @param deferred computes the null deviance, log-likelihood, AIC and BIC (and the
   *   Pearson χ² where the dispersion is fixed) when one of them (or the state) is
   *   first read: each is another pass over the data,
   *   which a fit inside a loop may never need. Until then `state` holds NaN there.
   */
  constructor(
    state: GlmState,
    deferred: DeferredStatistics | null = null,
    family: Family | undefined = undefined,
  ) {
    this.#state = state;
    this.#deferred = deferred;
    this.#family = family;
    this.names = state.names;
    this.params = Float64Array.from(state.params);
    this.cov = Float64Array.from(state.cov, (v) => (v === null ? Number.NaN : v));
  }

  /** The saved state; every other property is derived from it. */
  get state(): GlmState {
    if (this.#deferred) {
      Object.assign(this.#state, this.#deferred());
      // the closure holds the data: let it go
      this.#deferred = null;
    }
    return this.#state;
  }

  /** Estimates by name. */
  get coefficients(): Record<string, number> {
    return Object.fromEntries(this.names.map((n, j) => [n, this.params[j]]));
  }
  /** Standard errors √diag(cov), by name. */
  get stdErrors(): Record<string, number> {
    const p = this.names.length;
    return Object.fromEntries(this.names.map((n, j) => [n, Math.sqrt(this.cov[j * p + j])]));
  }
  /** Standard errors in design order. */
  get bse(): Float64Array {
    const p = this.names.length;
    return Float64Array.from(this.names, (_, j) => Math.sqrt(this.cov[j * p + j]));
  }
  /** Wald z statistics β/se. */
  get zValues(): Float64Array {
    const se = this.bse;
    return this.params.map((b, j) => b / se[j]);
  }
  /** Two-sided p-values of the Wald statistics (normal reference, as statsmodels' GLM). */
  get pValues(): Float64Array {
    return this.zValues.map(normalPValue);
  }
  /** Wald confidence intervals [lower, upper] at level 1 − alpha (default 95%). */
  confInt(alpha = 0.05): [number, number][] {
    const q = normalQuantile(1 - alpha / 2);
    const se = this.bse;
    return Array.from(this.params, (b, j) => [b - q * se[j], b + q * se[j]]);
  }
  /** The coefficient table as rows. */
  coefficientTable(alpha = 0.05): CoefficientRow[] {
    const se = this.bse;
    const z = this.zValues;
    const pv = this.pValues;
    const ci = this.confInt(alpha);
    return this.names.map((name, j) => ({
      name,
      estimate: this.params[j],
      stdError: se[j],
      z: z[j],
      pValue: pv[j],
      lower: ci[j][0],
      upper: ci[j][1],
    }));
  }

  /** Σ wᵢ d(yᵢ, μᵢ) at the estimate. */
  get deviance(): number {
    return this.#state.deviance;
  }
  /** Deviance of the intercept-only model (with the offset). */
  get nullDeviance(): number {
    return this.state.nullDeviance;
  }
  /** Log-likelihood at the estimate (statsmodels' convention for the scale). */
  get logLik(): number {
    return this.state.logLik;
  }
  /** −2ℓ + 2·rank. */
  get aic(): number {
    return this.state.aic;
  }
  /** −2ℓ + rank·log(nObs). */
  get bic(): number {
    return this.state.bic;
  }
  /** Σ wᵢ (yᵢ − μᵢ)² / V(μᵢ). */
  get pearsonChi2(): number {
    return this.state.pearsonChi2;
  }
  /** Dispersion φ: Pearson χ²/df for families that estimate it, else 1. */
  get dispersion(): number {
    return this.#state.dispersion;
  }
  /** Observations with a positive weight. */
  get nObs(): number {
    return this.#state.nObs;
  }
  /** nObs − rank. */
  get dfResidual(): number {
    return this.#state.dfResidual;
  }
  /** Iterations of the fitting method. */
  get iterations(): number {
    return this.#state.iterations;
  }
  /** False when the iteration limit was reached (or separation was flagged). */
  get converged(): boolean {
    return this.#state.converged;
  }
  /** Names of aliased (linearly dependent) columns, reported as NaN like R's NA. */
  get aliased(): readonly string[] {
    return this.#state.aliased;
  }

  /** Design of new data: the formula with the fitted levels, or a matrix (rows × columns). */
  private designOf(
    data: DataFrame | readonly (readonly number[])[],
    options: PredictOptions,
  ): { x: Float64Array; n: number; p: number; offset: Float64Array | null; rows: Int32Array } {
    const d = this.#state.design;
    let offset: Float64Array | null = null;
    if (d.kind === "formula") {
      if (Array.isArray(data))
        throw new DataError("BAD_DATA", "this model was fitted with a formula: pass named columns");
      const df = data as DataFrame;
      const fitted =
        d.offsetColumn !== undefined && df[d.offsetColumn] !== undefined
          ? d.offsetColumn
          : undefined;
      const des = buildDesign(d.info.formula, df, {
        info: d.info,
        noResponse: true,
        missing: options.missing,
        offset:
          typeof options.offset === "string"
            ? options.offset
            : options.offset === undefined
              ? fitted
              : undefined,
      });
      offset = des.offset;
      if (options.offset !== undefined && typeof options.offset !== "string")
        offset = addOffset(offset, options.offset, des.n);
      return { x: des.x, n: des.n, p: des.p, offset, rows: des.rows };
    }
    if (!Array.isArray(data))
      throw new DataError("BAD_DATA", "this model was fitted on a matrix: pass rows of numbers");
    const m = designFromMatrix(data as number[][], d.names);
    if (typeof options.offset === "string")
      throw new DataError("BAD_DATA", "a matrix model takes offset values, not a column name");
    if (options.offset !== undefined) offset = addOffset(null, options.offset, m.n);
    return { x: m.x, n: m.n, p: m.p, offset, rows: Int32Array.from({ length: m.n }, (_, i) => i) };
  }

  /**
   * Predictions for new data on the response (default) or link scale, with the
   * standard error of η̂ (`se: true`) and confidence or prediction intervals
   * (`interval`, `level`); see the model contract's {@link Prediction}.
   */
  predict(data: NewData, options: PredictOptions = {}): Prediction {
    const o = checkPredictOptions(options, "GlmResults.predict");
    const r = this.predictWithSe(data, { ...options, type: o.type });
    const out: {
      -readonly [K in keyof Prediction]: Prediction[K];
    } = { rows: r.rows, type: o.type, fit: r.fit, width: 1 };
    if (o.se) out.seLink = r.seLink;
    if (o.interval !== undefined) {
      const fam = float64Family(this.familyObject());
      const iv =
        o.interval === "confidence"
          ? confidenceInterval(r.eta, r.seLink, o.level, o.type, fam.mean)
          : predictionInterval(fam.family, {
              eta: r.eta,
              mu: o.type === "response" ? r.fit : fam.mean(r.eta),
              dmu: fam.meanDerivative(r.eta),
              seLink: r.seLink,
              scale: this.dispersion,
              dfResidual: this.dfResidual,
              level: o.level,
              type: o.type,
              link: fam.link,
            });
      out.lower = iv.lower;
      out.upper = iv.upper;
      out.interval = o.interval;
      out.level = o.level;
    }
    return out;
  }

  /**
   * Predictions with standard errors on the link scale, √(xᵀ Cov x); `fit` is on
   * the scale asked for (response by default); `rows` are the input rows kept
   * (all of them unless `missing: "drop"` removed some).
   */
  predictWithSe(
    data: DataFrame | readonly (readonly number[])[],
    options: PredictOptions = {},
  ): { fit: Float64Array; seLink: Float64Array; eta: Float64Array; rows: Int32Array } {
    const { x, n, p, offset, rows } = this.designOf(data, options);
    const beta = this.params.map((b) => (Number.isNaN(b) ? 0 : b));
    const eta = offset ? Float64Array.from(offset) : new Float64Array(n);
    for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) eta[i] += beta[j] * x[j * n + i];
    const cov = this.cov.map((v) => (Number.isNaN(v) ? 0 : v));
    const seLink = rowQuadraticForm(x, n, p, cov).map(Math.sqrt);
    // the design was made here and the predictions are new arrays: its memory can go
    // to the next design (another prediction on data of that size, or a fit)
    releaseDesign(x);
    const fit = options.type === "link" ? eta : float64Family(this.familyObject()).mean(eta);
    return { fit, seLink, eta, rows };
  }

  /**
   * The `@geoml/losses` family object of this model: the object it was fitted
   * with, or (after loading) the family registered under its name.
   */
  familyObject(): Family {
    if (this.#family === undefined) {
      const f = resolveFamily(this.#state.family, {
        ...this.#state.familyOptions,
        link: this.#state.link,
      });
      // a user-defined family that shares a built-in name must not come back as the built-in
      if (this.#state.customFamily && builtInFamilyName(f) !== undefined)
        throw new ModelFileError(
          `the model was fitted with a user-defined family named "${this.#state.family}" (link "${this.#state.link}"); ` +
            "pass that family to loadGlm(json, { family })",
        );
      this.#family = f;
    }
    return this.#family;
  }

  /** A plain-text summary in the layout of statsmodels' `GLMResults.summary()`. */
  summary(alpha = 0.05): string {
    return formatSummary(this, alpha);
  }

  /** The JSON-serialisable state (what {@link loadGlm} reads back). */
  toJSON(): GlmState {
    return this.state;
  }
}

function addOffset(base: Float64Array | null, extra: ArrayLike<number>, n: number): Float64Array {
  if (extra.length !== n)
    throw new DataError("BAD_DATA", `offset has ${extra.length} values for ${n} rows`);
  const out = base ? Float64Array.from(base) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] += extra[i];
  return out;
}

const FAMILY_TITLE: Record<string, string> = {
  gaussian: "Gaussian",
  binomial: "Binomial",
  poisson: "Poisson",
  gamma: "Gamma",
  inverse_gaussian: "InverseGaussian",
  negative_binomial: "NegativeBinomial",
  tweedie: "Tweedie",
};

function fmt(v: number, width: number, digits = 4): string {
  let s: string;
  if (Number.isNaN(v)) s = "NaN";
  else if (!Number.isFinite(v)) s = v > 0 ? "inf" : "-inf";
  else if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-4)) s = v.toExponential(digits - 1);
  else s = v.toFixed(digits);
  return s.padStart(width);
}

function formatSummary(r: GlmResults, alpha: number): string {
  const s = r.state;
  const W = 78;
  const line = "=".repeat(W);
  const pair = (l: string, lv: string, rt: string, rv: string) =>
    `${l.padEnd(16)}${lv.padStart(22)}   ${rt.padEnd(20)}${rv.padStart(17)}`;
  const out: string[] = [];
  out.push("Generalized Linear Model Regression Results".padStart(60));
  out.push(line);
  out.push(pair("Dep. Variable:", s.response, "No. Observations:", String(s.nObs)));
  out.push(pair("Model:", "GLM", "Df Residuals:", String(s.dfResidual)));
  out.push(
    pair("Model Family:", FAMILY_TITLE[s.family] ?? s.family, "Df Model:", String(s.dfModel)),
  );
  out.push(pair("Link Function:", s.link, "Scale:", s.dispersion.toFixed(4)));
  out.push(pair("Method:", s.method.toUpperCase(), "Log-Likelihood:", fmt(s.logLik, 0, 2).trim()));
  out.push(
    pair("No. Iterations:", String(s.iterations), "Deviance:", fmt(s.deviance, 0, 3).trim()),
  );
  out.push(
    pair(
      "Converged:",
      s.converged ? "yes" : "NO",
      "Pearson chi2:",
      fmt(s.pearsonChi2, 0, 3).trim(),
    ),
  );
  out.push(
    pair(
      "Null Deviance:",
      fmt(s.nullDeviance, 0, 3).trim(),
      "AIC / BIC:",
      `${s.aic.toFixed(1)} / ${s.bic.toFixed(1)}`,
    ),
  );
  out.push(line);
  const lo = (alpha / 2).toFixed(3);
  const hi = (1 - alpha / 2).toFixed(3);
  const nameWidth = Math.max(14, ...r.names.map((n) => n.length + 1));
  out.push(
    `${"".padEnd(nameWidth)}${"coef".padStart(10)}${"std err".padStart(11)}${"z".padStart(10)}${"P>|z|".padStart(10)}${`[${lo}`.padStart(11)}${`${hi}]`.padStart(11)}`,
  );
  out.push("-".repeat(Math.max(W, nameWidth + 63)));
  for (const row of r.coefficientTable(alpha)) {
    out.push(
      `${row.name.padEnd(nameWidth)}${fmt(row.estimate, 10)}${fmt(row.stdError, 11)}${fmt(row.z, 10, 3)}${fmt(row.pValue, 10, 3)}${fmt(row.lower, 11, 3)}${fmt(row.upper, 11, 3)}`,
    );
  }
  out.push(line);
  if (s.penalty)
    out.push(
      `Penalised fit (${JSON.stringify(s.penalty)}): standard errors are conditional on the penalty.`,
    );
  if (s.aliased.length)
    out.push(
      `${s.aliased.length} coefficient(s) not defined because of singularities: ${s.aliased.join(", ")}`,
    );
  if (!s.converged) out.push(`WARNING: the fit did not converge after ${s.iterations} iterations.`);
  if (s.separation.length)
    out.push(
      `WARNING: separation — coefficients ${s.separation.join(", ")} diverge; fitted probabilities are 0 or 1.`,
    );
  return out.join("\n");
}

/** Numeric fields of {@link GlmState} (JSON writes NaN among them as null). */
const NUMERIC_FIELDS = [
  "deviance",
  "nullDeviance",
  "logLik",
  "aic",
  "bic",
  "pearsonChi2",
  "dispersion",
  "nObs",
  "dfResidual",
  "dfModel",
  "iterations",
] as const;

/** A GLM file of an earlier release: `format`/`version` instead of `kind`/`formatVersion`. */
interface LegacyGlmHeader {
  format?: unknown;
  version?: unknown;
}

/**
 * Reads a model saved with `JSON.stringify(results)` (or files of earlier
 * releases, tagged `format: "geoml-glm"`); predictions are identical. A model
 * fitted with a family object that is not registered by name needs that object
 * again: `loadGlm(text, { family })`.
 */
export function loadGlm(
  json: string | GlmState | object,
  options: { family?: Family } = {},
): GlmResults {
  let state: unknown = json;
  if (typeof json === "string") {
    try {
      state = JSON.parse(json);
    } catch (e) {
      throw new ModelFileError(`model file is not JSON: ${(e as Error).message}`);
    }
  }
  const raw = state as Partial<GlmState> & LegacyGlmHeader;
  if (!raw || typeof raw !== "object")
    throw new ModelFileError("not a geoml GLM: expected a JSON object");
  let s: Partial<GlmState>;
  if (raw.kind === "glm") {
    if (raw.formatVersion !== 1)
      throw new ModelFileError(
        `unsupported GLM file version ${String(raw.formatVersion)} (this reader knows 1)`,
      );
    s = raw;
  } else if (raw.format === "geoml-glm") {
    if (raw.version !== 1)
      throw new ModelFileError(
        `unsupported GLM file version ${String(raw.version)} (this reader knows 1)`,
      );
    const { format: _f, version: _v, ...rest } = raw;
    s = { ...rest, kind: "glm", formatVersion: 1 };
  } else {
    throw new ModelFileError('not a geoml GLM: "kind" must be "glm" (or "format" "geoml-glm")');
  }
  const p = Array.isArray(s.names) ? s.names.length : -1;
  if (p < 0 || !Array.isArray(s.params) || s.params.length !== p)
    throw new ModelFileError(`"params" must have one value per name (${p})`);
  if (!Array.isArray(s.cov) || s.cov.length !== p * p)
    throw new ModelFileError(`"cov" must have ${p}×${p} values`);
  if (typeof s.family !== "string" || typeof s.link !== "string")
    throw new ModelFileError('"family" and "link" must be names');
  if (!s.design || (s.design.kind !== "formula" && s.design.kind !== "matrix"))
    throw new ModelFileError('"design" must be a formula or matrix description');
  const isNumberOrNull = (v: unknown) => v === null || typeof v === "number";
  if (typeof s.method !== "string" || typeof s.response !== "string")
    throw new ModelFileError('"method" and "response" must be strings');
  if (s.customFamily !== undefined && typeof s.customFamily !== "boolean")
    throw new ModelFileError('"customFamily" must be a boolean');
  if (typeof s.familyOptions !== "object" || s.familyOptions === null)
    throw new ModelFileError('"familyOptions" must be an object');
  if (s.penalty !== null && typeof s.penalty !== "object")
    throw new ModelFileError('"penalty" must be null or an object');
  if (!(s.names as unknown[]).every((v) => typeof v === "string"))
    throw new ModelFileError('"names" must be strings');
  if (!(s.params as unknown[]).every(isNumberOrNull) || !(s.cov as unknown[]).every(isNumberOrNull))
    throw new ModelFileError('"params" and "cov" must hold numbers (null for aliased)');
  if (s.design.kind === "formula") {
    const info = s.design.info as Partial<DesignInfo> | undefined;
    if (
      typeof info?.formula !== "string" ||
      !Array.isArray(info.names) ||
      info.names.length !== p ||
      typeof info.levels !== "object" ||
      info.levels === null ||
      !Object.values(info.levels).every(
        (l) => Array.isArray(l) && l.every((v) => typeof v === "string"),
      )
    )
      throw new ModelFileError(
        '"design.info" must hold the formula, the column names and the factor levels',
      );
  } else if (!Array.isArray(s.design.names) || s.design.names.length !== p) {
    throw new ModelFileError(`"design.names" must list the ${p} matrix columns`);
  }
  for (const key of NUMERIC_FIELDS)
    if (!isNumberOrNull(s[key])) throw new ModelFileError(`"${key}" must be a number`);
  if (!Array.isArray(s.aliased) || !Array.isArray(s.separation) || typeof s.converged !== "boolean")
    throw new ModelFileError(
      '"aliased", "separation" and "converged" are missing or of the wrong type',
    );
  const params = (s.params as (number | null)[]).map((v) => (v === null ? Number.NaN : v));
  // JSON writes NaN (e.g. an undefined log-likelihood) as null
  const restored: Record<string, number> = {};
  for (const key of NUMERIC_FIELDS) restored[key] = (s[key] as number | null) ?? Number.NaN;
  const r = new GlmResults({ ...(s as GlmState), ...restored, params }, null, options.family);
  if (options.family !== undefined && options.family.name !== s.family)
    throw new ModelFileError(
      `the model was fitted with the "${s.family}" family; the family given is "${options.family.name}"`,
    );
  try {
    r.familyObject(); // validates family/link names now rather than at the first prediction
  } catch (e) {
    throw new ModelFileError(
      `cannot rebuild the "${s.family}" family with the "${s.link}" link (${(e as Error).message}); ` +
        "register it with @geoml/losses' registerFamily, or pass { family } to loadGlm",
    );
  }
  return r;
}
