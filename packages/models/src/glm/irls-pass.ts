/**
 * One pass over the rows per IRLS iteration: for a block of rows at a time, the
 * linear predictor η = offset + Xβ, then μ, the working weights and response and
 * the deviance (a {@link RowKernel}), then the block's share of [X z]ᵀW[X z], all
 * from one copy of the block's columns in cache; the weights and working response
 * of a block go straight into the cross-product's buffers. The generic path reads the design
 * twice per iteration (once for η, once for the cross-product) and calls the
 * family's tensor operations in between; this reads it once, on every thread.
 */

import { isShared, type RowTask, runRows, sharedFloat64, simdEnabled } from "@geoml/autodiff";
import type { WasmMemory, WasmModule } from "@geoml/autodiff/wasm";
import type { FusedRowKernel, RowKernel, WasmRowKernel } from "@geoml/losses";
import { crossprodRange, type RowData } from "../linalg/crossprod.js";
import { BLOCK, designMemory, placedKernels, rowColumns } from "../linalg/design-memory.js";
import { threadSimd } from "../linalg/simd-switch.js";

interface PassArgs {
  x: Float64Array;
  n: number;
  p: number;
  beta: Float64Array;
  offset: Float64Array | null;
  y: Float64Array;
  w: Float64Array;
  eta: Float64Array;
  mu: Float64Array;
  /** The kernel's table from y (small: copied to each worker). */
  aux: Float64Array | null;
  /** The flag of the kernel's WebAssembly form, from y. */
  flag: number;
  /** The WebAssembly memory holding x, when x was made by `designMatrix` (else null). */
  memory: WasmMemory | null;
  /**
   * The calling thread's compiled kernels for this row kernel, which the
   * workers instantiate on `memory` instead of compiling them again; null without.
   */
  module: WasmModule | null;
  /** y, w, offset, η and μ are the row columns of that memory (`rowColumns`). */
  rowsPlaced: boolean;
  /**
   * The part of the deviance the WebAssembly row kernel leaves out
   * (`WasmRowKernel.devianceConstant`), for each block of BLOCK rows; null without one.
   */
  constants: Float64Array | null;
  /** Only the score Xᵀ W (z − η + offset), in row p of the cross-product. */
  score: boolean;
}

interface PassLib extends Record<string, unknown> {
  kernel: RowKernel;
  /** The kernel's WebAssembly form, null without one. */
  wasm: WasmRowKernel | null;
}

/**
 * out[0] += deviance of rows [r0, r1); out[1…] += their [X z]ᵀW[X z] (lower
 * triangle). Exported: worker threads import it.
 */
export function passRows(
  a: PassArgs,
  r0: number,
  r1: number,
  out: Float64Array,
  lib: PassLib,
): void {
  let dev = 0;
  const { kernel } = lib;
  const { y, w, offset, mu, aux } = a;
  // the kernel's WebAssembly form runs inside the cross-product's module, which reads
  // the design in place when it can
  const simd =
    placedKernels(a.x, a.n, a.p, lib.wasm, a.flag, a.memory, a.module) ??
    threadSimd(lib.wasm, a.flag);
  const rows = simd && ("kernels" in simd ? simd.kernels.rows : simd.rows);
  const leftOut = lib.wasm?.devianceConstant;
  const rowData: RowData | undefined = rows
    ? {
        y,
        w,
        mu,
        deviance: 0,
        placed: a.rowsPlaced,
        constant: (b, len) => {
          if (!leftOut) return 0;
          // the blocks of a pass are those of the table (ranges are whole blocks)
          if (a.constants && b % BLOCK === 0 && (len === BLOCK || b + len === a.n))
            return a.constants[b / BLOCK];
          return leftOut(y.subarray(b, b + len), w.subarray(b, b + len), len)[0];
        },
      }
    : undefined;
  const step = {
    beta: a.beta,
    offset,
    score: a.score,
    eta: a.eta,
    rowData,
    // the kernel sees the block alone: row b of the data is its row 0
    rows: (b: number, len: number, eta: Float64Array, W: Float64Array, z: Float64Array) => {
      const e = b + len;
      const o = offset ? offset.subarray(b, e) : null;
      dev += kernel(
        eta,
        o,
        y.subarray(b, e),
        w.subarray(b, e),
        mu.subarray(b, e),
        W,
        z,
        0,
        len,
        aux,
      );
    },
  };
  crossprodRange(a.x, a.n, a.p, null, null, r0, r1, out.subarray(1), simd, step);
  out[0] += dev + (rowData?.deviance ?? 0);
}

/** The WebAssembly row kernel of a family that has none (worker threads import it). */
export const noWasmRows = null;

/** What one pass gives at coefficients β. */
export interface PassResult {
  /** η = Xβ + offset (a buffer the next pass overwrites). */
  eta: Float64Array;
  /** μ = g⁻¹(η) (likewise overwritten by the next pass). */
  mu: Float64Array;
  /**
   * η and μ are columns of the design's memory (`rowColumns`), this pass function's
   * alone: only the first pass function made for a design gets them.
   */
  inDesignMemory: boolean;
  /** Σ w·d(y, μ). */
  deviance: number;
  /**
   * [X z]ᵀW[X z], (p+1)×(p+1) row-major with both triangles, W and z at this μ; null
   * from a pass asked for the score only.
   */
  cross: Float64Array | null;
  /** Xᵀ W (z − η + offset), from a pass asked for the score only (else null). */
  score: Float64Array | null;
}

const shared = (v: Float64Array) => {
  if (isShared(v)) return v;
  const s = sharedFloat64(v.length);
  s.set(v);
  return s;
};

/**
 * A pass function for one problem: `pass(β)` evaluates η, μ, the deviance and the
 * weighted cross-product at β; `pass(β, true)` the score in place of the
 * cross-product. The response, weights and offset are copied once into the design's
 * WebAssembly memory when it has one and no other pass function has taken its row
 * columns (`rowColumns`: the row kernel then reads them, and writes η and μ, in
 * place), else into shared memory (when they are not shared already), so that worker
 * threads can read them; the design must be shared already for the pass to use the
 * workers. `oneThread` keeps every pass on the calling thread.
 */
export function irlsPass(
  kernel: FusedRowKernel,
  x: Float64Array,
  n: number,
  p: number,
  y: Float64Array,
  w: Float64Array,
  offset: Float64Array | null,
  oneThread = false,
): (beta: Float64Array, scoreOnly?: boolean) => PassResult {
  const task: RowTask<PassArgs, PassLib> = {
    run: { module: import.meta.url, name: "passRows", fn: passRows },
    // a kernel without a module (one a user wrote inline) keeps the pass on this thread
    lib: {
      kernel: { module: kernel.module, name: kernel.export ?? kernel.name, fn: kernel.kernel },
      // a kernel without a WebAssembly form: this module's `noWasmRows` (null) on workers
      wasm:
        kernel.wasm && kernel.wasmExport
          ? { module: kernel.module, name: kernel.wasmExport, fn: kernel.wasm }
          : { module: import.meta.url, name: "noWasmRows", fn: null },
    },
  };
  const memory = designMemory(x);
  const fixed = {
    x,
    n,
    p,
    flag: kernel.wasm?.flag?.(y) ?? 0,
    memory,
  };
  // the JavaScript kernel's table from y (null: none), made once, for passes that run
  // without the WebAssembly row kernel. Passes with it never read the table; a thread
  // whose WebAssembly kernels fail runs the JavaScript one without it, which computes the
  // same values (see `FusedRowKernel.prepare`)
  let aux: Float64Array | null | undefined;
  const table = () => {
    if (aux === undefined) aux = kernel.prepare(y);
    return aux;
  };
  // the row kernel's left-out deviance, block by block, once per fit
  let constants: Float64Array | null = null;
  const leftOut = kernel.wasm?.devianceConstant;
  const blockConstants = () => {
    if (!leftOut) return null;
    constants ??= leftOut(y, w, BLOCK);
    return constants;
  };
  const owner = {};
  let plain: Omit<
    PassArgs,
    keyof typeof fixed | "aux" | "constants" | "beta" | "score" | "module"
  > | null = null;
  const columns = () => {
    const placed = memory && kernel.wasm && simdEnabled() ? rowColumns(x, owner) : null;
    if (placed) {
      if (placed.fresh) {
        placed.y.set(y);
        placed.w.set(w);
        // without an offset its column is never read (the kernels take zeros from their
        // scratch space)
        if (offset) placed.offset.set(offset);
      }
      const { eta, mu } = placed;
      return {
        y: placed.y,
        w: placed.w,
        offset: offset && placed.offset,
        eta,
        mu,
        rowsPlaced: true,
      };
    }
    plain ??= {
      y: shared(y),
      w: shared(w),
      offset: offset && shared(offset),
      eta: sharedFloat64(n),
      mu: sharedFloat64(n),
      rowsPlaced: false,
    };
    return plain;
  };
  const q = p + 1;
  return (beta, scoreOnly = false) => {
    const cols = columns();
    // the score alone costs p multiply-adds per row, the cross-product (p+1)(p+2)/2
    const work = scoreOnly ? n * q * 4 : (n * q * (q + 3)) / 2;
    // this thread's kernels first, so that the workers get their compiled module
    const placed =
      memory && kernel.wasm && simdEnabled()
        ? placedKernels(x, n, p, kernel.wasm, fixed.flag, memory)
        : null;
    const args: PassArgs = {
      ...fixed,
      ...cols,
      aux: kernel.wasm && simdEnabled() ? null : table(),
      constants: simdEnabled() ? blockConstants() : null,
      beta,
      score: scoreOnly,
      module: placed?.kernels.module ?? null,
    };
    // ranges of whole blocks: no range's padding row is another's first row
    const out = runRows(task, args, n, 1 + q * q, work, {
      align: BLOCK,
      ...(oneThread ? { minWork: Number.POSITIVE_INFINITY } : {}),
    });
    const cross = out.subarray(1);
    if (scoreOnly)
      return {
        eta: cols.eta,
        mu: cols.mu,
        inDesignMemory: cols.rowsPlaced,
        deviance: out[0],
        cross: null,
        score: cross.slice(p * q, p * q + p),
      };
    for (let j = 0; j < q; j++) for (let k = j + 1; k < q; k++) cross[j * q + k] = cross[k * q + j];
    const { eta, mu, rowsPlaced } = cols;
    return { eta, mu, inDesignMemory: rowsPlaced, deviance: out[0], cross, score: null };
  };
}
