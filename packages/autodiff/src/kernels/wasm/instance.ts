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

/** An environment switch: unset is `fallback`; `0`, `false`, `off`, `no` are false. */
function envSwitch(name: string, fallback: boolean): boolean {
  const env =
    typeof process !== "undefined"
      ? (process as { env?: Record<string, string | undefined> }).env?.[name]
      : undefined;
  if (env === undefined) return fallback;
  return !["0", "false", "off", "no"].includes(env.trim().toLowerCase());
}

/** `GEOML_SIMD=0` (or `false`/`off`) in the environment starts with the fallback selected. */
let enabled = envSwitch("GEOML_SIMD", true);

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

/** A module of one function `(v128 v128 v128) → v128` doing f64x2.relaxed_madd. */
const RELAXED_MADD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0,
  32, 0, 32, 1, 32, 2, 253, 0x87, 0x02, 11,
]);

let fused: boolean | undefined;

/**
 * Whether the generated kernels use fused multiply-add (WebAssembly relaxed SIMD's
 * `relaxed_madd`) in their inner products: one instruction and one rounding per
 * multiply-add instead of two, which makes matrix products and cross-products up to
 * twice as fast. Browsers since 2023 and Node ≥ 22 have relaxed SIMD; on Node 20 it
 * is behind a V8 flag, which is switched on here (before any such module is compiled)
 * through `process.getBuiltinModule("node:v8")`. `GEOML_FMA=0` in the environment
 * keeps separate multiplies and adds, as on a runtime without relaxed SIMD. Where the
 * CPU has no FMA unit the engine emits a multiply and an add, so results differ
 * between machines only in the last bits, as with any BLAS.
 */
export function fusedMultiplyAdd(): boolean {
  if (fused !== undefined) return fused;
  fused = false;
  const wasm = wasmApi();
  if (wasm === undefined || !envSwitch("GEOML_FMA", true)) return fused;
  if (!wasm.validate(RELAXED_MADD_PROBE)) {
    const getBuiltin = (
      globalThis as {
        process?: { getBuiltinModule?: (id: string) => unknown };
      }
    ).process?.getBuiltinModule;
    try {
      const v8 = getBuiltin?.("node:v8") as { setFlagsFromString?(f: string): void } | undefined;
      v8?.setFlagsFromString?.("--experimental-wasm-relaxed-simd");
    } catch {
      // a runtime whose flags are frozen: plain multiplies and adds
    }
  }
  fused = wasm.validate(RELAXED_MADD_PROBE);
  return fused;
}

/** The WebAssembly API of this runtime, or undefined. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/**
 * A compiled module (a `WebAssembly.Module`): the code of its functions, which can be
 * posted to a worker thread and instantiated there without compiling it again.
 */
export type WasmModule = object;

/**
 * Compiles module `bytes`; null where WebAssembly (or the instructions the module
 * uses, SIMD included) is unavailable.
 */
export function compile(bytes: Uint8Array): WasmModule | null {
  const wasm = wasmApi();
  try {
    if (wasm === undefined || !wasm.validate(bytes)) return null;
    return new wasm.Module(bytes);
  } catch {
    return null;
  }
}

/** Instantiates a compiled module with `imports`; null when that fails. */
export function instantiateModule(
  module: WasmModule,
  imports: object = {},
): Record<string, unknown> | null {
  const wasm = wasmApi();
  try {
    return wasm === undefined ? null : new wasm.Instance(module, imports).exports;
  } catch {
    return null;
  }
}

/**
 * Instantiates module `bytes` with `imports`; null where WebAssembly (or the
 * instructions the module uses, SIMD included) is unavailable.
 */
export function instantiate(
  bytes: Uint8Array,
  imports: object = {},
): Record<string, unknown> | null {
  const module = compile(bytes);
  return module === null ? null : instantiateModule(module, imports);
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
