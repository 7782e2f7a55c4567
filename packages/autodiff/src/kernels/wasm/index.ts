/**
 * The WebAssembly code generator: module encoding, instruction helpers and
 * instantiation. Every wasm kernel of geoml is built with it.
 */
export * from "./encode.js";
export * from "./instance.js";
export * from "./ops.js";
/** Vectorised float64 math (exp, log, tanh, …) as code for f64x2 lanes: `vmath.vexp(F, x, "f64")`. */
export * as vmath from "./vmath.js";
