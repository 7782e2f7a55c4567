/**
 * `@geoml/autodiff/wasm` — the WebAssembly code generator every wasm kernel of geoml
 * is built with: module encoding (`wasmModule`, LEB128, sections), instruction
 * helpers (`get`, `set`, `loop`, `simd`, opcode table `S`), and instantiation
 * (`instantiate`, `newMemory`) honouring the SIMD switch (`simdEnabled`). For
 * writers of kernels; models and losses build theirs with it.
 */
export * from "./kernels/wasm/index.js";
