/**
 * Which cross-product kernel the row passes use: the WebAssembly SIMD kernels of
 * the running thread (built on first use), or plain JavaScript, as the one switch
 * of @geoml/autodiff (`setSimd`, `GEOML_SIMD`) says. The worker pool hands the
 * calling thread's switch to its workers with every pass.
 */
import { setSimd, simdEnabled } from "@geoml/autodiff";
import type { WasmRowKernel } from "@geoml/losses";
import { BLOCK } from "./design-memory.js";
import { createSimdKernels, type SimdKernels } from "./simd.js";

/** Blocks copied into the kernels' own memory: every column BLOCK rows apart. */
const STRIDE_A = BLOCK * 8;

let kernels: SimdKernels | null | undefined;
/** Modules with a family's row kernel, by kernel name and flag. */
const withRows = new Map<string, SimdKernels | null>();

/**
 * Turns the WebAssembly SIMD kernels on or off.
 *
 * @deprecated Use `setSimd` of @geoml/autodiff, which this calls: one switch for every
 * WebAssembly kernel (matmul, elementwise functions, cross-products).
 */
export function setLinalgSimd(enabled: boolean): void {
  setSimd(enabled);
}

/**
 * This thread's SIMD kernels, or null when switched off or unavailable; with a
 * family's WebAssembly row kernel (and its flag), a module that includes it.
 */
export function threadSimd(rows?: WasmRowKernel | null, flag = 0): SimdKernels | null {
  if (!simdEnabled()) return null;
  if (rows) {
    const key = `${rows.name}#${flag}`;
    let k = withRows.get(key);
    if (k === undefined) {
      k = createSimdKernels(STRIDE_A, rows.build(flag));
      withRows.set(key, k);
    }
    return k;
  }
  if (kernels === undefined) kernels = createSimdKernels(STRIDE_A);
  return kernels;
}
