/**
 * `glm({ family, link })`: linear predictor η = Xβ + offset, a link and a family.
 * Fitted by IRLS (the default, as R and statsmodels) or by any optimiser of
 * `@geoml/optim` on the family's loss through autodiff; both reach the same
 * estimate, and inference is computed from the Fisher information either way.
 */
import {
  add,
  matmul,
  mul,
  noGrad,
  sharedFloat64,
  square,
  startWorkers,
  sum,
  type Tensor,
  tensor,
} from "@geoml/autodiff";
import { builtInFamilyName, builtInLinkName, type Family } from "@geoml/losses";
import { type MinimizeMethod, minimize } from "@geoml/optim";
import {
  buildDesign,
  type DataFrame,
  designFromMatrix,
  type MissingPolicy,
} from "../formula/design.js";
import { cholesky, choleskyInverse } from "../linalg/cholesky.js";
import { linearPredictor, weightedCrossprod } from "../linalg/crossprod.js";
import { releaseDesign } from "../linalg/design-memory.js";
import { checkPenalty, elasticNet, elasticNetPath } from "./elasticnet.js";
import { DataError, OptionError, RankDeficientError, SeparationError } from "./errors.js";
import {
  type FamilyOptions,
  type FamilySpec,
  type Float64Family,
  float64Family,
  resolveFamily,
} from "./family.js";
import { observations, pearsonSums } from "./goodness.js";
import { irls } from "./irls.js";
import { GlmResults, type GlmState } from "./results.js";
import { detectSeparation } from "./separation.js";

/** Most design columns for the solvers that form X'WX (IRLS, elastic net). */
const MAX_IRLS_COLUMNS = 4096;

/** Options of {@link glm}. */
export interface GlmOptions extends FamilyOptions {
  /** Family name (`gaussian`, `binomial`, `poisson`, `gamma`, `inverse_gaussian`, `negative_binomial`, `tweedie`) or object. */
  family: FamilySpec;
  /** "irls" (default, Fisher scoring) or an optimiser of `@geoml/optim` on the family loss. */
  method?: "irls" | MinimizeMethod;
  /** Maximum iterations (IRLS default 100). */
  maxIter?: number;
  /** Convergence tolerance (IRLS: relative change of deviance, default 1e-10). */
  tol?: number;
  /**
   * Ridge: `{ l2 }` minimises deviance/2 + l2/2·‖β‖². Elastic net: `{ lambda, alpha }`
   * minimises deviance/(2Σw) + λ(α‖β‖₁ + (1−α)/2‖β‖²) by coordinate descent, as
   * glmnet (no standardisation). The intercept is never penalised.
   */
  penalty?: { l2?: number; lambda?: number; alpha?: number };
  /** Aliased columns: "alias" (default, R-like: NaN coefficient, name listed) or "error". */
  singular?: "alias" | "error";
  /** Separation in Binomial fits: "error" (default) throws, "warn" flags the result. */
  separation?: "error" | "warn";
  /** Learning rate for first-order methods. */
  lr?: number;
}

/** Data for {@link Glm.fit} from a formula over named columns. */
export interface FormulaInput {
  formula: string;
  data: DataFrame;
  /** Prior weights: a column name or values per row. */
  weights?: string | ArrayLike<number>;
  /** Offset added to η: a column name or values per row. */
  offset?: string | ArrayLike<number>;
  /** "error" (default) or "drop" rows with missing values. */
  missing?: MissingPolicy;
}

/** Data for {@link Glm.fit} from a design matrix (no intercept is added). */
export interface MatrixInput {
  /** Rows of the design matrix. */
  x: readonly (readonly number[])[];
  y: ArrayLike<number>;
  /** Column names (default x0, x1, …). */
  names?: readonly string[];
  weights?: ArrayLike<number>;
  offset?: ArrayLike<number>;
  /** Binomial trials per row (y is then the proportion of successes). */
  trials?: ArrayLike<number>;
}

/** Prepared numeric problem (internal, also used by the benchmark). */
export interface GlmProblem {
  x: Float64Array;
  n: number;
  p: number;
  names: string[];
  y: Float64Array;
  /** Prior weights × trials. */
  w: Float64Array;
  offset: Float64Array | null;
  /** Every prior weight is 1 (no weights or trials were given): every row is an observation. */
  unitWeights?: boolean;
  response: string;
  design: GlmState["design"];
}

/** A GLM specification; call {@link Glm.fit} to estimate it. */
export class Glm {
  /** The options given to {@link glm}. */
  readonly options: GlmOptions;
  /** The resolved `@geoml/losses` family (with its link). */
  readonly family: Family;

  /** @param options family, link and fitting options. */
  constructor(options: GlmOptions) {
    this.options = options;
    this.family = resolveFamily(options.family, options);
    const m = options.method ?? "irls";
    if (!["irls", "lbfgs", "adam", "adamw", "sgd", "rmsprop"].includes(m))
      throw new OptionError(`glm: unknown method "${m}" (irls, lbfgs, adam, adamw, sgd, rmsprop)`);
    const pen = options.penalty;
    if (pen?.l2 !== undefined && !(pen.l2 >= 0))
      throw new OptionError(`glm: penalty.l2 must be ≥ 0, got ${pen.l2}`);
    if (pen?.lambda !== undefined) {
      checkPenalty({ lambda: pen.lambda, alpha: pen.alpha ?? 1 });
      if (pen.l2 !== undefined)
        throw new OptionError(
          "glm: give either penalty.l2 (ridge) or penalty.lambda/alpha (elastic net)",
        );
      if (m !== "irls")
        throw new OptionError("glm: elastic-net fits use coordinate descent; leave method at irls");
    }
  }

  /** Fits the model on a formula over columns or on a design matrix. */
  fit(input: FormulaInput | MatrixInput): GlmResults {
    if (!("formula" in input)) return fitProblem(this, prepare(input));
    if ((this.options.method ?? "irls") === "irls") prestart(input);
    const prob = prepare(input);
    const results = fitProblem(this, prob);
    // the design was made here from the formula and nothing else holds it: the results
    // keep copies of what they need (see fitProblem), so its memory can go to the next
    // design. Not after an error, which may leave worker threads writing there
    releaseDesign(prob.x);
    return results;
  }

  /**
   * The elastic-net path (glmnet): coefficients by name for a decreasing sequence
   * of λ from the smallest λ that zeroes every penalised coefficient.
   */
  path(
    input: FormulaInput | MatrixInput,
    options: {
      alpha?: number;
      nLambda?: number;
      lambdaMinRatio?: number;
      lambdas?: readonly number[];
    } = {},
  ): { lambda: number; coefficients: Record<string, number>; deviance: number; df: number }[] {
    const prob = prepare(input);
    const fam = float64Family(this.family);
    noGrad(() => this.family.validate(prob.y, prob.w));
    const points = elasticNetPath(
      fam,
      { ...prob, penalised: prob.names.map((nm) => nm !== "Intercept") },
      options.alpha ?? 1,
      options,
    );
    // as after a fit: the points are numbers, the design's memory goes to the next design
    if ("formula" in input) releaseDesign(prob.x);
    return points.map((pt) => ({
      lambda: pt.lambda,
      coefficients: Object.fromEntries(prob.names.map((nm, j) => [nm, pt.beta[j]])),
      deviance: pt.deviance,
      df: pt.df,
    }));
  }
}

/**
 * Starts loading the worker threads of a large IRLS fit while its design matrix is
 * built (a worker takes from ~30 ms to ~1 s to load); the count of data columns the
 * formula names stands for the design's width.
 */
function prestart(input: FormulaInput): void {
  // bad input is reported by prepare(); here it only means no early start
  if (typeof input.formula !== "string" || typeof input.data !== "object") return;
  const n = Object.values(input.data ?? {})[0]?.length ?? 0;
  const named = Object.keys(input.data ?? {}).filter((k) => input.formula.includes(k)).length;
  startWorkers((n * (named + 1) * (named + 4)) / 2);
}

/** Creates a GLM: `glm({ family: "binomial", link: "probit" }).fit({ formula, data })`. */
export function glm(options: GlmOptions): Glm {
  return new Glm(options);
}

function column(values: ArrayLike<number>, n: number, what: string): Float64Array {
  if (values.length !== n)
    throw new DataError("BAD_DATA", `${what} has ${values.length} values for ${n} rows`, what);
  const out = Float64Array.from(values);
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(out[i]))
      throw new DataError(
        "MISSING_VALUE",
        `${what} has a non-finite value (${out[i]}) in row ${i}`,
        what,
        i,
      );
  return out;
}

/** Turns formula or matrix input into the numeric problem. */
export function prepare(input: FormulaInput | MatrixInput): GlmProblem {
  if ("formula" in input) {
    const des = buildDesign(input.formula, input.data, {
      weights: typeof input.weights === "string" ? input.weights : undefined,
      offset: typeof input.offset === "string" ? input.offset : undefined,
      missing: input.missing,
    });
    if (!des.y)
      throw new DataError("BAD_DATA", `formula "${input.formula}" has no response (left of ~)`);
    if (des.yLevels) {
      if (des.yLevels.length !== 2)
        throw new DataError(
          "BAD_DATA",
          `the response holds strings with ${des.yLevels.length} levels; glm needs numbers (or 2 levels)`,
        );
    }
    const nRows = Object.values(input.data)[0]?.length ?? 0;
    const pick = (v: ArrayLike<number>, what: string) => {
      const all = column(v, nRows, what);
      return Float64Array.from(des.rows, (r) => all[r]);
    };
    // shared memory, as the design's columns: worker threads read it in place
    let w = des.weights ?? sharedFloat64(des.n).fill(1);
    let unitWeights = des.weights === null && !des.trials;
    if (input.weights !== undefined && typeof input.weights !== "string") {
      w = pick(input.weights, "weights");
      unitWeights = false;
    }
    let offset = des.offset;
    if (input.offset !== undefined && typeof input.offset !== "string") {
      const o = pick(input.offset, "offset");
      if (offset) for (let i = 0; i < des.n; i++) o[i] += offset[i];
      offset = o;
    }
    if (des.trials) for (let i = 0; i < des.n; i++) w[i] *= des.trials[i];
    const f = input.formula;
    return {
      x: des.x,
      n: des.n,
      p: des.p,
      names: des.names,
      y: des.y,
      w,
      offset,
      unitWeights,
      response: f.slice(0, f.indexOf("~")).trim(),
      design: {
        kind: "formula",
        info: des.info,
        ...(typeof input.offset === "string" ? { offsetColumn: input.offset } : {}),
        ...(typeof input.weights === "string" ? { weightsColumn: input.weights } : {}),
      },
    };
  }
  const m = designFromMatrix(input.x, input.names);
  const y = column(input.y, m.n, "y");
  const w = input.weights ? column(input.weights, m.n, "weights") : new Float64Array(m.n).fill(1);
  for (let i = 0; i < m.n; i++)
    if (w[i] < 0)
      throw new DataError("BAD_DATA", `weights is negative (${w[i]}) in row ${i}`, "weights", i);
  if (input.trials) {
    const t = column(input.trials, m.n, "trials");
    for (let i = 0; i < m.n; i++) w[i] *= t[i];
  }
  return {
    ...m,
    y,
    w,
    offset: input.offset ? column(input.offset, m.n, "offset") : null,
    unitWeights: !input.weights && !input.trials,
    response: "y",
    design: { kind: "matrix", names: m.names },
  };
}

function ridgeVector(model: Glm, prob: GlmProblem): Float64Array | null {
  const l2 = model.options.penalty?.l2;
  if (!l2) return null;
  return Float64Array.from(prob.names, (n) => (n === "Intercept" ? 0 : l2));
}

/** Fisher information (X'WX + Λ) at η, inverted with aliasing. */
function fisherInverse(
  fam: Float64Family,
  prob: GlmProblem,
  eta: Float64Array,
  mu: Float64Array,
  ridge: Float64Array | null,
) {
  const { x, n, p, w } = prob;
  const dmu = fam.meanDerivative(eta);
  const v = fam.variance(mu);
  const W = sharedFloat64(n);
  for (let i = 0; i < n; i++) {
    const wi = (w[i] * dmu[i] * dmu[i]) / v[i];
    W[i] = wi > 0 && Number.isFinite(wi) ? wi : 0;
  }
  const a = weightedCrossprod(x, n, p, W, sharedFloat64(n));
  const q = p + 1;
  const m = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < p; k++) m[j * p + k] = a[j * q + k];
    if (ridge) m[j * p + j] += ridge[j];
  }
  const f = cholesky(m, p);
  return { cov: choleskyInverse(f), aliased: f.aliased, rank: f.rank };
}

function gradientFit(model: Glm, fam: Float64Family, prob: GlmProblem, ridge: Float64Array | null) {
  const { x, n, p, y, w, offset } = prob;
  const xt = tensor(x, { shape: [p, n] });
  const yt = tensor(y);
  const wt = tensor(w);
  const ot = offset ? tensor(offset) : null;
  const rt = ridge ? tensor(ridge) : null;
  let total = 0;
  for (let i = 0; i < n; i++) total += w[i];
  const fn = (params: { beta: Tensor }) => {
    let eta = matmul(params.beta, xt);
    if (ot) eta = add(eta, ot);
    let loss = fam.family.loss(eta, yt, { weights: wt, reduction: "mean" });
    // the loss is per unit weight; the ridge term is scaled alike
    if (rt) loss = add(loss, mul(sum(mul(rt, square(params.beta))), 0.5 / total));
    return loss;
  };
  const method = (model.options.method ?? "lbfgs") as MinimizeMethod;
  const res = minimize(
    fn,
    { beta: tensor(new Float64Array(p)) },
    {
      method,
      maxIter: model.options.maxIter,
      gtol: model.options.tol ?? 1e-10,
      ftol: 1e-15,
      lr: model.options.lr,
    },
  );
  const beta = Float64Array.from(res.x.beta.data);
  const eta = linearPredictor(x, n, p, beta, offset);
  const mu = fam.mean(eta);
  return {
    beta,
    eta,
    mu,
    iterations: res.nit,
    converged: res.converged,
    trace: [] as Float64Array[],
  };
}

/** Fits a prepared problem. */
export function fitProblem(model: Glm, prob: GlmProblem): GlmResults {
  const family = model.family;
  const fam = float64Family(family);
  const { x, n, p, y, w, offset, names } = prob;
  noGrad(() => family.validate(y, w));
  const ridge = ridgeVector(model, prob);
  const method = model.options.method ?? "irls";
  // X'WX is p×p and its Cholesky factor costs p³/3: past this, use a gradient method
  if (p > MAX_IRLS_COLUMNS && (method === "irls" || model.options.penalty?.lambda !== undefined))
    throw new OptionError(
      `glm: the design has ${p} columns; IRLS and the elastic net form a ${p}×${p} matrix ` +
        `(limit ${MAX_IRLS_COLUMNS}); fit with method: "lbfgs" instead`,
    );

  let beta: Float64Array;
  let mu: Float64Array;
  let eta: Float64Array;
  let iterations: number;
  let converged: boolean;
  let trace: Float64Array[];
  let covUnscaled: Float64Array;
  let irlsDeviance = Number.NaN;
  let aliasedMask: boolean[];
  let rank: number;
  const enet = model.options.penalty?.lambda;
  if (enet !== undefined) {
    const r = elasticNet(
      fam,
      { x, n, p, y, w, offset, penalised: names.map((nm) => nm !== "Intercept") },
      { lambda: enet, alpha: model.options.penalty?.alpha ?? 1 },
      { maxIter: model.options.maxIter },
    );
    ({ beta, mu, eta, iterations, converged } = r);
    trace = [];
    irlsDeviance = r.deviance;
    // no standard errors after an L1 penalty: the estimator is not asymptotically normal
    covUnscaled = new Float64Array(p * p).fill(Number.NaN);
    aliasedMask = names.map(() => false);
    rank = p;
  } else if (method === "irls") {
    const r = irls(
      fam,
      { x, n, p, y, w, offset, ridge, unitWeights: prob.unitWeights },
      { maxIter: model.options.maxIter, tol: model.options.tol },
    );
    ({ beta, mu, eta, iterations, converged, trace } = r);
    irlsDeviance = r.deviance;
    // the last system was solved at the previous μ; once the coefficients have settled
    // (|Δβ| ≤ 1e-9 relative) that is the Fisher information at the estimate
    if (converged) {
      covUnscaled = r.covUnscaled;
      aliasedMask = r.aliased;
      rank = r.rank;
    } else {
      ({ cov: covUnscaled, aliased: aliasedMask, rank } = fisherInverse(fam, prob, eta, mu, ridge));
    }
  } else {
    ({ beta, mu, eta, iterations, converged, trace } = gradientFit(model, fam, prob, ridge));
    ({ cov: covUnscaled, aliased: aliasedMask, rank } = fisherInverse(fam, prob, eta, mu, ridge));
  }
  const aliased = names.filter((_, j) => aliasedMask[j]);
  if (aliased.length && model.options.singular === "error") throw new RankDeficientError(aliased);

  // one pass over w and μ: the count of observations, and for a Binomial IRLS fit the
  // sign of separation (a fitted mean within 1e-8 of 0 or 1)
  const checkSeparation =
    builtInFamilyName(family) === "binomial" && method === "irls" && enet === undefined;
  const { nObs, extreme } = observations(w, mu, checkSeparation, prob.unitWeights === true);
  let separation: string[] = [];
  if (checkSeparation && extreme) {
    const sep = detectSeparation(x, n, p, y, w, mu, trace, extreme);
    if (sep) {
      separation = sep.map((j) => names[j]);
      if ((model.options.separation ?? "error") === "error")
        throw new SeparationError(separation, `after ${iterations} IRLS iterations`);
      converged = false;
    }
  }

  // goodness of fit: with a fixed dispersion the Pearson χ² is reported but feeds
  // nothing else, so it is computed on first use (as the log-likelihood below)
  const estimated = family.dispersion === "estimated";
  const sums = estimated ? pearsonSums(fam, y, mu, w) : null;
  const deviance = method === "irls" && !ridge ? irlsDeviance : fam.deviance(y, mu, w);
  if (enet !== undefined) rank = beta.filter((b, j) => b !== 0 || names[j] === "Intercept").length;
  const dfResidual = nObs - rank;
  const dispersion = sums ? sums.pearson / dfResidual : 1;
  const gaussianIdentity =
    builtInFamilyName(family) === "gaussian" && builtInLinkName(family.link) === "identity";
  const hasIntercept = names.includes("Intercept");
  const cov = covUnscaled.map((c) => c * dispersion);
  // on first use: more passes over the data that a fit in a loop may not need
  const finalRank = rank;
  // they keep μ: a copy of it when it is a view into a larger memory (a column of the
  // design's WebAssembly memory), which the result would otherwise keep alive whole
  // (the design, its row columns and the kernels' scratch) until they are asked for
  const muKept = mu.buffer.byteLength > 2 * mu.byteLength ? mu.slice() : mu;
  const deferred = () => {
    const { pearson, rss } = sums ?? pearsonSums(fam, y, muKept, w);
    // statsmodels: the Gaussian-identity log-likelihood uses the ML scale RSS/n
    const llScale = gaussianIdentity ? rss / nObs : dispersion;
    const logLik = fam.logLikelihood(y, muKept, w, llScale);
    return {
      pearsonChi2: pearson,
      logLik,
      aic: -2 * logLik + 2 * finalRank,
      bic: -2 * logLik + finalRank * Math.log(nObs),
      nullDeviance: nullModelDeviance(fam, y, w, offset),
    };
  };

  const state: GlmState = {
    kind: "glm",
    formatVersion: 1,
    family: family.name,
    link: family.link.name,
    // a family built outside @geoml/losses' factories cannot be rebuilt from its name alone
    ...(builtInFamilyName(family) === undefined ? { customFamily: true } : {}),
    familyOptions: pickFamilyOptions(model.options),
    method,
    design: prob.design,
    response: prob.response,
    names,
    params: Array.from(beta),
    cov: Array.from(cov, (c) => (Number.isNaN(c) ? null : c)),
    aliased,
    deviance,
    nullDeviance: Number.NaN,
    logLik: Number.NaN,
    aic: Number.NaN,
    bic: Number.NaN,
    pearsonChi2: Number.NaN,
    dispersion,
    nObs,
    dfResidual,
    dfModel: rank - (hasIntercept ? 1 : 0),
    iterations,
    converged,
    separation,
    penalty:
      enet !== undefined
        ? { lambda: enet, alpha: model.options.penalty?.alpha ?? 1 }
        : model.options.penalty?.l2
          ? { l2: model.options.penalty.l2 }
          : null,
  };
  return new GlmResults(state, deferred, family);
}

function pickFamilyOptions(o: GlmOptions): FamilyOptions {
  const out: FamilyOptions = {};
  if (o.theta !== undefined) out.theta = o.theta;
  if (o.power !== undefined) out.power = o.power;
  if (o.linkPower !== undefined) out.linkPower = o.linkPower;
  return out;
}

/**
 * Deviance of the intercept-only model (with the offset), as statsmodels. Without
 * an offset its fitted mean is the weighted mean of y for every link, so no
 * iterations are needed.
 */
function nullModelDeviance(
  fam: Float64Family,
  y: Float64Array,
  w: Float64Array,
  offset: Float64Array | null,
): number {
  const n = y.length;
  if (offset) {
    const ones = new Float64Array(n).fill(1);
    return irls(fam, { x: ones, n, p: 1, y, w, offset, ridge: null }, { maxIter: 100 }).deviance;
  }
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < n; i++) {
    sw += w[i];
    swy += w[i] * y[i];
  }
  return fam.deviance(y, new Float64Array(n).fill(swy / sw), w);
}
