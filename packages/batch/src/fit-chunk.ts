/**
 * The per-cell fit of one chunk: cells × all steps in, coefficients out. Pure data in and
 * out, so it runs the same in the main thread, a worker thread or on another machine.
 *
 * Layout: every array over (step, cell) is step-major — `v[t * C + c]` — as a file stores
 * `(time, lat, lon)`, so the inner loops run over neighbouring cells.
 */
import { noGrad, type Tensor, tensor } from "@geoml/autodiff";
import { BatchError } from "./errors.js";
import { type CellModel, chunkDesign } from "./model.js";
import { packed, type SolveScratch, solveCell, solveScratch } from "./solve.js";

/** Fitted values of one chunk; per-term arrays are term-major (`coef[j * C + c]`). */
export interface ChunkResult {
  /** Cells in the chunk. */
  C: number;
  /** Terms. */
  p: number;
  coef: Float64Array;
  se: Float64Array;
  /** Valid steps per cell (0 where a cell has none). */
  nobs: Float64Array;
  deviance: Float64Array;
  /** Dispersion: Pearson χ²/(n−p) where the family estimates it, else 1. */
  scale: Float64Array;
}

/** IRLS stops when the deviance changes by less than this fraction (R uses 1e-8). */
const TOLERANCE = 1e-12;
const MAX_ITERATIONS = 100;

/**
 * Fit `model` to every cell of a chunk. Cells with fewer valid steps than terms, a singular
 * design or an IRLS that does not converge get NaN coefficients, standard errors and
 * deviance; `nobs` still says how many steps they had.
 *
 * @param y - the response, `T × C` step-major; NaN is missing
 * @param covariates - other grid variables of the formula, same layout
 * @throws BatchError `SHAPE_MISMATCH` when `y` is not `T × C`; family domain errors (e.g. a
 *   negative count for Poisson) name the first offending value
 */
export function fitChunk(
  model: CellModel,
  y: ArrayLike<number>,
  C: number,
  covariates: Readonly<Record<string, ArrayLike<number>>> = {},
): ChunkResult {
  const { T, p } = model;
  if (y.length !== T * C) {
    throw new BatchError(
      "SHAPE_MISMATCH",
      `chunk holds ${y.length} values, expected ${T} steps × ${C} cells`,
      { variable: model.response },
    );
  }
  const design = model.shared === null ? chunkDesign(model, covariates, C) : null;
  const nobs = new Float64Array(C);
  for (let t = 0; t < T; t++) {
    const o = t * C;
    for (let c = 0; c < C; c++) {
      const v = y[o + c];
      if (Number.isFinite(v) && (design === null || design.ok[o + c] === 1)) nobs[c]++;
    }
  }
  const out: ChunkResult = {
    C,
    p,
    coef: new Float64Array(p * C).fill(Number.NaN),
    se: new Float64Array(p * C).fill(Number.NaN),
    nobs,
    deviance: new Float64Array(C).fill(Number.NaN),
    scale: new Float64Array(C).fill(Number.NaN),
  };
  // Only cells that can be fitted take part: land cells cost nothing.
  const active: number[] = [];
  for (let c = 0; c < C; c++) if (nobs[c] >= p) active.push(c);
  // Cells go through in groups so the float64 working arrays (IRLS keeps about ten of
  // T × group values) stay bounded whatever the chunk size.
  const group = Math.max(1, Math.floor((model.direct ? 8e6 : 2e6) / T));
  for (let g = 0; g < active.length; g += group) {
    fitGroup(model, y, C, design, active.slice(g, g + group), nobs, out);
  }
  return out;
}

/** Fit the cells `active` of the chunk (all with at least p valid steps) into `out`. */
function fitGroup(
  model: CellModel,
  y: ArrayLike<number>,
  C: number,
  design: { x: Float64Array; ok: Uint8Array } | null,
  active: readonly number[],
  nobs: Float64Array,
  out: ChunkResult,
): void {
  const { T, p } = model;
  const Ca = active.length;
  if (Ca === 0) return;
  const Y = new Float64Array(T * Ca);
  const M = new Uint8Array(T * Ca);
  let X: Float64Array;
  if (design === null) {
    X = model.shared!;
  } else {
    X = new Float64Array(T * Ca * p);
  }
  const cells = Int32Array.from(active);
  for (let t = 0; t < T; t++) {
    const o = t * C;
    const row = t * Ca;
    if (design === null) {
      // The common case, kept free of per-element checks on the design.
      for (let k = 0; k < Ca; k++) {
        const v = y[o + cells[k]];
        if (Number.isFinite(v)) {
          Y[row + k] = v;
          M[row + k] = 1;
        }
      }
      continue;
    }
    for (let k = 0; k < Ca; k++) {
      const src = o + cells[k];
      const v = y[src];
      if (Number.isFinite(v) && design.ok[src] === 1) {
        Y[row + k] = v;
        M[row + k] = 1;
        X.set(design.x.subarray(src * p, src * p + p), (row + k) * p);
      }
    }
  }
  const nAct = Float64Array.from(active, (c) => nobs[c]);
  const res =
    model.direct && design === null
      ? gaussianShared(X, Y, M, T, Ca, p, nAct)
      : irls(model, X, design === null, Y, M, T, Ca, p, nAct);
  for (let k = 0; k < Ca; k++) {
    const c = active[k];
    out.deviance[c] = res.deviance[k];
    out.scale[c] = res.scale[k];
    for (let j = 0; j < p; j++) {
      out.coef[j * C + c] = res.coef[j * Ca + k];
      out.se[j * C + c] = res.se[j * Ca + k];
    }
  }
}

interface ActiveResult {
  coef: Float64Array;
  se: Float64Array;
  deviance: Float64Array;
  scale: Float64Array;
}

function emptyResult(Ca: number, p: number): ActiveResult {
  return {
    coef: new Float64Array(p * Ca).fill(Number.NaN),
    se: new Float64Array(p * Ca).fill(Number.NaN),
    deviance: new Float64Array(Ca).fill(Number.NaN),
    scale: new Float64Array(Ca).fill(Number.NaN),
  };
}

/** Outer products x xᵀ of each design row, packed: `P[t * q + packed(i, j)]`. */
function outerProducts(X: Float64Array, T: number, p: number): Float64Array {
  const q = (p * (p + 1)) / 2;
  const P = new Float64Array(T * q);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < p; i++) {
      const xi = X[t * p + i];
      for (let j = 0; j <= i; j++) P[t * q + packed(i, j)] = xi * X[t * p + j];
    }
  }
  return P;
}

/**
 * Gaussian, identity link, one design for all cells: masked normal equations. XᵀX of a
 * cell is the full XᵀX minus the rows it misses (or, for cells missing most steps, the sum
 * of the rows it has), so a cell with 5 % gaps costs 5 % of a full pass; Xᵀy and the
 * residuals are passes over the chunk with the cells innermost.
 */
function gaussianShared(
  X: Float64Array,
  Y: Float64Array,
  M: Uint8Array,
  T: number,
  Ca: number,
  p: number,
  nobs: Float64Array,
): ActiveResult {
  const q = (p * (p + 1)) / 2;
  const P = outerProducts(X, T, p);
  const full = new Float64Array(q);
  for (let t = 0; t < T; t++) for (let m = 0; m < q; m++) full[m] += P[t * q + m];
  const A = new Float64Array(Ca * q);
  const dense = new Uint8Array(Ca);
  for (let k = 0; k < Ca; k++) {
    if (nobs[k] * 2 >= T) {
      dense[k] = 1;
      A.set(full, k * q);
    }
  }
  for (let t = 0; t < T; t++) {
    const row = t * Ca;
    const pt = t * q;
    for (let k = 0; k < Ca; k++) {
      const valid = M[row + k];
      if (valid === dense[k]) continue;
      const a = k * q;
      if (valid === 1) for (let m = 0; m < q; m++) A[a + m] += P[pt + m];
      else for (let m = 0; m < q; m++) A[a + m] -= P[pt + m];
    }
  }
  const rhs = new Float64Array(p * Ca);
  for (let t = 0; t < T; t++) {
    const row = t * Ca;
    for (let j = 0; j < p; j++) {
      const xj = X[t * p + j];
      if (xj === 0) continue;
      const o = j * Ca;
      for (let k = 0; k < Ca; k++) rhs[o + k] += xj * Y[row + k];
    }
  }
  const out = emptyResult(Ca, p);
  const diag = new Float64Array(p * Ca);
  const ok = new Uint8Array(Ca);
  const s = solveScratch(p);
  const b = new Float64Array(p * Ca);
  for (let k = 0; k < Ca; k++) ok[k] = solveCell(A, k * q, p, rhs, b, diag, Ca, k, s) ? 1 : 0;
  // RSS = yᵀy − bᵀXᵀy saves a pass over the data; it loses about log10(yᵀy / RSS) digits,
  // so cells where that ratio passes 1e6 (more than 1e-10 relative error) are summed again
  // from their residuals.
  const yy = new Float64Array(Ca);
  for (let t = 0; t < T; t++) {
    const row = t * Ca;
    for (let k = 0; k < Ca; k++) yy[k] += Y[row + k] * Y[row + k];
  }
  const rss = new Float64Array(Ca);
  for (let k = 0; k < Ca; k++) {
    if (ok[k] === 0) continue;
    let fitted = 0;
    for (let j = 0; j < p; j++) fitted += b[j * Ca + k] * rhs[j * Ca + k];
    const r = yy[k] - fitted;
    if (r > 1e-6 * yy[k]) {
      rss[k] = r;
      continue;
    }
    let exact = 0;
    for (let t = 0; t < T; t++) {
      if (M[t * Ca + k] === 0) continue;
      let f = 0;
      for (let j = 0; j < p; j++) f += X[t * p + j] * b[j * Ca + k];
      const e = Y[t * Ca + k] - f;
      exact += e * e;
    }
    rss[k] = exact;
  }
  for (let k = 0; k < Ca; k++) {
    if (ok[k] === 0) continue;
    const df = nobs[k] - p;
    const scale = df > 0 ? rss[k] / df : Number.NaN;
    out.deviance[k] = rss[k];
    out.scale[k] = scale;
    for (let j = 0; j < p; j++) {
      out.coef[j * Ca + k] = b[j * Ca + k];
      out.se[j * Ca + k] = Math.sqrt(diag[j * Ca + k] * scale);
    }
  }
  return out;
}

const wrap = (v: Float64Array): Tensor => tensor(v);
const values = (t: Tensor): Float64Array =>
  t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);

/**
 * Any family and link: IRLS on all cells of the chunk at once. Each iteration evaluates the
 * family and link (the `@geoml/losses` objects) on every (step, cell) in one call, then
 * forms and solves each cell's weighted normal equations.
 */
function irls(
  model: CellModel,
  X: Float64Array,
  shared: boolean,
  Y: Float64Array,
  M: Uint8Array,
  T: number,
  Ca: number,
  p: number,
  nobs: Float64Array,
): ActiveResult {
  const fam = model.family;
  const link = fam.link;
  const n = T * Ca;
  const q = (p * (p + 1)) / 2;
  // Missing entries hold the cell's first starting mean so every value stays in the
  // family's domain; their weight is zero.
  const mu = new Float64Array(n);
  const valuesOf = new Float64Array(T);
  for (let k = 0; k < Ca; k++) {
    let m = 0;
    for (let t = 0; t < T; t++) if (M[t * Ca + k] === 1) valuesOf[m++] = Y[t * Ca + k];
    const cell = valuesOf.slice(0, m);
    fam.validate(cell);
    const start = fam.startingMu(cell);
    m = 0;
    for (let t = 0; t < T; t++) {
      const i = t * Ca + k;
      if (M[i] === 1) mu[i] = start[m++];
      else {
        mu[i] = start[0];
        Y[i] = start[0];
      }
    }
  }
  let eta: Float64Array = noGrad(() => values(link.link(wrap(mu))));
  const P = shared ? outerProducts(X, T, p) : null;
  const A = new Float64Array(Ca * q);
  const rhs = new Float64Array(p * Ca);
  const b = new Float64Array(p * Ca);
  const diag = new Float64Array(p * Ca);
  const failed = new Uint8Array(Ca);
  const converged = new Uint8Array(Ca);
  const deviance = new Float64Array(Ca).fill(Number.POSITIVE_INFINITY);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  const s: SolveScratch = solveScratch(p);
  let muNow: Float64Array = mu;
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    const dmu = noGrad(() => values(link.derivative(wrap(eta))));
    const v = noGrad(() => values(fam.variance(wrap(muNow))));
    for (let i = 0; i < n; i++) {
      if (M[i] === 1 && failed[i % Ca] === 0) {
        w[i] = (dmu[i] * dmu[i]) / v[i];
        z[i] = eta[i] + (Y[i] - muNow[i]) / dmu[i];
      } else {
        w[i] = 0;
        z[i] = 0;
      }
    }
    A.fill(0);
    rhs.fill(0);
    accumulate(X, P, w, z, T, Ca, p, A, rhs);
    for (let k = 0; k < Ca; k++) {
      if (failed[k] === 1) continue;
      if (!solveCell(A, k * q, p, rhs, b, diag, Ca, k, s)) failed[k] = 1;
    }
    eta = linearPredictor(X, shared, b, T, Ca, p);
    muNow = noGrad(() => values(link.inverse(wrap(eta))));
    const unit = noGrad(() => values(fam.unitDeviance(wrap(Y), wrap(muNow))));
    const dev = new Float64Array(Ca);
    for (let t = 0; t < T; t++) {
      const row = t * Ca;
      for (let k = 0; k < Ca; k++) if (M[row + k] === 1) dev[k] += unit[row + k];
    }
    let all = true;
    for (let k = 0; k < Ca; k++) {
      if (failed[k] === 1) continue;
      if (!Number.isFinite(dev[k])) {
        failed[k] = 1;
        continue;
      }
      converged[k] = Math.abs(dev[k] - deviance[k]) <= TOLERANCE * (Math.abs(dev[k]) + 0.1) ? 1 : 0;
      deviance[k] = dev[k];
      if (converged[k] === 0) all = false;
    }
    if (all) break;
  }
  const out = emptyResult(Ca, p);
  const pearson = new Float64Array(Ca);
  if (model.estimatedScale) {
    const v = noGrad(() => values(fam.variance(wrap(muNow))));
    for (let t = 0; t < T; t++) {
      const row = t * Ca;
      for (let k = 0; k < Ca; k++) {
        if (M[row + k] === 0) continue;
        const r = Y[row + k] - muNow[row + k];
        pearson[k] += (r * r) / v[row + k];
      }
    }
  }
  for (let k = 0; k < Ca; k++) {
    if (failed[k] === 1 || converged[k] === 0) continue;
    const df = nobs[k] - p;
    const scale = model.estimatedScale ? (df > 0 ? pearson[k] / df : Number.NaN) : 1;
    out.deviance[k] = deviance[k];
    out.scale[k] = scale;
    for (let j = 0; j < p; j++) {
      out.coef[j * Ca + k] = b[j * Ca + k];
      out.se[j * Ca + k] = Math.sqrt(diag[j * Ca + k] * scale);
    }
  }
  return out;
}

/** A_k += Σ_t w x xᵀ and rhs_k += Σ_t w z x, for every cell k. */
function accumulate(
  X: Float64Array,
  P: Float64Array | null,
  w: Float64Array,
  z: Float64Array,
  T: number,
  Ca: number,
  p: number,
  A: Float64Array,
  rhs: Float64Array,
): void {
  const q = (p * (p + 1)) / 2;
  for (let t = 0; t < T; t++) {
    const row = t * Ca;
    for (let k = 0; k < Ca; k++) {
      const wi = w[row + k];
      if (wi === 0) continue;
      const a = k * q;
      const xo = P === null ? (row + k) * p : t * p;
      if (P !== null) {
        const pt = t * q;
        for (let m = 0; m < q; m++) A[a + m] += wi * P[pt + m];
      } else {
        for (let i = 0; i < p; i++) {
          const wx = wi * X[xo + i];
          for (let j = 0; j <= i; j++) A[a + packed(i, j)] += wx * X[xo + j];
        }
      }
      const wz = wi * z[row + k];
      for (let j = 0; j < p; j++) rhs[j * Ca + k] += wz * X[xo + j];
    }
  }
}

function linearPredictor(
  X: Float64Array,
  shared: boolean,
  b: Float64Array,
  T: number,
  Ca: number,
  p: number,
): Float64Array {
  const eta = new Float64Array(T * Ca);
  for (let t = 0; t < T; t++) {
    const row = t * Ca;
    for (let k = 0; k < Ca; k++) {
      const xo = shared ? t * p : (row + k) * p;
      let v = 0;
      for (let j = 0; j < p; j++) v += X[xo + j] * b[j * Ca + k];
      eta[row + k] = v;
    }
  }
  return eta;
}
