/**
 * Tensor-product smooth `te(x, z, …)` (mgcv's `smooth.construct.tensor`): the
 * row-wise Kronecker product of one-dimensional marginal bases (cr by default,
 * k = 5 each), with one penalty per margin, S_i = I ⊗ … ⊗ S̃_i ⊗ … ⊗ I, each
 * marginal penalty scaled to largest eigenvalue 1. Margins whose coefficients
 * are not function values are first reparameterised (mgcv's `np=TRUE`) so that
 * they are values at evenly spaced points.
 */
import { inverse, matmul, symEigen, transpose } from "../dense.js";
import { basisType } from "./registry.js";
import type { BasisState, RawBasis } from "./types.js";

interface TeState extends BasisState {
  margins: BasisState[];
  dims: number[];
  /** Per margin: k×k reparameterisation (row-major) or null. */
  xp: (number[] | null)[];
}

/** Row-wise Kronecker product of column-major n×d_i matrices (first margin varies slowest). */
function rowKronecker(mats: Float64Array[], dims: number[], n: number): Float64Array {
  let cur = mats[0];
  let width = dims[0];
  for (let t = 1; t < mats.length; t++) {
    const b = mats[t];
    const db = dims[t];
    const out = new Float64Array(n * width * db);
    for (let a = 0; a < width; a++)
      for (let c = 0; c < db; c++) {
        const col = a * db + c;
        for (let i = 0; i < n; i++) out[col * n + i] = cur[a * n + i] * b[c * n + i];
      }
    cur = out;
    width *= db;
  }
  return cur;
}

/** Column-major n×k times row-major k×k. */
function timesSquare(X: Float64Array, n: number, k: number, P: Float64Array): Float64Array {
  const out = new Float64Array(n * k);
  for (let j = 0; j < k; j++)
    for (let c = 0; c < k; c++) {
      const p = P[c * k + j];
      if (p === 0) continue;
      for (let i = 0; i < n; i++) out[j * n + i] += X[c * n + i] * p;
    }
  return out;
}

/** Kronecker product of row-major square matrices. */
function kron(a: Float64Array, na: number, b: Float64Array, nb: number): Float64Array {
  const n = na * nb;
  const out = new Float64Array(n * n);
  for (let i = 0; i < na; i++)
    for (let j = 0; j < na; j++) {
      const v = a[i * na + j];
      if (v === 0) continue;
      for (let r = 0; r < nb; r++)
        for (let c = 0; c < nb; c++) out[(i * nb + r) * n + j * nb + c] = v * b[r * nb + c];
    }
  return out;
}

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** Builds the tensor-product basis from its margins' covariates. */
export function constructTensor(
  x: readonly Float64Array[],
  bs: readonly string[],
  ks: readonly number[],
  label: string,
): RawBasis {
  const n = x[0].length;
  const margins: RawBasis[] = x.map((col, i) =>
    basisType(bs[i], label).construct([col], { k: ks[i], m: null, label }),
  );
  const dims = margins.map((m) => m.k);
  const Xm: Float64Array[] = [];
  const Sm: Float64Array[] = [];
  const xp: (number[] | null)[] = [];
  margins.forEach((mg, i) => {
    let X = mg.X;
    let S = mg.S[0];
    const k = mg.k;
    let P: Float64Array | null = null;
    if (!mg.noterp) {
      // values at k evenly spaced points become the coefficients: X ← X P⁻¹
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const v of x[i]) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const grid = Float64Array.from({ length: k }, (_, j) => lo + ((hi - lo) * j) / (k - 1));
      const G = transpose(basisType(bs[i], label).predict(mg.state, [grid]), k, k); // row-major
      P = inverse(G, k);
      if (P) {
        X = timesSquare(X, n, k, P);
        S = matmul(matmul(transpose(P, k, k), S, k, k, k), P, k, k, k);
      }
    }
    const top = symEigen(S, k).values[0];
    Sm.push(S.map((v) => v / top));
    Xm.push(X);
    xp.push(P ? [...P] : null);
  });
  const total = dims.reduce((a, b) => a * b, 1);
  const S = Sm.map((s, i) => {
    let out: Float64Array = new Float64Array([1]);
    let size = 1;
    for (let j = 0; j < dims.length; j++) {
      out = kron(out, size, j === i ? s : identity(dims[j]), dims[j]);
      size *= dims[j];
    }
    return out;
  });
  return {
    k: total,
    X: rowKronecker(Xm, dims, n),
    S,
    ranks: margins.map((m, i) => (total * m.ranks[0]) / dims[i]),
    nullSpaceDim: margins.reduce((a, m) => a * m.nullSpaceDim, 1),
    noterp: false,
    state: { bs: "te", margins: margins.map((m) => m.state), dims, xp } as TeState,
  };
}

/** Model matrix of a tensor product at new covariate values. */
export function predictTensor(state: BasisState, x: readonly Float64Array[]): Float64Array {
  const s = state as TeState;
  const n = x[0].length;
  const mats = s.margins.map((ms, i) => {
    const X = basisType(ms.bs, "te").predict(ms, [x[i]]);
    const P = s.xp[i];
    return P ? timesSquare(X, n, s.dims[i], Float64Array.from(P)) : X;
  });
  return rowKronecker(mats, s.dims, n);
}
