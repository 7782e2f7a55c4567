/**
 * mgcv's `smoothCon` for one smooth term: builds the basis from the registry,
 * scales each penalty to the size of XᵀX (so smoothing parameters are comparable
 * across terms, as mgcv reports them), absorbs the sum-to-zero identifiability
 * constraint through a Householder reflection, and splits a factor `by=` into one
 * copy of the smooth per level.
 */
import type { SmoothTerm } from "../formula/parse.js";
import { basisType } from "./bases/registry.js";
import { constructTensor, predictTensor } from "./bases/te.js";
import type { BasisState, RawBasis } from "./bases/types.js";
import { oneNorm } from "./dense.js";
import { GamError } from "./errors.js";

/** A smooth as fitted: everything needed to rebuild its columns for new data (JSON). */
export interface SmoothInfo {
  /** mgcv's label, e.g. `s(x)`, `te(lon,lat)`, `s(x):zonenorth`. */
  readonly label: string;
  readonly type: "s" | "te";
  readonly vars: readonly string[];
  /** The factor `by` column and this copy's level, or null. */
  readonly by: string | null;
  readonly byLevel: string | null;
  readonly basis: BasisState;
  /** Householder vector of the sum-to-zero constraint (length k of the raw basis). */
  readonly constraint: readonly number[];
  /** Columns in the model matrix: [first, first + size). */
  readonly first: number;
  readonly size: number;
  /** Penalties over the smooth's own columns (size×size, row-major, mgcv-scaled). */
  readonly S: readonly (readonly number[])[];
  readonly ranks: readonly number[];
  /** Null space dimension after the constraint. */
  readonly nullSpaceDim: number;
  /** [min, max] of each covariate in the fitting data (partial-effect grids). */
  readonly range: readonly (readonly [number, number])[];
  /** Columns (after the constraint) removed by mgcv's side constraints, if any. */
  readonly deleted?: readonly number[];
}

/** Smooth columns built from data: the info plus its n×size column-major block. */
export interface BuiltSmooth {
  info: SmoothInfo;
  X: Float64Array;
}

/** Covariate columns of a smooth (numeric, finite); the caller has dropped missing rows. */
export type Covariates = (name: string) => Float64Array;

function applyConstraint(X: Float64Array, n: number, k: number, v: Float64Array): Float64Array {
  // X H with H = I − 2vvᵀ/vᵀv, dropping the first column
  let vv = 0;
  for (let j = 0; j < k; j++) vv += v[j] * v[j];
  const out = new Float64Array(n * (k - 1));
  const xv = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const vj = v[j];
    if (vj === 0) continue;
    for (let i = 0; i < n; i++) xv[i] += X[j * n + i] * vj;
  }
  for (let j = 1; j < k; j++) {
    const f = (2 * v[j]) / vv;
    for (let i = 0; i < n; i++) out[(j - 1) * n + i] = X[j * n + i] - f * xv[i];
  }
  return out;
}

function constrainPenalty(S: Float64Array, k: number, v: Float64Array): number[] {
  // (H S H)[1:, 1:]
  let vv = 0;
  for (let j = 0; j < k; j++) vv += v[j] * v[j];
  const g = 2 / vv;
  const Sv = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += S[i * k + j] * v[j];
    Sv[i] = s;
  }
  let vSv = 0;
  for (let i = 0; i < k; i++) vSv += v[i] * Sv[i];
  const q = k - 1;
  const out = new Array<number>(q * q);
  for (let i = 1; i < k; i++)
    for (let j = 1; j < k; j++)
      out[(i - 1) * q + j - 1] =
        S[i * k + j] - g * v[i] * Sv[j] - g * Sv[i] * v[j] + g * g * vSv * v[i] * v[j];
  return out;
}

/** Raw model matrix of a smooth's basis at covariate values (before scaling/constraint). */
function rawPredict(
  info: { type: "s" | "te"; basis: BasisState },
  x: Float64Array[],
): Float64Array {
  if (info.type === "te") return predictTensor(info.basis, x);
  return basisType(info.basis.bs, "s").predict(info.basis, x);
}

/** Builds the columns of one smooth term (several for a factor `by`). */
export function buildSmooth(
  term: SmoothTerm,
  cov: Covariates,
  byColumn: readonly string[] | null,
  n: number,
  first: number,
): BuiltSmooth[] {
  const label = term.label;
  const x = term.vars.map((v) => cov(v));
  let raw: RawBasis;
  if (term.type === "te") {
    const d = term.vars.length;
    const bs = term.bs
      ? term.bs.length === 1
        ? new Array(d).fill(term.bs[0])
        : [...term.bs]
      : new Array(d).fill("cr");
    const ks = term.k
      ? term.k.length === 1
        ? new Array(d).fill(term.k[0])
        : [...term.k]
      : new Array(d).fill(5);
    if (bs.length !== d || ks.length !== d)
      throw new GamError(
        "BAD_SMOOTH",
        `${label}: give one bs and k for all margins or one per margin (${d})`,
        label,
      );
    for (const b of bs) {
      const t = basisType(b, label);
      if (t.dims !== 1 && b !== "tp")
        throw new GamError(
          "BAD_SMOOTH",
          `${label}: margin basis "${b}" is not one-dimensional`,
          label,
        );
    }
    raw = constructTensor(x, bs, ks, label);
  } else {
    const bs = term.bs?.[0] ?? "tp";
    const t = basisType(bs, label);
    if (t.dims === 1 && x.length !== 1)
      throw new GamError(
        "BAD_SMOOTH",
        `${label}: bs="${bs}" takes one covariate, got ${x.length}; use te() or bs="tp"`,
        label,
      );
    if (term.k && term.k.length !== 1)
      throw new GamError("BAD_SMOOTH", `${label}: k must be one number for s()`, label);
    raw = t.construct(x, { k: term.k?.[0] ?? null, m: term.m, label });
  }
  const k = raw.k;
  // penalty scaling: S ← S · ‖X‖∞² / ‖S‖₁ (mgcv's scale.penalty)
  const rowSums = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) rowSums[i] += Math.abs(raw.X[o + i]);
  }
  let maXX = 0;
  for (let i = 0; i < n; i++) maXX = Math.max(maXX, rowSums[i]);
  maXX *= maXX;
  const scaled = term.fx
    ? []
    : raw.S.map((S) => {
        const f = oneNorm(S, k, k) / maXX;
        return S.map((v) => v / f);
      });
  // sum-to-zero constraint from the column means
  const v = new Float64Array(k);
  let norm = 0;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += raw.X[j * n + i];
    v[j] = s / n;
    norm += v[j] * v[j];
  }
  norm = Math.sqrt(norm);
  v[0] += v[0] < 0 ? -norm : norm;
  const Xc = applyConstraint(raw.X, n, k, v);
  const Sc = scaled.map((S) => constrainPenalty(S, k, v));
  const q = k - 1;
  const penalties = Sc.map((S) => {
    const rows: number[][] = [];
    for (let i = 0; i < q; i++) rows.push(S.slice(i * q, i * q + q));
    return rows.flat();
  });
  const common = {
    type: term.type,
    vars: term.vars,
    basis: raw.state,
    constraint: [...v],
    size: q,
    S: penalties,
    ranks: term.fx ? [] : raw.ranks.map((r) => Math.min(r, q)),
    nullSpaceDim: term.fx ? q : Math.max(0, raw.nullSpaceDim - 1),
    range: x.map((c) => {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const v of c) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return [lo, hi] as const;
    }),
  };
  if (term.by === null)
    return [{ info: { ...common, label, by: null, byLevel: null, first }, X: Xc }];
  if (byColumn === null)
    throw new GamError(
      "BY_NOT_FACTOR",
      `${label}: by=${term.by} must be a factor (a column of strings); numeric by variables are not supported`,
      label,
    );
  const levels = [...new Set(byColumn)].sort();
  return levels.map((lev, li) => {
    const X = new Float64Array(n * q);
    for (let j = 0; j < q; j++)
      for (let i = 0; i < n; i++) if (byColumn[i] === lev) X[j * n + i] = Xc[j * n + i];
    return {
      info: {
        ...common,
        label: `${label}${lev}`,
        by: term.by,
        byLevel: lev,
        first: first + li * q,
      },
      X,
    };
  });
}

/** The smooth's columns (n×size, column-major) at new covariate values. */
export function predictSmooth(
  info: SmoothInfo,
  x: Float64Array[],
  byColumn: readonly string[] | null,
): Float64Array {
  const raw = rawPredict(info, x);
  const n = x[0].length;
  const k = info.constraint.length;
  const X = applyConstraint(raw, n, k, Float64Array.from(info.constraint));
  const del = info.deleted ?? [];
  const width = k - 1;
  let out = X;
  if (del.length) {
    const keep = Array.from({ length: width }, (_, j) => j).filter((j) => !del.includes(j));
    out = new Float64Array(n * keep.length);
    keep.forEach((j, t) => {
      out.set(X.subarray(j * n, (j + 1) * n), t * n);
    });
  }
  if (info.by !== null && byColumn !== null)
    for (let i = 0; i < n; i++)
      if (byColumn[i] !== info.byLevel) for (let j = 0; j < info.size; j++) out[j * n + i] = 0;
  return out;
}
