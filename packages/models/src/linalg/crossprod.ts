import { type RowRun, type RowTask, runRows } from "@geoml/autodiff";
import type { WasmMemory } from "@geoml/autodiff/wasm";
import {
  BLOCK,
  designMemory,
  type PlacedKernels,
  placedKernels,
  scratchLayout,
} from "./design-memory.js";
import type { SimdKernels } from "./simd.js";
import { threadSimd } from "./simd-switch.js";

/**
 * Weighted cross-products of a column-major design, the one pass over the rows
 * that IRLS spends nearly all its time in.
 */

/**
 * A step run inside {@link crossprodRange} for each block of rows, in place of
 * reading weights and a working response: η = offset + Xβ is formed from the block
 * of X already in cache (and copied to `eta`), then `rows` computes the weights and
 * working response of the block from it, written straight into the buffers the
 * cross-product reads. This is how IRLS reads X once per iteration and keeps no
 * row-length arrays of weights or working response.
 */
export interface LinearStep {
  /** Coefficients; NaN (aliased) counts as 0. */
  beta: Float64Array;
  offset: Float64Array | null;
  /** Receives η of every row. */
  eta: Float64Array;
  /**
   * Rows [b, b + len): reads their η from `eta` (index 0 is row b) and writes their
   * weights into `W` and working response into `z` (views of length len).
   */
  rows(b: number, len: number, eta: Float64Array, W: Float64Array, z: Float64Array): void;
  /**
   * Only the score: row p of the result (columns 0…p−1) gets Xᵀ W (z − η + offset),
   * the gradient that a step with a Hessian from elsewhere needs, and nothing else is
   * accumulated (p dot products per row instead of (p+1)(p+2)/2).
   */
  score?: boolean;
  /**
   * For kernels built with a family's row kernel (`SimdKernels.rows`): the data's y and
   * prior weights, read block by block, and μ, written block by block, in place of
   * calling `rows`; the rows' deviance is added to `deviance`.
   */
  rowData?: RowData;
}

/** The rows a family's WebAssembly row kernel reads and writes (see {@link LinearStep}). */
export interface RowData {
  y: Float64Array;
  w: Float64Array;
  mu: Float64Array;
  deviance: number;
  /**
   * True when y, w, μ, η (`LinearStep.eta`) and the offset (when there is one) are
   * the views of `rowColumns` of the design's memory: kernels placed there (with
   * `placedKernels`) then read and write them in place, with no copies per block.
   */
  placed: boolean;
  /** The part of the deviance of rows [b, b + len) that the row kernel leaves out (or 0). */
  constant(b: number, len: number): number;
}

/**
 * Accumulates the lower triangle of [X z]ᵀ W [X z] over rows [r0, r1) into `acc`
 * ((p+1)×(p+1) row-major). With a {@link LinearStep}, the step makes W and z block
 * by block and `w`, `z` are not read (pass null). `simd` may be the kernels of the
 * memory holding x (`placedKernels`), which then read its columns in place.
 */
export function crossprodRange(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array | null,
  z: Float64Array | null,
  r0: number,
  r1: number,
  acc: Float64Array,
  simd: SimdKernels | PlacedKernels | null = null,
  step: LinearStep | null = null,
): void {
  if (simd) simdRange(x, n, p, w, z, r0, r1, acc, simd, step);
  else plainRange(x, n, p, w, z, r0, r1, acc, step);
}

/** {@link crossprodRange} through the WebAssembly kernels. */
function simdRange(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array | null,
  z: Float64Array | null,
  r0: number,
  r1: number,
  acc: Float64Array,
  simd: SimdKernels | PlacedKernels,
  step: LinearStep | null,
): void {
  const q = p + 1;
  const column = (j: number, b: number, len: number) => x.subarray(j * n + b, j * n + b + len);
  const k = "kernels" in simd ? simd.kernels : simd;
  // in place: column j of rows b… at byte xAt + (j·n + b)·8, the working response
  // in column p of the same memory
  const xAt = "kernels" in simd ? simd.at : -1;
  const inPlace = xAt >= 0;
  // the scratch space starts at byte `base` (each thread has its own in a design's
  // memory); `at(i)` is the byte address of float64 slot i of it
  const base = "kernels" in simd ? simd.base : 0;
  const at = (i: number) => base + i * 8;
  const {
    qe,
    cxAt,
    wbAt,
    sumsAt,
    betaAt,
    etaAt,
    scoreAt,
    yAt,
    priorAt,
    offsetAt,
    muAt,
    poolAt,
    signsAt,
    size,
  } = scratchLayout(p);
  const have = k.memory.buffer.byteLength;
  if (have < base + size * 8) k.memory.grow(Math.ceil((base + size * 8 - have) / 65536));
  const buffer = k.memory.buffer;
  const mem = new Float64Array(buffer, base, size);
  const cx = mem.subarray(cxAt, cxAt + qe * BLOCK);
  const wb = mem.subarray(wbAt, wbAt + BLOCK);
  const sums = mem.subarray(sumsAt, sumsAt + qe * qe);
  const etaBlock = mem.subarray(etaAt, etaAt + BLOCK);
  // the working response: column p of the design's memory, or of cx
  const zColumn = inPlace ? new Float64Array(buffer, xAt + p * n * 8, n + 1) : null;
  // the triangle's A (scaled columns in scratch space) is built into the kernels;
  // the design's columns are n rows apart in place, BLOCK rows apart when copied
  if (k.strideA !== BLOCK * 8)
    throw new Error(`crossprodRange: kernels built for A columns ${k.strideA} bytes apart`);
  const sb = inPlace ? n * 8 : BLOCK * 8;
  const scoreOnly = step?.score === true;
  const rowData = k.rows ? step?.rowData : undefined;
  // the row columns in place (byte addresses), which `passBlocks` reads and writes
  const rowsAt = inPlace && rowData?.placed && "kernels" in simd ? simd.rows : null;
  mem.fill(0);
  mem[signsAt] = 1;
  mem[signsAt + 1] = -1;
  if (step) for (let j = 0; j < p; j++) mem[betaAt + j] = step.beta[j] || 0;
  // the row kernel's deviance over the blocks, then the part it leaves out (summed
  // apart, in the same order whichever way the blocks run)
  let kernelDeviance = 0;
  if (step && rowsAt && rowData && k.passBlocks) {
    // the design and the row columns in place: η = offset + Xβ straight into the η
    // column, which the row kernel reads with y, w and the offset where they are,
    // writing μ there too, then the cross-product, block by block in one call
    // (nothing is copied, and no JavaScript runs per block)
    kernelDeviance = k.passBlocks(
      xAt,
      n,
      p,
      r0,
      r1,
      rowsAt.eta,
      step.offset ? rowsAt.offset : 0,
      rowsAt.y,
      rowsAt.w,
      rowsAt.mu,
      at(0),
      at(wbAt),
      at(sumsAt),
      at(betaAt),
      at(scoreAt),
      at(offsetAt),
      at(poolAt),
      at(signsAt),
      scoreOnly ? 1 : 0,
      qe,
    );
  } else
    for (let b = r0; b < r1; b += BLOCK) {
      const len = Math.min(BLOCK, r1 - b);
      // an even length for the two-row steps: the padding row has weight 0 (in place,
      // it is the first row of the next column, finite, or one of the zeros after them)
      const padded = len + (len & 1);
      // byte address of column j of the block
      const col = inPlace
        ? (j: number) => xAt + (j * n + b) * 8
        : (j: number) => at(cxAt + j * BLOCK);
      if (!inPlace)
        for (let j = 0; j < p; j++) {
          cx.set(column(j, b, len), j * BLOCK);
          if (padded > len) cx[j * BLOCK + len] = 0;
        }
      const zBlock = zColumn
        ? zColumn.subarray(b, b + len)
        : cx.subarray(p * BLOCK, p * BLOCK + len);
      if (step) {
        if (step.offset) etaBlock.set(step.offset.subarray(b, b + len));
        else etaBlock.fill(0);
        k.combine(col(0), p, padded * 8, at(betaAt), at(etaAt), sb);
        step.eta.set(etaBlock.subarray(0, len), b);
        if (rowData && k.rows) {
          mem.set(rowData.y.subarray(b, b + len), yAt);
          mem.set(rowData.w.subarray(b, b + len), priorAt);
          if (step.offset) mem.set(step.offset.subarray(b, b + len), offsetAt);
          if (padded > len) mem[yAt + len] = mem[priorAt + len] = mem[offsetAt + len] = 0;
          // the kernel writes the padding row's W and z too: 0, for its weight 0
          const dev = k.rows(
            at(etaAt),
            at(offsetAt),
            at(yAt),
            at(priorAt),
            at(muAt),
            at(wbAt),
            col(p),
            padded * 8,
            at(poolAt),
          );
          kernelDeviance += dev;
          rowData.mu.set(mem.subarray(muAt, muAt + len), b);
        } else step.rows(b, len, etaBlock.subarray(0, len), wb.subarray(0, len), zBlock);
        if (scoreOnly) toResidual(zBlock, etaBlock, step.offset, b);
      } else {
        wb.set(w!.subarray(b, b + len));
        zBlock.set(z!.subarray(b, b + len));
      }
      if (padded > len) {
        wb[len] = 0;
        if (zColumn) zColumn[b + len] = 0;
        else cx[p * BLOCK + len] = 0;
      }
      if (scoreOnly) {
        // W ⊙ r into slot p of wx, then (W ⊙ r)ᵀ[xⱼ xⱼ₊₁] for each pair of columns as
        // the first row of a 2×2 triangle tile (its second row, from the slot after
        // p, is not used)
        k.scale(at(p * BLOCK), col(p), at(wbAt), padded * 8);
        for (let j = 0; j < p; j += 2)
          k.triangle(at(p * BLOCK), col(j), 2, padded * 8, at(scoreAt + 2 * j), sb);
        continue;
      }
      for (let j = 0; j < q; j++) k.scale(at(j * BLOCK), col(j), at(wbAt), padded * 8);
      k.triangle(at(0), col(0), qe, padded * 8, at(sumsAt), sb);
    }
  if (rowData) {
    let left = 0;
    for (let b = r0; b < r1; b += BLOCK) left += rowData.constant(b, Math.min(BLOCK, r1 - b));
    rowData.deviance += kernelDeviance + left;
  }
  if (scoreOnly) {
    // tile of pair j/2 at scoreAt + 2j: entries 0 and 1 are the scores of xⱼ and xⱼ₊₁
    for (let j = 0; j < p; j++) acc[p * q + j] += mem[scoreAt + 2 * (j - (j & 1)) + (j & 1)];
    return;
  }
  for (let j = 0; j < q; j++) for (let k2 = 0; k2 <= j; k2++) acc[j * q + k2] += sums[j * qe + k2];
}

/** {@link crossprodRange} in plain JavaScript (the fallback). */
function plainRange(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array | null,
  z: Float64Array | null,
  r0: number,
  r1: number,
  acc: Float64Array,
  step: LinearStep | null,
): void {
  const q = p + 1;
  const column = (j: number, b: number, len: number) => x.subarray(j * n + b, j * n + b + len);
  const wx = new Float64Array(q * BLOCK);
  const cx = new Float64Array(q * BLOCK);
  const wb = new Float64Array(BLOCK);
  const etaBlock = step ? new Float64Array(BLOCK) : null;
  for (let b = r0; b < r1; b += BLOCK) {
    const len = Math.min(BLOCK, r1 - b);
    for (let j = 0; j < p; j++) cx.set(column(j, b, len), j * BLOCK);
    const zBlock = cx.subarray(p * BLOCK, p * BLOCK + len);
    if (step && etaBlock) {
      const { offset } = step;
      for (let i = 0; i < len; i++) etaBlock[i] = offset ? offset[b + i] : 0;
      for (let j = 0; j < p; j++) {
        const c = step.beta[j] || 0;
        const o = j * BLOCK;
        for (let i = 0; i < len; i++) etaBlock[i] += c * cx[o + i];
      }
      const e = etaBlock.subarray(0, len);
      step.eta.set(e, b);
      step.rows(b, len, e, wb.subarray(0, len), zBlock);
      if (step.score) {
        toResidual(zBlock, e, offset, b);
        for (let j = 0; j < p; j++) {
          const o = j * BLOCK;
          let t = 0;
          for (let i = 0; i < len; i++) t += wb[i] * zBlock[i] * cx[o + i];
          acc[p * q + j] += t;
        }
        continue;
      }
    } else {
      wb.set(w!.subarray(b, b + len));
      zBlock.set(z!.subarray(b, b + len));
    }
    for (let j = 0; j < q; j++) {
      const off = j * BLOCK;
      for (let i = 0; i < len; i++) wx[off + i] = wb[i] * cx[off + i];
    }
    // 2×2 register blocks of the lower triangle: four dot products share four loads
    for (let j = 0; j < q; j += 2) {
      const j1 = Math.min(j + 1, q - 1);
      const a0 = j * BLOCK;
      const a1 = j1 * BLOCK;
      for (let k = 0; k <= j1; k += 2) {
        const k1 = Math.min(k + 1, q - 1);
        const b0 = k * BLOCK;
        const b1 = k1 * BLOCK;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let i = 0; i < len; i++) {
          const u0 = wx[a0 + i];
          const u1 = wx[a1 + i];
          const v0 = cx[b0 + i];
          const v1 = cx[b1 + i];
          s00 += u0 * v0;
          s01 += u0 * v1;
          s10 += u1 * v0;
          s11 += u1 * v1;
        }
        acc[j * q + k] += s00;
        if (k1 !== k) acc[j * q + k1] += s01;
        if (j1 !== j) {
          acc[j1 * q + k] += s10;
          if (k1 !== k) acc[j1 * q + k1] += s11;
        }
      }
    }
  }
}

/**
 * (z + offset) − η for rows b… of a block: the working residual (y − μ)/(dμ/dη), summed
 * in the order of the kernels' `combine` with coefficients 1 and −1 (the placed path).
 */
function toResidual(z: Float64Array, eta: Float64Array, offset: Float64Array | null, b: number) {
  if (offset) for (let i = 0; i < z.length; i++) z[i] = z[i] + offset[b + i] - eta[i];
  else for (let i = 0; i < z.length; i++) z[i] -= eta[i];
}

/**
 * The (p+1)×(p+1) matrix [X z]ᵀ W [X z] in one blocked pass over the rows, so X'WX,
 * X'Wz and z'Wz come from the same sweep. When X, w and z live in shared memory
 * and the problem is large, the rows are split across worker threads.
 *
 * @param x design, column-major: column j is `x[j*n .. j*n+n)`.
 * @param n rows; @param p columns.
 * @param w weight per row; @param z working response per row.
 * @param oneThread keep the pass on the calling thread.
 * @returns row-major (p+1)×(p+1) symmetric matrix (both triangles filled).
 */
export function weightedCrossprod(
  x: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  z: Float64Array,
  oneThread = false,
): Float64Array {
  const q = p + 1;
  let acc: Float64Array;
  if (n * q > 4096)
    acc = runRows(
      crossprodTask,
      { x, n, p, w, z, memory: designMemory(x) },
      n,
      q * q,
      (n * q * (q + 1)) / 2,
      // ranges of whole blocks: no range's padding row is another's first row
      { align: BLOCK, ...(oneThread ? { minWork: Number.POSITIVE_INFINITY } : {}) },
    );
  else {
    // small: plain JavaScript, no kernel to build and no threads
    acc = new Float64Array(q * q);
    crossprodRange(x, n, p, w, z, 0, n, acc, null);
  }
  // the blocks also touched some upper entries; rebuild them from the lower triangle
  for (let j = 0; j < q; j++) for (let k = j + 1; k < q; k++) acc[j * q + k] = acc[k * q + j];
  return acc;
}

interface CrossprodArgs {
  x: Float64Array;
  n: number;
  p: number;
  w: Float64Array;
  z: Float64Array;
  /** The WebAssembly memory holding x, when x was made by `designMatrix` (else null). */
  memory: WasmMemory | null;
}

/** The rows [r0, r1) of {@link weightedCrossprod}: the task its worker threads import. */
export const crossprodRows: RowRun<CrossprodArgs, Record<string, never>> = (a, r0, r1, out) =>
  crossprodRange(
    a.x,
    a.n,
    a.p,
    a.w,
    a.z,
    r0,
    r1,
    out,
    placedKernels(a.x, a.n, a.p, null, 0, a.memory) ?? threadSimd(),
  );

const crossprodTask: RowTask<CrossprodArgs, Record<string, never>> = {
  run: { module: import.meta.url, name: "crossprodRows", fn: crossprodRows },
  lib: {},
};

/** Adds X β to `eta` over rows [r0, r1) of a column-major X. */
function linearPredictorRange(
  x: Float64Array,
  n: number,
  p: number,
  beta: ArrayLike<number>,
  eta: Float64Array,
  r0: number,
  r1: number,
): void {
  // row blocks keep the slice of η in cache while every column streams past it
  const BLOCK = 4096;
  for (let b0 = r0; b0 < r1; b0 += BLOCK) {
    const b1 = Math.min(r1, b0 + BLOCK);
    // four columns per sweep of the block: a quarter of the loads and stores of η
    let j = 0;
    for (; j + 4 <= p; j += 4) {
      // aliased (NaN) coefficients count as 0
      const c0 = beta[j] || 0;
      const c1 = beta[j + 1] || 0;
      const c2 = beta[j + 2] || 0;
      const c3 = beta[j + 3] || 0;
      const o0 = j * n;
      const o1 = o0 + n;
      const o2 = o1 + n;
      const o3 = o2 + n;
      for (let i = b0; i < b1; i++)
        eta[i] += c0 * x[o0 + i] + c1 * x[o1 + i] + c2 * x[o2 + i] + c3 * x[o3 + i];
    }
    for (; j < p; j++) {
      const c = beta[j] || 0;
      const o = j * n;
      for (let i = b0; i < b1; i++) eta[i] += c * x[o + i];
    }
  }
}

/** η = X β + offset for a column-major X (offset may be null). */
export function linearPredictor(
  x: Float64Array,
  n: number,
  p: number,
  beta: Float64Array,
  offset: Float64Array | null,
): Float64Array {
  const eta = offset ? Float64Array.from(offset) : new Float64Array(n);
  linearPredictorRange(x, n, p, beta, eta, 0, n);
  return eta;
}

/** Diagonal of X C Xᵀ (variance of each row's linear predictor) for a p×p row-major C. */
export function rowQuadraticForm(
  x: Float64Array,
  n: number,
  p: number,
  c: Float64Array,
): Float64Array {
  const out = new Float64Array(n);
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) row[j] = x[j * n + i];
    let s = 0;
    for (let j = 0; j < p; j++) {
      let t = 0;
      for (let k = 0; k < p; k++) t += c[j * p + k] * row[k];
      s += row[j] * t;
    }
    out[i] = s;
  }
  return out;
}
