/**
 * A per-cell model prepared once for a run: the formula parsed, its columns split into
 * time features and other grid variables, the family and link resolved. Everything here
 * is rebuilt from plain data (formula text, family and link names, the time axis), which
 * is what crosses to worker threads and other machines.
 */

import { type Family, family as familyByName } from "@geoml/losses";
import { buildDesign, type Design, type DesignInfo, type Expr, parseFormula } from "@geoml/models";
import { BatchError } from "./errors.js";
import { TIME_FEATURES, type TimeFeatures } from "./time-features.js";

/** What a per-cell fit is: plain data, as a job carries it. */
export interface FitSpec {
  /** `NAME ~ terms`, where NAME is the gridded variable. */
  formula: string;
  /** Family name (statsmodels/R spelling); default `gaussian`. */
  family?: string;
  /** Link name; default the family's canonical link. */
  link?: string;
}

/** A {@link FitSpec} resolved against one time axis. */
export interface CellModel {
  readonly spec: Required<Pick<FitSpec, "formula" | "family">> & { link?: string };
  /** The response variable. */
  readonly response: string;
  /** Other grid variables the formula reads. */
  readonly covariates: readonly string[];
  /** Column labels of the design (the `term` coordinate). */
  readonly terms: readonly string[];
  readonly p: number;
  readonly family: Family;
  /** Gaussian with identity link: solved in one step, no iterations. */
  readonly direct: boolean;
  /** Dispersion estimated (Pearson χ²/(n−p)) rather than fixed at 1. */
  readonly estimatedScale: boolean;
  /** Steps along the fitting dimension. */
  readonly T: number;
  readonly features: TimeFeatures;
  /** The design over the time features alone (T×p, row-major), when no covariate is used. */
  readonly shared: Float64Array | null;
  /** Levels and names, so every chunk codes its design the same way. */
  readonly info: DesignInfo;
}

function columnsOf(e: Expr, into: Set<string>): void {
  if (e.kind === "column") into.add(e.name);
  else if (e.kind === "unary" || e.kind === "call") columnsOf(e.arg, into);
  else if (e.kind === "binary") {
    columnsOf(e.left, into);
    columnsOf(e.right, into);
  }
}

/**
 * Parse and check a {@link FitSpec} for a time axis.
 *
 * @throws BatchError `FORMULA` for a formula without a plain variable on the left, with
 *   `offset()` or `cbind()`, or naming a categorical grid variable; `INVALID_ARGUMENT` for an
 *   unknown family or link
 */
export function prepareModel(spec: FitSpec, features: TimeFeatures): CellModel {
  if (spec === null || typeof spec !== "object" || typeof spec.formula !== "string") {
    throw new BatchError("INVALID_ARGUMENT", "expected { formula, family?, link? }");
  }
  let parsed: ReturnType<typeof parseFormula>;
  try {
    parsed = parseFormula(spec.formula);
  } catch (error) {
    throw new BatchError("FORMULA", (error as Error).message);
  }
  const r = parsed.response;
  if (r === null || r.kind !== "single" || r.expr.kind !== "column") {
    throw new BatchError(
      "FORMULA",
      `formula "${spec.formula}": the left side must be the gridded variable's name`,
    );
  }
  if (parsed.offsets.length > 0) {
    throw new BatchError(
      "FORMULA",
      `formula "${spec.formula}": offset() is not supported per cell`,
    );
  }
  const response = r.expr.name;
  const used = new Set<string>();
  for (const term of parsed.terms) for (const f of term) columnsOf(f.expr, used);
  const timeNames = new Set<string>(TIME_FEATURES);
  const covariates = [...used].filter((n) => !timeNames.has(n) && n !== response);
  if (used.has(response)) {
    throw new BatchError("FORMULA", `formula "${spec.formula}": '${response}' is on both sides`);
  }
  for (const term of parsed.terms) {
    for (const f of term) {
      const cols = new Set<string>();
      columnsOf(f.expr, cols);
      if (f.kind === "categorical" && [...cols].some((c) => !timeNames.has(c))) {
        throw new BatchError(
          "FORMULA",
          `formula "${spec.formula}": C() applies to time features (${TIME_FEATURES.join(", ")}) only`,
        );
      }
    }
  }
  const familyName = spec.family ?? "gaussian";
  let fam: Family;
  try {
    fam = familyByName(familyName, spec.link === undefined ? {} : { link: spec.link });
  } catch (error) {
    throw new BatchError("INVALID_ARGUMENT", (error as Error).message);
  }
  if (fam.name === "categorical") {
    throw new BatchError("INVALID_ARGUMENT", "family 'multinomial' is not fitted per cell");
  }
  const T = features.t.length;
  // Probe: the time features with each covariate at 1 fix names and factor levels.
  const probe: Record<string, Float64Array> = { ...features };
  for (const c of covariates) probe[c] = new Float64Array(T).fill(1);
  let design: Design;
  try {
    design = buildDesign(spec.formula, probe, { noResponse: true });
  } catch (error) {
    throw new BatchError("FORMULA", (error as Error).message);
  }
  const p = design.p;
  return {
    spec: { formula: spec.formula, family: familyName, ...(spec.link ? { link: spec.link } : {}) },
    response,
    covariates,
    terms: design.names,
    p,
    family: fam,
    direct: fam.name === "gaussian" && fam.link.name === "identity",
    estimatedScale: fam.dispersion === "estimated",
    T,
    features,
    shared: covariates.length === 0 ? rowMajor(design.x, T, p) : null,
    info: design.info,
  };
}

/** Column-major n×p to row-major. */
export function rowMajor(x: Float64Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n * p);
  for (let j = 0; j < p; j++) for (let i = 0; i < n; i++) out[i * p + j] = x[j * n + i];
  return out;
}

/**
 * The per-cell design of a chunk whose formula reads other grid variables: rows are
 * (step, cell) in step-major order; rows with a missing covariate come back NaN in `ok`.
 */
export function chunkDesign(
  model: CellModel,
  covariates: Readonly<Record<string, ArrayLike<number>>>,
  C: number,
): { x: Float64Array; ok: Uint8Array } {
  const { T, p } = model;
  const n = T * C;
  const frame: Record<string, Float64Array> = {};
  for (const [name, col] of Object.entries(model.features)) {
    const rep = new Float64Array(n);
    for (let t = 0; t < T; t++) rep.fill(col[t], t * C, (t + 1) * C);
    frame[name] = rep;
  }
  for (const name of model.covariates) {
    const v = covariates[name];
    if (v === undefined || v.length !== n) {
      throw new BatchError("SHAPE_MISMATCH", `covariate '${name}' does not cover the chunk`, {
        variable: name,
      });
    }
    frame[name] = v instanceof Float64Array ? v : Float64Array.from(v);
  }
  const d = buildDesign(model.spec.formula, frame, {
    noResponse: true,
    missing: "drop",
    info: model.info,
  });
  const x = new Float64Array(n * p).fill(Number.NaN);
  const ok = new Uint8Array(n);
  const m = d.n;
  for (let k = 0; k < m; k++) {
    const row = d.rows[k];
    ok[row] = 1;
    for (let j = 0; j < p; j++) x[row * p + j] = d.x[j * m + k];
  }
  return { x, ok };
}
