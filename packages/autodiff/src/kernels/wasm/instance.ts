/**
 * Instantiating generated modules, and the one switch between the WebAssembly SIMD
 * kernels and the pure-TypeScript fallback.
 */
import { ArgumentError } from "../../errors.js";

/** The slice of the WebAssembly JS API used here (the project's type libs do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
}

/** `GEOML_SIMD=0` (or `false`/`off`) in the environment starts with the fallback selected. */
function simdFromEnv(): boolean {
  const env =
    typeof process !== "undefined"
      ? (process as { env?: Record<string, string | undefined> }).env?.GEOML_SIMD
      : undefined;
  if (env === undefined) return true;
  return !["0", "false", "off", "no"].includes(env.trim().toLowerCase());
}

let enabled = simdFromEnv();

/**
 * Selects the WebAssembly SIMD kernels (`true`, the default) or the pure-TypeScript
 * fallback (`false`) for every kernel that has both: matmul, the elementwise
 * functions and the cross-products of @geoml/models. The environment variable
 * `GEOML_SIMD=0` selects the fallback at start-up. Where WebAssembly SIMD is missing
 * the fallback is used whatever this says. Results agree to rounding between the paths.
 *
 * @example
 * ```ts
 * import { setSimd, simdEnabled } from "@geoml/autodiff";
 * setSimd(false); // compare against the plain-JavaScript path
 * console.log(simdEnabled()); // false
 * setSimd(true);
 * ```
 */
export function setSimd(on: boolean): void {
  if (typeof on !== "boolean")
    throw new ArgumentError("setSimd", `on must be a boolean, got ${String(on)}`);
  enabled = on;
}

/** Whether the WebAssembly SIMD kernels are selected (see {@link setSimd}). */
export function simdEnabled(): boolean {
  return enabled;
}

/** The WebAssembly API of this runtime, or undefined. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/**
 * Instantiates module `bytes` with `imports`; null where WebAssembly (or the
 * instructions the module uses, SIMD included) is unavailable.
 */
export function instantiate(
  bytes: Uint8Array,
  imports: object = {},
): Record<string, unknown> | null {
  const wasm = wasmApi();
  try {
    if (wasm === undefined || !wasm.validate(bytes)) return null;
    return new wasm.Instance(new wasm.Module(bytes), imports).exports;
  } catch {
    return null;
  }
}

/** A new memory of `pages` 64 KiB pages, or null without WebAssembly. */
export function newMemory(pages: number): WasmMemory | null {
  const wasm = wasmApi();
  return wasm ? new wasm.Memory({ initial: pages }) : null;
}

/**
 * A shared memory of `pages` 64 KiB pages (its buffer is a SharedArrayBuffer, so
 * worker threads can read it), for modules that import a shared `env.mem`, that can
 * grow to `maximum` pages (by default it cannot grow); null without WebAssembly
 * threads or when the memory cannot be had.
 */
export function newSharedMemory(pages: number, maximum = pages): WasmMemory | null {
  const wasm = wasmApi();
  if (!wasm || typeof SharedArrayBuffer === "undefined") return null;
  try {
    return new wasm.Memory({ initial: pages, maximum: Math.max(pages, maximum), shared: true });
  } catch {
    return null;
  }
}
