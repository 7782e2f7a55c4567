/**
 * Which cross-product kernel the row passes use: the WebAssembly SIMD kernels of
 * the running thread (built on first use), or plain JavaScript, as the one switch
 * of @geoml/autodiff (`setSimd`, `GEOML_SIMD`) says. The worker pool hands the
 * calling thread's switch to its workers with every pass.
 */
import { setSimd, simdEnabled } from "@geoml/autodiff";
import { createSimdKernels, type SimdKernels } from "./simd.js";

let kernels: SimdKernels | null | undefined;

/**
 * Turns the WebAssembly SIMD kernels on or off.
 *
 * @deprecated Use `setSimd` of @geoml/autodiff, which this calls: one switch for every
 * WebAssembly kernel (matmul, elementwise functions, cross-products).
 */
export function setLinalgSimd(enabled: boolean): void {
  setSimd(enabled);
}

/** This thread's SIMD kernels, or null when switched off or unavailable. */
export function threadSimd(): SimdKernels | null {
  if (!simdEnabled()) return null;
  if (kernels === undefined) kernels = createSimdKernels();
  return kernels;
}
