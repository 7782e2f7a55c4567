/**
 * A fitted GAM: mgcv's quantities (coefficients, edf, smoothing parameters,
 * score, deviance explained, R²(adj), scale, Vp), prediction with standard
 * errors, each smooth's partial effect with a confidence band, a summary like
 * mgcv's, and a JSON form that {@link loadGam} turns back into a model.
 */
import type { Family } from "@geoml/losses";
import { family as familyByName } from "@geoml/losses";
import {
  checkPredictOptions,
  confidenceInterval,
  predictionInterval,
} from "../contract/predict.js";
import type { NewData, Prediction, PredictOptions, Results } from "../contract/results.js";
import { buildDesign, type DataFrame, type Design, type DesignInfo } from "../formula/design.js";
import { float64Family } from "../glm/family.js";
import { normalQuantile } from "../glm/stats.js";
import type { CriterionSetup, Evaluation, GamMethod } from "./criterion.js";
import { scaledInverse } from "./dense.js";
import { GamError } from "./errors.js";
import { completeFit, type GamData, innerFit } from "./pirls.js";
import { predictSmooth, type SmoothInfo } from "./smooth.js";
import { formatSummary, rFactor, type SummaryTable, smoothTests } from "./summary.js";

/** Version of the JSON written by {@link GamResults.toJSON}. */
export const GAM_FORMAT_VERSION = 1;

/** The JSON form of a fitted GAM. */
export interface GamJSON {
  kind: "gam";
  formatVersion: number;
  formula: string;
  family: { name: string; link: string };
  method: GamMethod;
  designInfo: DesignInfo;
  smooths: SmoothInfo[];
  coefficientNames: string[];
  coefficients: number[];
  /** Vp, row-major p×p. */
  vp: number[];
  edf: number[];
  edf1: number[];
  sp: Record<string, number>;
  score: number;
  scale: number;
  scaleEstimated: boolean;
  deviance: number;
  nullDeviance: number;
  rSquaredAdj: number;
  n: number;
  /** Per smooth: each covariate's [min, max] in the fitting data (for partial-effect grids). */
  ranges: Record<string, [number, number][]>;
  converged: boolean;
  iterations: number;
  /** The `offset` option's column when fitting (the formula's offset() terms are in the formula). */
  offsetColumn: string | null;
  /** Per smooth: R of the QR decomposition of its model-matrix block (q×q, row-major), for summary(). */
  smoothR: number[][];
}

/** Options of {@link GamResults.predict}: the model contract's predict options. */
export type GamPredictOptions = PredictOptions;

/** Predictions on new data: the model contract's `Prediction`, plus `se` on the scale of `fit`. */
export interface GamPrediction extends Prediction {
  /** Standard error on the scale of `fit` (delta method on the response scale, as mgcv), with `se`. */
  se?: Float64Array;
}

/** A smooth's partial effect on a grid of its covariate(s), with a pointwise band. */
export interface PartialEffect {
  label: string;
  vars: string[];
  /** Grid values per covariate (each of length m). */
  x: Record<string, number[]>;
  fit: number[];
  se: number[];
  lower: number[];
  upper: number[];
  level: number;
}

function linkName(f: Family): string {
  return f.link.name;
}

/** R's name of a parametric column: `(Intercept)`, `zonesouth` for patsy's `zone[T.south]`. */
function rName(name: string): string {
  if (name === "Intercept") return "(Intercept)";
  return name.replace(/\[(?:T\.)?([^\]]*)\]/g, "$1");
}

/** What {@link gam} hands to the results. */
export interface FitParts {
  formula: string;
  family: Family;
  method: GamMethod;
  design: Design;
  smooths: SmoothInfo[];
  data: GamData;
  setup: CriterionSetup;
  rho: Float64Array;
  spNames: string[];
  offsetColumn: string | null;
  best: Evaluation;
  iterations: number;
  converged: boolean;
}

function rowVariance(Xr: Float64Array, V: Float64Array, p: number): number {
  let s = 0;
  for (let a = 0; a < p; a++) {
    if (Xr[a] === 0) continue;
    let t = 0;
    for (let b = 0; b < p; b++) t += V[a * p + b] * Xr[b];
    s += Xr[a] * t;
  }
  return s;
}

/** Results of {@link gam}. */
export class GamResults implements Results {
  readonly kind = "gam" as const;
  readonly formula: string;
  readonly family: Family;
  readonly method: GamMethod;
  /** Coefficients keyed by mgcv's names: `(Intercept)`, `s(x).1`, …. */
  readonly coefficients: Record<string, number>;
  readonly coefficientNames: string[];
  readonly beta: Float64Array;
  /** Bayesian posterior covariance of the coefficients (row-major p×p). */
  readonly vp: Float64Array;
  /** Effective degrees of freedom per coefficient (mgcv's `edf`). */
  readonly edfCoefficients: Float64Array;
  /** mgcv's `edf1` per coefficient (used for the reference df of tests). */
  readonly edf1: Float64Array;
  /** Smoothing parameters keyed as mgcv names them. */
  readonly sp: Record<string, number>;
  /** REML/ML criterion or GCV/UBRE score (mgcv's `gcv.ubre`). */
  readonly score: number;
  readonly scale: number;
  readonly scaleEstimated: boolean;
  readonly deviance: number;
  readonly nullDeviance: number;
  readonly rSquaredAdj: number;
  readonly n: number;
  readonly smooths: SmoothInfo[];
  readonly converged: boolean;
  readonly iterations: number;
  /** Fitted values (response scale) and linear predictor, when fitted in this session. */
  readonly fitted: Float64Array | null;
  readonly linearPredictors: Float64Array | null;
  /** The `offset` option's column when fitting, or null. */
  readonly offsetColumn: string | null;
  private smoothRCache: number[][] | null;
  private readonly design: { X: Float64Array; n: number } | null;
  private readonly designInfo: DesignInfo;
  private readonly ranges: Record<string, [number, number][]>;

  private constructor(
    j: GamJSON,
    family: Family,
    fitted: Float64Array | null,
    eta: Float64Array | null,
    design: { X: Float64Array; n: number } | null = null,
  ) {
    this.formula = j.formula;
    this.family = family;
    this.method = j.method;
    this.coefficientNames = j.coefficientNames;
    this.beta = Float64Array.from(j.coefficients);
    this.coefficients = Object.fromEntries(
      j.coefficientNames.map((nm, i) => [nm, j.coefficients[i]]),
    );
    this.vp = Float64Array.from(j.vp);
    this.edfCoefficients = Float64Array.from(j.edf);
    this.edf1 = Float64Array.from(j.edf1);
    this.sp = j.sp;
    this.score = j.score;
    this.scale = j.scale;
    this.scaleEstimated = j.scaleEstimated;
    this.deviance = j.deviance;
    this.nullDeviance = j.nullDeviance;
    this.rSquaredAdj = j.rSquaredAdj;
    this.n = j.n;
    this.smooths = j.smooths;
    this.converged = j.converged;
    this.iterations = j.iterations;
    this.designInfo = j.designInfo;
    this.offsetColumn = j.offsetColumn ?? null;
    this.smoothRCache = design === null ? j.smoothR : null;
    this.design = design;
    this.ranges = j.ranges;
    this.fitted = fitted;
    this.linearPredictors = eta;
  }

  /** Builds the results from the converged fit (used by {@link gam}). */
  static fromFit(f: FitParts): GamResults {
    const { data, best } = f;
    const p = data.p;
    const n = data.n;
    const fit = best.fit;
    const { eta, mu } = completeFit(data, fit);
    const Hi = scaledInverse(fit.chol);
    // F = H⁻¹XᵀWX: edf = diag(F), edf1 = 2 edf − diag(FF)
    const F = new Float64Array(p * p);
    for (let i = 0; i < p; i++)
      for (let k = 0; k < p; k++) {
        const h = Hi[i * p + k];
        if (h === 0) continue;
        for (let j = 0; j < p; j++) F[i * p + j] += h * fit.xwx[k * p + j];
      }
    const edf = new Float64Array(p);
    const edf1 = new Float64Array(p);
    for (let i = 0; i < p; i++) {
      edf[i] = F[i * p + i];
      let ff = 0;
      for (let k = 0; k < p; k++) ff += F[i * p + k] * F[k * p + i];
      edf1[i] = 2 * edf[i] - ff;
    }
    const trA = edf.reduce((a, b) => a + b, 0);
    const fam = data.fam;
    const scaleEstimated = f.setup.knownScale === null;
    let scale = best.scale;
    if (scaleEstimated && f.method !== "REML" && data.linear) scale = fit.deviance / (n - trA);
    const vp = Hi.map((v) => v * scale);
    // null deviance: intercept-only fit (with the offset, as mgcv refits it)
    const hasIntercept = f.design.info.names[0] === "Intercept";
    let nullDeviance: number;
    if (hasIntercept && data.offset) {
      const ones = new Float64Array(n).fill(1);
      const nullFit = innerFit(
        { ...data, X: ones, p: 1, linear: false },
        new Float64Array(1),
        null,
        null,
      );
      nullDeviance = nullFit.deviance;
    } else if (hasIntercept) {
      let sw = 0;
      let swy = 0;
      for (let i = 0; i < n; i++) {
        sw += data.w[i];
        swy += data.w[i] * data.y[i];
      }
      nullDeviance = fam.deviance(data.y, new Float64Array(n).fill(swy / sw), data.w);
    } else
      nullDeviance = fam.deviance(data.y, fam.mean(data.offset ?? new Float64Array(n)), data.w);
    // R²(adj) as mgcv's summary: 1 − var(√w(y−μ))(n−1) / (var(√w(y−ȳ)) residual df)
    const priorW = f.design.weights ?? new Float64Array(n).fill(1);
    let sw = 0;
    let swy = 0;
    for (let i = 0; i < n; i++) {
      sw += priorW[i];
      swy += priorW[i] * data.y[i];
    }
    const meanY = swy / sw;
    const variance = (g: (i: number) => number) => {
      let m = 0;
      for (let i = 0; i < n; i++) m += g(i);
      m /= n;
      let s = 0;
      for (let i = 0; i < n; i++) s += (g(i) - m) ** 2;
      return s / (n - 1);
    };
    const sq = Float64Array.from(priorW, Math.sqrt);
    const rSquaredAdj =
      1 -
      (variance((i) => sq[i] * (data.y[i] - mu[i])) * (n - 1)) /
        (variance((i) => sq[i] * (data.y[i] - meanY)) * (n - trA));
    const names = [
      ...f.design.info.names.map(rName),
      ...f.smooths.flatMap((s) => Array.from({ length: s.size }, (_, i) => `${s.label}.${i + 1}`)),
    ];
    const ranges: Record<string, [number, number][]> = {};
    for (const s of f.smooths) ranges[s.label] = s.range.map(([lo, hi]) => [lo, hi]);
    const json: GamJSON = {
      kind: "gam",
      formatVersion: GAM_FORMAT_VERSION,
      formula: f.formula,
      family: { name: f.family.name, link: linkName(f.family) },
      method: f.method,
      designInfo: f.design.info,
      smooths: f.smooths,
      coefficientNames: names,
      coefficients: [...fit.beta],
      vp: [...vp],
      edf: [...edf],
      edf1: [...edf1],
      sp: Object.fromEntries(f.spNames.map((nm, j) => [nm, Math.exp(f.rho[j])])),
      score: best.score,
      scale,
      scaleEstimated,
      deviance: fit.deviance,
      nullDeviance,
      rSquaredAdj,
      n,
      ranges,
      converged: f.converged,
      iterations: f.iterations,
      offsetColumn: f.offsetColumn,
      smoothR: [], // computed on first use (summary, toJSON)
    };
    return new GamResults(json, f.family, Float64Array.from(mu), Float64Array.from(eta), {
      X: data.X,
      n,
    });
  }

  /** Rebuilds a model from {@link GamResults.toJSON}'s output. */
  static fromJSON(j: GamJSON, family?: Family): GamResults {
    if (j?.kind !== "gam" || j.formatVersion !== GAM_FORMAT_VERSION)
      throw new GamError(
        "BAD_MODEL_FILE",
        `not a GAM model of format version ${GAM_FORMAT_VERSION}`,
      );
    const fam = family ?? familyByName(j.family.name, { link: j.family.link });
    if (!Array.isArray(j.smoothR) || j.smoothR.length !== j.smooths.length)
      throw new GamError(
        "BAD_MODEL_FILE",
        "GAM model file: smoothR must hold one matrix per smooth",
        "smoothR",
      );
    return new GamResults(j, fam, null, null);
  }

  /** Per smooth: R of the QR decomposition of its model-matrix block (for summary's tests). */
  get smoothR(): number[][] {
    if (this.smoothRCache === null) {
      const d = this.design as { X: Float64Array; n: number };
      this.smoothRCache = this.smooths.map((s) => [...rFactor(d.X, d.n, s.first, s.size)]);
    }
    return this.smoothRCache;
  }

  /** Sum of the edf of all coefficients, parametric ones included (mgcv's `sum(b$edf)`). */
  get edfTotal(): number {
    return this.edfCoefficients.reduce((a, b) => a + b, 0);
  }

  /** Effective degrees of freedom per smooth, keyed by its label. */
  get edf(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.smooths) {
      let e = 0;
      for (let i = 0; i < s.size; i++) e += this.edfCoefficients[s.first + i];
      out[s.label] = e;
    }
    return out;
  }

  /** Proportion of the null deviance explained. */
  get devianceExplained(): number {
    return (this.nullDeviance - this.deviance) / this.nullDeviance;
  }

  /** Model matrix of new data (column-major), its offset and the rows used. */
  modelMatrix(newdata: DataFrame, missing: "error" | "drop" = "error") {
    return gamModelMatrix(
      {
        formula: this.formula,
        designInfo: this.designInfo,
        smooths: this.smooths,
        p: this.beta.length,
      },
      newdata,
      missing,
    );
  }

  /** The formula's offset plus the offset option (or the fitting offset column if present). */
  private extraOffset(
    newdata: DataFrame,
    given: string | ArrayLike<number> | undefined,
    rows: Int32Array,
    base: Float64Array | null,
  ): Float64Array | null {
    let extra: ArrayLike<unknown> | undefined;
    let name = "offset";
    if (typeof given === "string") {
      extra = newdata[given] as ArrayLike<unknown> | undefined;
      name = given;
      if (extra === undefined)
        throw new GamError(
          "BAD_OPTION",
          `predict(): offset column "${given}" is not in the new data`,
          "offset",
        );
    } else if (given !== undefined) {
      if (typeof given !== "object" || typeof given.length !== "number")
        throw new GamError(
          "BAD_OPTION",
          "predict(): offset must be a column name or numbers per row",
          "offset",
        );
      extra = given;
    } else if (this.offsetColumn !== null)
      extra = newdata[this.offsetColumn] as ArrayLike<unknown> | undefined;
    if (extra === undefined) return base;
    const out = base ? Float64Array.from(base) : new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = Number(extra[rows[i]]);
      if (!Number.isFinite(v))
        throw new GamError(
          "BAD_OPTION",
          `predict(): ${name} is not a finite number in row ${rows[i]}`,
          "offset",
        );
      out[i] += v;
    }
    return out;
  }

  /**
   * Predictions at new data (the model contract's `predict`): `fit` on the scale of
   * `type`, `seLink` (and `se`, on the scale of `type` by the delta method, as mgcv's
   * `predict.gam`) with `se: true`, and a "confidence" interval of the mean or, for
   * families that define one, a "prediction" interval of a new observation.
   */
  predict(newdata: NewData, options: GamPredictOptions = {}): GamPrediction {
    const o = checkPredictOptions(options, "GamResults.predict");
    if (Array.isArray(newdata))
      throw new GamError(
        "BAD_OPTION",
        "GamResults.predict: new data must be named columns, not rows of numbers",
        "newdata",
      );
    const frame = newdata as DataFrame;
    const { X, n, offset: formulaOffset, rows } = this.modelMatrix(frame, o.missing);
    const offset = this.extraOffset(frame, options.offset, rows, formulaOffset);
    const p = this.beta.length;
    const eta = new Float64Array(n);
    const row = new Float64Array(p);
    const wantSe = o.se || o.interval !== undefined;
    const seLink = wantSe ? new Float64Array(n) : null;
    for (let i = 0; i < n; i++) {
      let s = offset ? offset[i] : 0;
      for (let j = 0; j < p; j++) {
        row[j] = X[j * n + i];
        s += row[j] * this.beta[j];
      }
      eta[i] = s;
      if (seLink) seLink[i] = Math.sqrt(Math.max(rowVariance(row, this.vp, p), 0));
    }
    const fam = float64Family(this.family);
    const mu = fam.mean(eta);
    const out: { -readonly [K in keyof GamPrediction]: GamPrediction[K] } = {
      rows,
      type: o.type,
      fit: o.type === "link" ? eta : mu,
      width: 1,
    };
    if (seLink && o.se) {
      out.seLink = seLink;
      if (o.type === "link") out.se = seLink;
      else {
        const d = fam.meanDerivative(eta);
        out.se = seLink.map((v, i) => v * Math.abs(d[i]));
      }
    }
    if (seLink && o.interval !== undefined) {
      const iv =
        o.interval === "confidence"
          ? confidenceInterval(eta, seLink, o.level, o.type, fam.mean)
          : predictionInterval(this.family, {
              eta,
              mu,
              dmu: fam.meanDerivative(eta),
              seLink,
              scale: this.scale,
              dfResidual: this.n - this.edfTotal,
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
   * The partial effect of one smooth (by label) on an evenly spaced grid over the
   * fitting data's range (m points per covariate; 2-D smooths give an m×m grid, first
   * covariate varying fastest), with a pointwise band of the given level.
   */
  partialEffect(label: string, options: { points?: number; level?: number } = {}): PartialEffect {
    const s = this.smooths.find((t) => t.label === label);
    if (!s)
      throw new GamError(
        "BAD_OPTION",
        `partialEffect(): no smooth "${label}" (smooths: ${this.smooths.map((t) => t.label).join(", ")})`,
        label,
      );
    const level = options.level ?? 0.95;
    if (!(level > 0 && level < 1))
      throw new GamError(
        "BAD_OPTION",
        `partialEffect(): level must be in (0, 1), got ${level}`,
        "level",
      );
    const m = options.points ?? (s.vars.length === 1 ? 100 : 30);
    const rg = this.ranges[label];
    const grids = rg.map(([lo, hi]) =>
      Array.from({ length: m }, (_, i) => lo + ((hi - lo) * i) / (m - 1)),
    );
    const total = m ** s.vars.length;
    const cov = s.vars.map((_, vi) =>
      Float64Array.from({ length: total }, (_, i) => grids[vi][Math.floor(i / m ** vi) % m]),
    );
    const by = s.by === null ? null : new Array<string>(total).fill(s.byLevel as string);
    const X = predictSmooth(s, cov, by);
    const q = s.size;
    const fit: number[] = [];
    const se: number[] = [];
    const z = normalQuantile(0.5 + level / 2);
    const row = new Float64Array(q);
    const V = new Float64Array(q * q);
    for (let a = 0; a < q; a++)
      for (let b = 0; b < q; b++)
        V[a * q + b] = this.vp[(s.first + a) * this.beta.length + s.first + b];
    for (let i = 0; i < total; i++) {
      let f = 0;
      for (let j = 0; j < q; j++) {
        row[j] = X[j * total + i];
        f += row[j] * this.beta[s.first + j];
      }
      fit.push(f);
      se.push(Math.sqrt(Math.max(rowVariance(row, V, q), 0)));
    }
    return {
      label,
      vars: [...s.vars],
      x: Object.fromEntries(s.vars.map((v, vi) => [v, Array.from(cov[vi])])),
      fit,
      se,
      lower: fit.map((f, i) => f - z * se[i]),
      upper: fit.map((f, i) => f + z * se[i]),
      level,
    };
  }

  /** Tables like mgcv's `summary.gam`: parametric coefficients and smooth terms. */
  summaryTable(): SummaryTable {
    return smoothTests(this);
  }

  /** mgcv's `summary.gam` as text. */
  summary(): string {
    return formatSummary(this, this.summaryTable());
  }

  /** JSON form (no data), loadable by {@link loadGam}. */
  toJSON(): GamJSON {
    return {
      kind: "gam",
      formatVersion: GAM_FORMAT_VERSION,
      formula: this.formula,
      family: { name: this.family.name, link: linkName(this.family) },
      method: this.method,
      designInfo: this.designInfo,
      smooths: this.smooths,
      coefficientNames: this.coefficientNames,
      coefficients: [...this.beta],
      vp: [...this.vp],
      edf: [...this.edfCoefficients],
      edf1: [...this.edf1],
      sp: this.sp,
      score: this.score,
      scale: this.scale,
      scaleEstimated: this.scaleEstimated,
      deviance: this.deviance,
      nullDeviance: this.nullDeviance,
      rSquaredAdj: this.rSquaredAdj,
      n: this.n,
      ranges: this.ranges,
      converged: this.converged,
      iterations: this.iterations,
      offsetColumn: this.offsetColumn,
      smoothR: this.smoothR,
    };
  }
}

/** Model matrix of new data (column-major, p columns), its offset and the rows used. */
export function gamModelMatrix(
  model: { formula: string; designInfo: DesignInfo; smooths: readonly SmoothInfo[]; p: number },
  newdata: DataFrame,
  missing: "error" | "drop" = "error",
): { X: Float64Array; n: number; offset: Float64Array | null; rows: Int32Array } {
  if (newdata === null || typeof newdata !== "object")
    throw new GamError("BAD_OPTION", "predict(): new data must be an object of columns", "newdata");
  const d = buildDesign(model.formula, newdata, {
    info: model.designInfo,
    noResponse: true,
    smooths: "skip",
    missing,
  });
  const cols = new Map<string, Float64Array>();
  const bad = new Uint8Array(d.n);
  for (const s of model.smooths)
    for (const v of s.vars) {
      if (cols.has(v)) continue;
      const c = newdata[v];
      if (c === undefined)
        throw new GamError("BAD_SMOOTH", `${s.label}: new data has no column "${v}"`, s.label);
      const vals = Float64Array.from(d.rows, (r) => {
        const x = (c as ArrayLike<unknown>)[r];
        return x === null || typeof x === "string" ? Number.NaN : Number(x);
      });
      vals.forEach((x, i) => {
        if (Number.isFinite(x)) return;
        if (missing === "error")
          throw new GamError(
            "BAD_SMOOTH",
            `${s.label}: column "${v}" has a missing or non-numeric value in row ${d.rows[i]}; clean the data or pass missing: "drop"`,
            s.label,
          );
        bad[i] = 1;
      });
      cols.set(v, vals);
    }
  const keep: number[] = [];
  for (let i = 0; i < d.n; i++) if (!bad[i]) keep.push(i);
  const n = keep.length;
  const p = model.p;
  const X = new Float64Array(n * p);
  for (let j = 0; j < d.p; j++) for (let i = 0; i < n; i++) X[j * n + i] = d.x[j * d.n + keep[i]];
  for (const s of model.smooths) {
    const cov = s.vars.map((v) => Float64Array.from(keep, (i) => (cols.get(v) as Float64Array)[i]));
    const byCol = s.by === null ? null : (newdata[s.by] as readonly string[] | undefined);
    if (s.by !== null && byCol === undefined)
      throw new GamError("BAD_SMOOTH", `${s.label}: new data has no column "${s.by}"`, s.label);
    const by = byCol ? keep.map((i) => String(byCol[d.rows[i]])) : null;
    X.set(predictSmooth(s, cov, by), s.first * n);
  }
  const offset = d.offset ? Float64Array.from(keep, (i) => (d.offset as Float64Array)[i]) : null;
  return { X, n, offset, rows: Int32Array.from(keep, (i) => d.rows[i]) };
}
