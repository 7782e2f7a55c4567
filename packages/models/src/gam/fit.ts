/**
 * `gam(formula, data, options)` (or `gam(spec).fit({ formula, data })`): builds the model matrix (parametric terms from
 * the GLM's formula machinery, then one block per smooth), chooses the
 * smoothing parameters by the outer Newton iteration (or takes them as given)
 * and returns {@link GamResults}.
 */
import { type Family, gaussian } from "@geoml/losses";
import { type FamilyChoice, resolveFamily } from "../contract/family.js";
import { buildDesign, type Column, type DataFrame, type MissingPolicy } from "../formula/design.js";
import { parseFormula } from "../formula/parse.js";
import { DataError } from "../glm/errors.js";
import { float64Family } from "../glm/family.js";
import { sharedFloat64 } from "../linalg/index.js";
import {
  type CriterionSetup,
  evaluate,
  type GamMethod,
  givenLogSp,
  type Penalty,
  penaltyBlocks,
} from "./criterion.js";
import { GamError } from "./errors.js";
import { criterionGradient } from "./gradient.js";
import { fitMultinomGam, type MultinomGamResults, type MultinomInput } from "./multinom.js";
import { newtonOuter } from "./outer.js";
import { type GamData, linearCache } from "./pirls.js";
import { GamResults } from "./results.js";
import { sideConstrain } from "./side.js";
import { type BuiltSmooth, buildSmooth } from "./smooth.js";

/** Options of {@link gam}. */
export interface GamOptions {
  /** A family object from `@geoml/losses` (its link included); default Gaussian/identity. */
  family?: Family;
  /** Smoothness criterion, as mgcv's `method=`; default "REML". */
  method?: GamMethod;
  /** Fixed smoothing parameters keyed by mgcv's names (e.g. `s(x)`, `te(lon,lat)1`), or in order. */
  sp?: Readonly<Record<string, number>> | readonly number[];
  /** Known scale parameter (UBRE with an estimated-scale family; default 1 for fixed-scale families). */
  scale?: number;
  /** Column of prior weights. */
  weights?: string;
  /** Column added to the linear predictor. */
  offset?: string;
  /** Rows with missing values: "error" (default) or "drop". */
  missing?: MissingPolicy;
  /**
   * Newton steps of the smoothing parameter search at most (default 200); a search that
   * reaches it (or 2000 inner fits) returns its best point with `converged: false`, and
   * `summary()` says so.
   */
  maxOuterIter?: number;
}

const METHODS: readonly GamMethod[] = ["REML", "ML", "GCV", "UBRE"];

function isStrings(c: Column): c is readonly string[] {
  return Array.isArray(c) && c.some((v) => typeof v === "string");
}

function numericColumn(data: DataFrame, name: string, label: string): Float64Array {
  const col = data[name];
  if (col === undefined)
    throw new DataError(
      "UNKNOWN_COLUMN",
      `${label}: no column "${name}" (columns: ${Object.keys(data).slice(0, 20).join(", ")})`,
      name,
    );
  if (isStrings(col))
    throw new GamError(
      "BAD_SMOOTH",
      `${label}: covariate "${name}" holds strings; smooths need numbers`,
      label,
    );
  // typed arrays are used as they are (never written to)
  if (col instanceof Float64Array) return col;
  if (col instanceof Float32Array) return Float64Array.from(col);
  return Float64Array.from(col as ArrayLike<number | null>, (v) =>
    v === null ? Number.NaN : Number(v),
  );
}

/** The model of `gam(spec).fit(input)`, without the data: family, link and criterion. */
export interface GamSpec extends FamilyChoice {
  /** A family name from `@geoml/losses`' registry or a family object; default Gaussian. */
  family?: Family | string;
  /** Smoothness criterion, as mgcv's `method=`; default "REML". */
  method?: GamMethod;
  /** Fixed smoothing parameters keyed by mgcv's names, or in order. */
  sp?: Readonly<Record<string, number>> | readonly number[];
  /** Known scale parameter. */
  scale?: number;
  /** Newton steps of the smoothing parameter search at most (see {@link GamOptions}). */
  maxOuterIter?: number;
}

/** The data of `gam(spec).fit(input)`, as the GLM's and MLP's formula input. */
export interface GamFormulaInput {
  formula: string;
  data: DataFrame;
  /** Column of prior weights. */
  weights?: string;
  /** Column added to the linear predictor. */
  offset?: string;
  /** Rows with missing values: "error" (default) or "drop". */
  missing?: MissingPolicy;
}

/** A GAM specification under the model contract: `gam({ family: "poisson" }).fit({ formula, data })`. */
export class Gam<R extends GamResults | MultinomGamResults = GamResults> {
  /** The specification given to {@link gam}. */
  readonly spec: GamSpec;
  /** The resolved `@geoml/losses` family (with its link). */
  readonly family: Family;

  constructor(spec: GamSpec) {
    if (spec === null || typeof spec !== "object")
      throw new GamError("BAD_OPTION", "gam(spec): spec must be an object", "spec");
    this.spec = spec;
    this.family = resolveFamily(spec.family ?? "gaussian", spec);
  }

  /** Fits the GAM on a formula over columns (see {@link GamOptions} for what each option means). */
  fit(input: GamFormulaInput): R {
    if (input === null || typeof input !== "object")
      throw new GamError("BAD_OPTION", "gam(spec).fit(): input must be { formula, data }", "input");
    const { method, sp, scale, maxOuterIter } = this.spec;
    return gam(input.formula, input.data, {
      family: this.family,
      method,
      sp,
      scale,
      maxOuterIter,
      weights: input.weights,
      offset: input.offset,
      missing: input.missing,
    }) as R;
  }
}

/** A GAM problem ready for the outer iteration (internal: {@link gam} and the tests use it). */
export interface GamProblem {
  setup: CriterionSetup;
  spNames: string[];
  /** mgcv's initial log smoothing parameters (initial.sp). */
  rho0: Float64Array;
  /** Smoothing parameters given: rho0 holds them and no search is made. */
  fixed: boolean;
  maxOuterIter: number;
  build: Omit<
    Parameters<typeof GamResults.fromFit>[0],
    "setup" | "rho" | "spNames" | "best" | "iterations" | "converged"
  >;
}

/** Builds the criterion of a GAM, or the input of the categorical (multinomial) one. */
export function prepareGam(
  formula: string | GamSpec,
  data: DataFrame | undefined,
  options: GamOptions = {},
): GamProblem | { multinom: MultinomInput } {
  if (typeof formula !== "string")
    throw new GamError("BAD_OPTION", "gam(): formula must be a string", "formula");
  if (data === null || typeof data !== "object")
    throw new GamError("BAD_OPTION", "gam(): data must be an object of columns", "data");
  const method = options.method ?? "REML";
  if (!METHODS.includes(method))
    throw new GamError(
      "BAD_OPTION",
      `gam(): method "${String(method)}" is not one of ${METHODS.join(", ")}`,
      "method",
    );
  const family = options.family ?? gaussian();
  if (typeof family !== "object" || typeof family.variance !== "function")
    throw new GamError(
      "BAD_OPTION",
      "gam(): family must be a family object from @geoml/losses",
      "family",
    );
  const multiclass = family.name === "categorical";
  if (multiclass && method !== "REML" && method !== "ML")
    throw new GamError(
      "METHOD_FAMILY",
      `gam(): the categorical family is fitted by REML or ML (as mgcv's multinom), not ${method}`,
      "method",
    );
  const fixedScale = family.dispersion === "fixed";
  if (method === "UBRE" && !fixedScale && options.scale === undefined)
    throw new GamError(
      "METHOD_FAMILY",
      `gam(): method UBRE needs a known scale, but the ${family.name} family estimates it; use REML, ML or GCV, or give scale`,
      "method",
    );
  if (options.scale !== undefined && !(options.scale > 0))
    throw new GamError(
      "BAD_OPTION",
      `gam(): scale must be positive, got ${options.scale}`,
      "scale",
    );

  const maxOuterIter = options.maxOuterIter ?? 200;
  if (!(Number.isInteger(maxOuterIter) && maxOuterIter >= 1))
    throw new GamError(
      "BAD_OPTION",
      `gam(): maxOuterIter must be a positive integer, got ${options.maxOuterIter}`,
      "maxOuterIter",
    );
  const parsed = parseFormula(formula);
  // rows with missing smooth covariates
  const policy = options.missing ?? "error";
  const nRows = Object.values(data)[0]?.length ?? 0;
  const smoothVars = new Map<string, Float64Array>();
  for (const sm of parsed.smooths)
    for (const v of sm.vars)
      if (!smoothVars.has(v)) smoothVars.set(v, numericColumn(data, v, sm.label));
  let frame: DataFrame = data;
  const bad = new Uint8Array(nRows);
  for (const [name, col] of smoothVars)
    for (let i = 0; i < nRows; i++)
      if (!Number.isFinite(col[i])) {
        if (policy === "error")
          throw new DataError(
            "MISSING_VALUE",
            `column "${name}" has a missing or non-finite value (${col[i]}) in row ${i}; clean the data or pass missing: "drop"`,
            name,
            i,
          );
        bad[i] = 1;
      }
  if (bad.some((b) => b === 1)) {
    const keep = Array.from({ length: nRows }, (_, i) => i).filter((i) => !bad[i]);
    const out: Record<string, Column> = {};
    for (const [k, c] of Object.entries(data))
      out[k] = (
        Array.isArray(c)
          ? keep.map((i) => (c as unknown[])[i])
          : Float64Array.from(keep, (i) => (c as Float64Array)[i])
      ) as Column;
    frame = out;
  }
  const design = buildDesign(formula, frame, {
    smooths: "skip",
    weights: options.weights,
    offset: options.offset,
    missing: policy,
  });
  if (!design.y)
    throw new GamError("BAD_OPTION", `gam(): formula "${formula}" has no response`, "formula");
  const n = design.n;
  const rows = design.rows;
  // smooth columns
  let built: BuiltSmooth[] = [];
  let first = design.p;
  for (const sm of parsed.smooths) {
    const cov = (name: string) => {
      // no row dropped: the columns read above serve as they are
      const kept = frame === data && rows.length === nRows ? smoothVars.get(name) : undefined;
      if (kept) return kept;
      const c = numericColumn(frame, name, sm.label);
      return Float64Array.from(rows, (r) => c[r]);
    };
    let by: string[] | null = null;
    if (sm.by !== null) {
      const col = frame[sm.by];
      if (col === undefined)
        throw new DataError("UNKNOWN_COLUMN", `${sm.label}: no column "${sm.by}" for by=`, sm.by);
      if (!isStrings(col))
        throw new GamError(
          "BY_NOT_FACTOR",
          `${sm.label}: by=${sm.by} must be a factor (a column of strings); "${sm.by}" is numeric`,
          sm.label,
        );
      by = Array.from(rows, (r) => String((col as readonly string[])[r]));
    }
    const parts = buildSmooth(sm, cov, by, n, first);
    for (const part of parts) {
      built.push(part);
      first += part.info.size;
    }
  }
  // smooths sharing a covariate: mgcv's side constraints, then the columns renumbered
  built = sideConstrain(built, n, design.info.names[0] === "Intercept");
  first = design.p;
  built = built.map((b) => {
    const info = { ...b.info, first };
    first += info.size;
    return { info, X: b.X };
  });
  const p = first;
  const X = sharedFloat64(n * p);
  X.set(design.x.subarray(0, n * design.p));
  for (const b of built) X.set(b.X, b.info.first * n);

  const w = Float64Array.from(design.weights ?? new Float64Array(n).fill(1));
  if (multiclass) {
    // classes: the response's levels (strings) or the integers 0…K
    const yv = design.y;
    family.validate(yv, w);
    let K1 = 0;
    for (const v of yv) K1 = Math.max(K1, v + 1);
    const classes = design.yLevels
      ? [...design.yLevels]
      : Array.from({ length: K1 }, (_, i) => String(i));
    if (classes.length < 2)
      throw new GamError(
        "BAD_OPTION",
        `gam(): the response of "${formula}" has one class; the categorical family needs two or more`,
        "formula",
      );
    return {
      multinom: {
        formula,
        family,
        method,
        design,
        smooths: built.map((b) => b.info),
        X,
        n,
        p,
        w,
        classes,
        y: Int32Array.from(yv),
        sp: options.sp,
        maxOuterIter,
      },
    };
  }
  const fam = float64Family(family);
  if (design.trials) for (let i = 0; i < n; i++) w[i] *= design.trials[i];
  family.validate(design.y, w);
  const data64: GamData = {
    X,
    n,
    p,
    y: design.y,
    w,
    offset: design.offset,
    fam,
    linear: family.name === "gaussian" && family.link.name === "identity",
  };
  // penalties, one per smoothing parameter, and their mgcv names
  const penalties: Penalty[] = [];
  const spNames: string[] = [];
  const ranks: number[][] = [];
  for (const b of built) {
    const S = b.info.S;
    S.forEach((s, j) => {
      penalties.push({ first: b.info.first, size: b.info.size, S: Float64Array.from(s) });
      spNames.push(S.length > 1 ? `${b.info.label}${j + 1}` : b.info.label);
    });
    if (S.length) ranks.push([...b.info.ranks]);
  }
  const blocks = penaltyBlocks(penalties, ranks);
  const Mp = p - blocks.reduce((a, b) => a + b.rank, 0);
  // saturated log-likelihood: ℓ(μ) + D(μ)/2φ is the same for any μ of an exponential family
  const y = design.y;
  const mu0 = family.startingMu(y, w);
  const dev0 = fam.deviance(y, mu0, w);
  const lsFull = (scale: number) => fam.logLikelihood(y, mu0, w, scale) + dev0 / (2 * scale);
  // where ls is affine in log φ (the Gaussian family), three evaluations give it exactly;
  // the criterion then costs no pass over the rows
  const l0 = lsFull(1);
  const l1 = lsFull(Math.E);
  const affine = Math.abs(lsFull(Math.E ** 2) - (2 * l1 - l0)) <= 1e-10 * (Math.abs(l0) + 1);
  const ls = affine ? (scale: number) => l0 + (l1 - l0) * Math.log(scale) : lsFull;
  const knownScale = options.scale ?? (fixedScale ? 1 : null);
  const setup: CriterionSetup = {
    data: data64,
    method,
    penalties,
    blocks,
    Mp,
    knownScale,
    ls,
    cache: data64.linear ? linearCache(data64) : null,
  };

  let rho: Float64Array;
  if (options.sp !== undefined) {
    rho = givenLogSp(options.sp, spNames);
  } else {
    // start where each penalty is as large as its block of XᵀWX (mgcv's initial.sp)
    const xx = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += w[i] * X[j * n + i] ** 2;
      xx[j] = s;
    }
    rho = Float64Array.from(penalties, (pen) => {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let t = 0; t < pen.size; t++) {
        const sd = pen.S[t * pen.size + t];
        if (sd > 0) {
          a += xx[pen.first + t];
          b += sd;
          c++;
        }
      }
      return c && b > 0 ? Math.log(a / b) : 0;
    });
  }
  return {
    setup,
    spNames,
    rho0: rho,
    fixed: options.sp !== undefined,
    maxOuterIter,
    build: {
      formula,
      family,
      method,
      design,
      smooths: built.map((b) => b.info),
      data: data64,
      offsetColumn: options.offset ?? null,
    },
  };
}

/**
 * Fits a generalized additive model as mgcv's `gam()`; see {@link GamOptions}. With the
 * categorical family the result is a {@link MultinomGamResults} (mgcv's `multinom`).
 * `gam(spec)` alone gives a {@link Gam} whose `fit({ formula, data })` does the same
 * under the model contract shared with `glm()` and `mlp()`.
 */
export function gam(
  spec: GamSpec & { family: "categorical" | (Family & { name: "categorical" }) },
): Gam<MultinomGamResults>;
export function gam(spec: GamSpec): Gam<GamResults>;
export function gam(
  formula: string,
  data: DataFrame,
  options: GamOptions & { family: Family & { name: "categorical" } },
): MultinomGamResults;
export function gam(formula: string, data: DataFrame, options?: GamOptions): GamResults;
export function gam(
  formula: string | GamSpec,
  data?: DataFrame,
  options: GamOptions = {},
): GamResults | MultinomGamResults | Gam<GamResults | MultinomGamResults> {
  if (typeof formula === "object" && formula !== null && data === undefined)
    return new Gam(formula);
  const problem = prepareGam(formula, data, options);
  if ("multinom" in problem) return fitMultinomGam(problem.multinom);
  const { setup, spNames } = problem;
  let rho = problem.rho0;
  let iterations = 0;
  let converged = true;
  let best = evaluate(setup, rho, null);
  if (!problem.fixed && setup.penalties.length > 0) {
    const analytic = setup.method === "REML" || setup.method === "ML";
    const out = newtonOuter((r, start) => evaluate(setup, r, start), rho, {
      gradient: analytic ? (r, ev) => criterionGradient(setup, r, ev) : undefined,
      maxIter: problem.maxOuterIter,
    });
    rho = out.rho;
    best = out.best;
    iterations = out.iterations;
    converged = out.converged;
  }
  return GamResults.fromFit({ ...problem.build, setup, rho, spNames, best, iterations, converged });
}
