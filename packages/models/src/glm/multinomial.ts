/**
 * Multinomial logistic regression: the Categorical family with the softmax link,
 * η = X B for K classes with the first class as the reference (its column of B is
 * zero), as statsmodels' `MNLogit` and R's `nnet::multinom`. Fitted by Newton's
 * method on the full p(K−1) Hessian (default) or by L-BFGS on the family's loss.
 */
import {
  concat,
  matmul,
  noGrad,
  sharedFloat64,
  type Tensor,
  tensor,
  transpose,
  zeros,
} from "@geoml/autodiff";
import { categorical, type Family } from "@geoml/losses";
import { minimize } from "@geoml/optim";
import { ModelError, ModelFileError } from "../contract/errors.js";
import { checkPredictOptions } from "../contract/predict.js";
import type { NewData, Prediction, PredictOptions, Results } from "../contract/results.js";
import type { MissingPolicy } from "../formula/design.js";
import {
  buildDesign,
  type DataFrame,
  type DesignInfo,
  designFromMatrix,
} from "../formula/design.js";
import { cholesky, choleskyInverse, choleskySolve } from "../linalg/cholesky.js";
import { weightedCrossprod } from "../linalg/crossprod.js";
import { DataError, OptionError } from "./errors.js";
import { normalPValue } from "./stats.js";

/** Options of {@link multinomial}. */
export interface MultinomialOptions {
  /** "newton" (default) or "lbfgs" on the categorical loss through autodiff. */
  method?: "newton" | "lbfgs";
  /** Maximum iterations (default 100 for Newton). */
  maxIter?: number;
}

/** Input of {@link Multinomial.fit}: a formula over columns, or a design matrix. */
export type MultinomialInput =
  | { formula: string; data: DataFrame; weights?: string; missing?: MissingPolicy }
  | {
      x: readonly (readonly number[])[];
      y: ArrayLike<number> | readonly string[];
      names?: readonly string[];
      weights?: ArrayLike<number>;
    };

/** JSON form of a fitted multinomial model. */
export interface MultinomialState {
  /** Model kind tag (files of earlier releases have `format: "geoml-multinomial"`). */
  kind: "multinomial";
  formatVersion: 1;
  method: string;
  design: { kind: "formula"; info: DesignInfo } | { kind: "matrix"; names: string[] };
  response: string;
  /** Class labels; the first is the reference. */
  classes: string[];
  names: string[];
  /** p×(K−1) row-major: row j is predictor j, column k is class k+1 against class 0. */
  params: number[];
  /** Covariance of vec(B) with index j·(K−1)+k, p(K−1) square. */
  cov: number[];
  logLik: number;
  llNull: number;
  aic: number;
  bic: number;
  nObs: number;
  iterations: number;
  converged: boolean;
}

/** A multinomial logit specification; call {@link Multinomial.fit}. */
export class Multinomial {
  /** @param options fitting options (kept as `options`). */
  constructor(readonly options: MultinomialOptions = {}) {
    const m = options.method ?? "newton";
    if (m !== "newton" && m !== "lbfgs")
      throw new OptionError(`multinomial: unknown method "${m}" (newton, lbfgs)`);
  }

  /** Fits the model; y holds class labels (numbers or strings), sorted to give class order. */
  fit(input: MultinomialInput): MultinomialResults {
    let x: Float64Array;
    let n: number;
    let p: number;
    let names: string[];
    let labels: string[];
    let w: Float64Array;
    let design: MultinomialState["design"];
    let response = "y";
    if ("formula" in input) {
      const des = buildDesign(input.formula, input.data, {
        weights: input.weights,
        missing: input.missing,
      });
      if (!des.y) throw new DataError("BAD_DATA", `formula "${input.formula}" has no response`);
      ({ x, n, p, names } = des);
      labels = des.yLevels ? Array.from(des.y, (c) => des.yLevels![c]) : Array.from(des.y, String);
      w = des.weights ?? new Float64Array(n).fill(1);
      design = { kind: "formula", info: des.info };
      response = input.formula.slice(0, input.formula.indexOf("~")).trim();
    } else {
      const m = designFromMatrix(input.x, input.names);
      ({ x, n, p, names } = m);
      if (input.y.length !== n)
        throw new DataError("BAD_DATA", `y has ${input.y.length} values for ${n} rows`, "y");
      labels = Array.from(input.y as ArrayLike<number | string>, String);
      w = input.weights ? Float64Array.from(input.weights) : new Float64Array(n).fill(1);
      design = { kind: "matrix", names };
    }
    const unique = [...new Set(labels)];
    const classes = unique.every((s) => Number.isFinite(Number(s)))
      ? unique.sort((a, b) => Number(a) - Number(b))
      : unique.sort();
    if (classes.length < 2)
      throw new DataError(
        "BAD_DATA",
        `the response has ${classes.length} class; multinomial needs at least 2`,
      );
    const index = new Map(classes.map((c, i) => [c, i]));
    const y = Int32Array.from(labels, (l) => index.get(l)!);
    const family = categorical(classes.length);
    noGrad(() => family.validate(Float64Array.from(y), w));
    const method = this.options.method ?? "newton";
    // Newton forms the p(K−1) square information matrix
    if (method === "newton" && p * (classes.length - 1) > 2048)
      throw new OptionError(
        `multinomial: ${p} columns × ${classes.length - 1} classes make a ${p * (classes.length - 1)}-square ` +
          'information matrix (limit 2048); fit with method: "lbfgs"',
      );
    const fitted =
      method === "newton"
        ? newton(x, n, p, y, w, classes.length, this.options.maxIter ?? 100)
        : lbfgs(family, x, n, p, y, w, classes.length, this.options.maxIter);
    const K = classes.length;
    let nObs = 0;
    let sw = 0;
    const counts = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      if (w[i] > 0) nObs++;
      sw += w[i];
      counts[y[i]] += w[i];
    }
    let llNull = 0;
    for (let k = 0; k < K; k++) if (counts[k] > 0) llNull += counts[k] * Math.log(counts[k] / sw);
    const P = p * (K - 1);
    return new MultinomialResults({
      kind: "multinomial",
      formatVersion: 1,
      method,
      design,
      response,
      classes,
      names,
      params: Array.from(fitted.beta),
      cov: Array.from(fitted.cov),
      logLik: fitted.logLik,
      llNull,
      aic: -2 * fitted.logLik + 2 * P,
      bic: -2 * fitted.logLik + P * Math.log(nObs),
      nObs,
      iterations: fitted.iterations,
      converged: fitted.converged,
    });
  }
}

/** Creates a multinomial logistic regression: `multinomial().fit({ formula, data })`. */
export function multinomial(options: MultinomialOptions = {}): Multinomial {
  return new Multinomial(options);
}

/** Linear predictors η [n×K] row-major (0 for the reference class) for coefficients B (p×(K−1)). */
function linearPredictors(x: Float64Array, n: number, p: number, beta: Float64Array, K: number) {
  const eta = new Float64Array(n * K);
  for (let k = 1; k < K; k++)
    for (let j = 0; j < p; j++) {
      const b = beta[j * (K - 1) + k - 1];
      if (b === 0) continue;
      const base = j * n;
      for (let i = 0; i < n; i++) eta[i * K + k] += b * x[base + i];
    }
  return eta;
}

/** The Categorical family with K classes (softmax link), one object per K. */
const FAMILIES = new Map<number, Family>();
function familyOf(K: number): Family {
  let f = FAMILIES.get(K);
  if (f === undefined) {
    f = categorical(K);
    FAMILIES.set(K, f);
  }
  return f;
}

/** Class probabilities [n×K] row-major for coefficients B (p×(K−1)): the family's inverse link. */
function probabilities(x: Float64Array, n: number, p: number, beta: Float64Array, K: number) {
  const eta = tensor(linearPredictors(x, n, p, beta, K), { shape: [n, K] });
  const mu = noGrad(() => familyOf(K).link.inverse(eta));
  return mu.data instanceof Float64Array ? mu.data : Float64Array.from(mu.data);
}

/** Σ w log π_y: the Categorical family's log-likelihood. */
function logLikelihood(probs: Float64Array, y: Int32Array, w: Float64Array, K: number): number {
  const n = y.length;
  return noGrad(() =>
    familyOf(K).logLikelihood(tensor(Float64Array.from(y)), tensor(probs, { shape: [n, K] }), {
      weights: tensor(w),
    }),
  );
}

/** Fisher information of vec(B) (index j·(K−1)+k): blocks Σ w xxᵀ πₖ(δₖₘ − πₘ). */
function information(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  probs: Float64Array,
  K: number,
) {
  const P = p * (K - 1);
  const info = new Float64Array(P * P);
  const W = sharedFloat64(n);
  const zero = sharedFloat64(n);
  for (let k = 1; k < K; k++)
    for (let m = k; m < K; m++) {
      for (let i = 0; i < n; i++) {
        const pk = probs[i * K + k];
        W[i] = w[i] * pk * ((k === m ? 1 : 0) - probs[i * K + m]);
      }
      const a = weightedCrossprod(x, n, p, W, zero);
      for (let j = 0; j < p; j++)
        for (let l = 0; l < p; l++) {
          const v = a[j * (p + 1) + l];
          info[(j * (K - 1) + k - 1) * P + l * (K - 1) + m - 1] = v;
          info[(l * (K - 1) + m - 1) * P + j * (K - 1) + k - 1] = v;
        }
    }
  return info;
}

function newton(
  x: Float64Array,
  n: number,
  p: number,
  y: Int32Array,
  w: Float64Array,
  K: number,
  maxIter: number,
) {
  const P = p * (K - 1);
  let beta = new Float64Array(P);
  let probs = probabilities(x, n, p, beta, K);
  let ll = logLikelihood(probs, y, w, K);
  let converged = false;
  let iterations = 0;
  let info = information(x, n, p, w, probs, K);
  for (let it = 1; it <= maxIter; it++) {
    iterations = it;
    const grad = new Float64Array(P);
    for (let k = 1; k < K; k++)
      for (let j = 0; j < p; j++) {
        let s = 0;
        const base = j * n;
        for (let i = 0; i < n; i++)
          s += w[i] * x[base + i] * ((y[i] === k ? 1 : 0) - probs[i * K + k]);
        grad[j * (K - 1) + k - 1] = s;
      }
    const f = cholesky(info, P);
    const step = choleskySolve(f, grad);
    // step halving while the log-likelihood does not improve
    let t = 1;
    let next = beta;
    let pNext = probs;
    let llNext = ll;
    for (let h = 0; h < 30; h++) {
      next = beta.map((b, i) => b + t * step[i]);
      pNext = probabilities(x, n, p, next, K);
      llNext = logLikelihood(pNext, y, w, K);
      if (llNext >= ll - 1e-12 * Math.abs(ll)) break;
      t /= 2;
    }
    let settled = true;
    for (let i = 0; i < P; i++)
      if (Math.abs(next[i] - beta[i]) > 1e-9 * (Math.abs(next[i]) + 1e-3)) settled = false;
    const change = Math.abs(llNext - ll) / (Math.abs(llNext) + 0.1);
    beta = next;
    probs = pNext;
    ll = llNext;
    info = information(x, n, p, w, probs, K);
    if (settled && change < 1e-12) {
      converged = true;
      break;
    }
  }
  return { beta, cov: choleskyInverse(cholesky(info, P)), logLik: ll, iterations, converged };
}

function lbfgs(
  family: Family,
  x: Float64Array,
  n: number,
  p: number,
  y: Int32Array,
  w: Float64Array,
  K: number,
  maxIter: number | undefined,
) {
  // η = [0 | X B] as a [n, K] tensor; X is column-major, i.e. a row-major [p, n] Xᵀ
  const xr = transpose(tensor(x, { shape: [p, n] }));
  const yt = tensor(Float64Array.from(y));
  const wt = tensor(w);
  const reference = zeros([n, 1]);
  const fn = (params: { beta: Tensor }) =>
    family.loss(concat([reference, matmul(xr, params.beta)], 1), yt, {
      weights: wt,
      reduction: "mean",
    });
  const res = minimize(
    fn,
    { beta: zeros([p, K - 1]) },
    { method: "lbfgs", maxIter, gtol: 1e-10, ftol: 1e-15 },
  );
  const beta = Float64Array.from(res.x.beta.data);
  const probs = probabilities(x, n, p, beta, K);
  const P = p * (K - 1);
  return {
    beta,
    cov: choleskyInverse(cholesky(information(x, n, p, w, probs, K), P)),
    logLik: logLikelihood(probs, y, w, K),
    iterations: res.nit,
    converged: res.converged,
  };
}

/** A fitted multinomial logistic regression. */
export class MultinomialResults implements Results {
  /** The model kind tag, "multinomial". */
  readonly kind = "multinomial";
  /** The saved state; every other property is derived from it. */
  readonly state: MultinomialState;
  /** Predictor names (rows of B). */
  readonly names: readonly string[];
  /** Class labels, the first being the reference. */
  readonly classes: readonly string[];
  /** B as p×(K−1) row-major. */
  readonly params: Float64Array;
  /** Standard errors, same layout as {@link params}. */
  readonly bse: Float64Array;

  /** @param state a fitted model's state. */
  constructor(state: MultinomialState) {
    this.state = state;
    this.names = state.names;
    this.classes = state.classes;
    this.params = Float64Array.from(state.params);
    const P = state.params.length;
    this.bse = Float64Array.from({ length: P }, (_, i) => Math.sqrt(state.cov[i * P + i]));
  }
  /** Coefficients by class (against the reference) and predictor name. */
  get coefficients(): Record<string, Record<string, number>> {
    return this.byClass(this.params);
  }
  /** Standard errors by class and predictor name. */
  get stdErrors(): Record<string, Record<string, number>> {
    return this.byClass(this.bse);
  }
  private byClass(v: Float64Array): Record<string, Record<string, number>> {
    const K = this.classes.length;
    const out: Record<string, Record<string, number>> = {};
    for (let k = 1; k < K; k++)
      out[this.classes[k]] = Object.fromEntries(
        this.names.map((nm, j) => [nm, v[j * (K - 1) + k - 1]]),
      );
    return out;
  }
  /** Σ wᵢ log πᵢ,yᵢ at the estimate. */
  get logLik(): number {
    return this.state.logLik;
  }
  /** −2ℓ + 2·p(K−1). */
  get aic(): number {
    return this.state.aic;
  }
  /** −2ℓ + p(K−1)·log(nObs). */
  get bic(): number {
    return this.state.bic;
  }
  /** False when the iteration limit was reached. */
  get converged(): boolean {
    return this.state.converged;
  }
  /** Newton or L-BFGS iterations. */
  get iterations(): number {
    return this.state.iterations;
  }
  /** McFadden's pseudo R², 1 − ℓ/ℓ₀. */
  get pseudoR2(): number {
    return 1 - this.state.logLik / this.state.llNull;
  }

  /**
   * Class probabilities for new data (`fit`: rows × K, row-major, in the order of
   * `classes`), or with `type: "link"` the linear predictors η (0 for the
   * reference class). Standard errors and intervals are not defined per class here.
   */
  predict(data: NewData, options: PredictOptions = {}): Prediction {
    const o = checkPredictOptions(options, "MultinomialResults.predict");
    if (o.se || o.interval !== undefined)
      throw new ModelError(
        "BAD_OPTION",
        "MultinomialResults.predict: se and intervals are not available for class probabilities",
      );
    const d = this.state.design;
    let x: Float64Array;
    let n: number;
    let p: number;
    let rows: Int32Array;
    if (d.kind === "formula") {
      if (Array.isArray(data))
        throw new DataError("BAD_DATA", "this model was fitted with a formula: pass named columns");
      ({ x, n, p, rows } = buildDesign(d.info.formula, data as DataFrame, {
        info: d.info,
        noResponse: true,
        missing: o.missing,
      }));
    } else {
      if (!Array.isArray(data))
        throw new DataError("BAD_DATA", "this model was fitted on a matrix: pass rows of numbers");
      ({ x, n, p } = designFromMatrix(data as number[][], d.names));
      rows = Int32Array.from({ length: n }, (_, i) => i);
    }
    const K = this.classes.length;
    const fit =
      o.type === "link"
        ? linearPredictors(x, n, p, this.params, K)
        : probabilities(x, n, p, this.params, K);
    return { rows, type: o.type, fit, width: K, classes: this.classes };
  }

  /** Most probable class per row. */
  predictClass(data: NewData, options: Pick<PredictOptions, "missing"> = {}): string[] {
    const probs = this.predict(data, { missing: options.missing }).fit;
    const K = this.classes.length;
    const out: string[] = [];
    for (let i = 0; i < probs.length / K; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (probs[i * K + k] > probs[i * K + best]) best = k;
      out.push(this.classes[best]);
    }
    return out;
  }

  /** A coefficient table per non-reference class, as statsmodels' MNLogit summary. */
  summary(): string {
    const s = this.state;
    const K = this.classes.length;
    const lines = [
      "MNLogit Regression Results".padStart(52),
      "=".repeat(78),
      `Dep. Variable: ${s.response.padEnd(22)} No. Observations: ${String(s.nObs).padStart(10)}`,
      `Method: ${s.method.padEnd(29)} Log-Likelihood: ${s.logLik.toFixed(3).padStart(12)}`,
      `Converged: ${(s.converged ? "yes" : "NO").padEnd(26)} LL-Null: ${s.llNull.toFixed(3).padStart(19)}`,
      `Iterations: ${String(s.iterations).padEnd(25)} Pseudo R-squ.: ${this.pseudoR2.toFixed(4).padStart(13)}`,
      `AIC: ${s.aic.toFixed(3).padEnd(32)} BIC: ${s.bic.toFixed(3).padStart(23)}`,
      "=".repeat(78),
    ];
    const width = Math.max(14, ...this.names.map((n) => n.length + 1));
    for (let k = 1; k < K; k++) {
      lines.push(
        `${`${s.response}=${this.classes[k]}`.padEnd(width)}${"coef".padStart(11)}${"std err".padStart(11)}${"z".padStart(10)}${"P>|z|".padStart(10)}`,
      );
      lines.push("-".repeat(78));
      this.names.forEach((nm, j) => {
        const b = this.params[j * (K - 1) + k - 1];
        const se = this.bse[j * (K - 1) + k - 1];
        lines.push(
          `${nm.padEnd(width)}${b.toFixed(4).padStart(11)}${se.toFixed(4).padStart(11)}${(b / se).toFixed(3).padStart(10)}${normalPValue(
            b / se,
          )
            .toFixed(3)
            .padStart(10)}`,
        );
      });
    }
    lines.push("=".repeat(78));
    if (!s.converged)
      lines.push(`WARNING: the fit did not converge after ${s.iterations} iterations.`);
    return lines.join("\n");
  }

  /** The JSON-serialisable state. */
  toJSON(): MultinomialState {
    return this.state;
  }
}

/**
 * Reads a multinomial model saved with `JSON.stringify(results)` (or a file of an
 * earlier release, tagged `format: "geoml-multinomial"`).
 */
export function loadMultinomial(json: string | MultinomialState | object): MultinomialResults {
  let s: unknown = json;
  if (typeof json === "string") {
    try {
      s = JSON.parse(json);
    } catch (e) {
      throw new ModelFileError(`model file is not JSON: ${(e as Error).message}`);
    }
  }
  const raw = s as Partial<MultinomialState> & { format?: unknown; version?: unknown };
  let st: Partial<MultinomialState>;
  if (raw?.kind === "multinomial") {
    if (raw.formatVersion !== 1)
      throw new ModelFileError(
        `unsupported multinomial file version ${String(raw.formatVersion)} (this reader knows 1)`,
      );
    st = raw;
  } else if (raw?.format === "geoml-multinomial" && raw.version === 1) {
    const { format: _f, version: _v, ...rest } = raw;
    st = { ...rest, kind: "multinomial", formatVersion: 1 };
  } else {
    throw new ModelFileError(
      'not a geoml multinomial model: "kind" must be "multinomial" (or "format" "geoml-multinomial", version 1)',
    );
  }
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  if (!strings(st.classes) || !strings(st.names))
    throw new ModelFileError('"classes" and "names" must be lists of strings');
  const K = st.classes!.length;
  const p = st.names!.length;
  const P = p * (K - 1);
  const numbers = (v: unknown, len: number) =>
    Array.isArray(v) && v.length === len && v.every((x) => typeof x === "number" || x === null);
  if (K < 2 || !numbers(st.params, P))
    throw new ModelFileError(`"params" must hold ${p}×${K - 1} values`);
  if (!numbers(st.cov, P * P)) throw new ModelFileError(`"cov" must hold ${P}×${P} values`);
  for (const key of ["logLik", "llNull", "aic", "bic", "nObs", "iterations"] as const)
    if (typeof st[key] !== "number" && st[key] !== null)
      throw new ModelFileError(`"${key}" must be a number`);
  const d = st.design as MultinomialState["design"] | undefined;
  const designOk =
    d?.kind === "formula"
      ? typeof d.info?.formula === "string" &&
        strings(d.info.names) &&
        typeof d.info.levels === "object" &&
        d.info.levels !== null
      : d?.kind === "matrix" && strings(d.names) && d.names.length === p;
  if (!designOk)
    throw new ModelFileError('"design" must be a formula (with its levels) or matrix description');
  if (
    typeof st.method !== "string" ||
    typeof st.response !== "string" ||
    typeof st.converged !== "boolean"
  )
    throw new ModelFileError(
      '"method", "response" and "converged" are missing or of the wrong type',
    );
  return new MultinomialResults(st as MultinomialState);
}
