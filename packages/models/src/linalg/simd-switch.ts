/**
 * Which cross-product kernel the row passes use: the WebAssembly SIMD kernel of
 * the running thread (built on first use), or plain JavaScript. Passes carry the
 * choice in their arguments, so worker threads follow the calling thread's switch.
 */
import { createSimdKernels, type SimdKernels } from "./simd.js";

let kernels: SimdKernels | null | undefined;
let enabled = true;

/** Turns the WebAssembly SIMD kernel on or off (for comparison; on by default). */
export function setLinalgSimd(on: boolean): void {
  enabled = on;
}

/** True unless {@link setLinalgSimd} turned the SIMD kernel off. */
export function linalgSimdEnabled(): boolean {
  return enabled;
}

/** This thread's SIMD kernels when `on`, or null when off or unavailable. */
export function threadSimd(on: boolean): SimdKernels | null {
  if (!on) return null;
  if (kernels === undefined) kernels = createSimdKernels();
  return kernels;
}
