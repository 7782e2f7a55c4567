/**
 * The WebAssembly code generator: module encoding, instruction helpers and
 * instantiation. Every wasm kernel of geoml is built with it.
 */
export * from "./encode.js";
export * from "./instance.js";
export * from "./ops.js";
