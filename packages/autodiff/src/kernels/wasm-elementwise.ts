/**
 * WebAssembly SIMD kernels of the elementwise functions (exp, expm1, log, log1p,
 * tanh, sigmoid, softplus) and of the fused backward rules of tanh, sigmoid and
 * softplus, for float64 and float32 storage; see `wasm/vmath.ts` for the methods
 * and the accuracy. Values are processed in chunks copied through the module's
 * fixed memory, so nothing grows with the array. Callers fall back to plain
 * JavaScript when {@link wasmUnary} / {@link wasmBinary} return false.
 */
import type { Storage } from "../dtype.js";
import { I32, type WasmFunction, wasmModule } from "./wasm/encode.js";
import { fusedMultiplyAdd, instantiate, simdEnabled, type WasmMemory } from "./wasm/instance.js";
import {
  demoteZero,
  get,
  HIGH_HALF,
  I32_ADD,
  I32_GE_U,
  i32,
  LOW_HALVES,
  loop,
  promoteLow,
  S,
  SELECT,
  set,
  shuffle,
  simd,
  V128_ZERO,
  v128Load,
  v128Store,
} from "./wasm/ops.js";
import {
  c,
  type E,
  mul,
  type Prec,
  sub,
  VecFn,
  vexp,
  vexpm1,
  vlog,
  vlog1p,
  vsigmoid,
  vsigmoidSlope,
  vsoftplus,
  vtanh,
  vtanhF32,
  vtanhGradF32,
} from "./wasm/vmath.js";

type Vec = (F: VecFn, x: E, prec: Prec) => number[];
type Vec2 = (F: VecFn, a: E, b: E, prec: Prec) => number[];

/** The unary functions with a wasm kernel. */
export const UNARY = {
  exp: vexp,
  expm1: vexpm1,
  log: vlog,
  log1p: vlog1p,
  tanh: vtanh,
  sigmoid: vsigmoid,
  softplus: vsoftplus,
} satisfies Record<string, Vec>;
export type UnaryName = keyof typeof UNARY;

/**
 * float32 kernels computed in float32 lanes rather than promoted to float64 (tanh with
 * fused multiply-adds where the runtime has them, as the matmul module's epilogue).
 */
const NATIVE32: Record<string, ((F: VecFn, xs: E[]) => number[]) | undefined> = {
  tanh: (F, [x]) => vtanhF32(F, x, fusedMultiplyAdd()),
  tanhGrad: (_F, [g, y]) => vtanhGradF32(g, y),
};

/** Fused backward rules: cotangent g and the op's output y or input x. */
export const BINARY = {
  /** g·(1 − y²), y = tanh x */
  tanhGrad: (_F, g, y) => mul(g, sub(c(1), mul(y, y))),
  /** g·σ(x)·σ(−x) */
  sigmoidGrad: (F, g, x, prec) => mul(g, vsigmoidSlope(F, x, prec)),
  /** g·σ(x), the derivative of softplus */
  softplusGrad: (F, g, x, prec) => mul(g, vsigmoid(F, x, prec)),
} satisfies Record<string, Vec2>;
export type BinaryName = keyof typeof BINARY;

/** Elements per chunk: three chunks of float64 fill the module's memory. */
const CHUNK = 8192;
const PAGES = 6; // 3 × 8192 × 8 bytes = 3 × 64 KiB, 16-byte aligned

/**
 * `name(ptrs..., dst, bytes)`: for each 16-byte vector of the inputs, dst = f(inputs);
 * float32 lanes are promoted to float64, computed, and rounded once.
 */
function kernel(
  name: string,
  arity: 1 | 2,
  f: (F: VecFn, xs: E[], prec: Prec) => number[],
  es: 4 | 8,
  native32?: (F: VecFn, xs: E[]) => number[],
): WasmFunction {
  const dst = arity;
  const bytes = arity + 1;
  const i = arity + 2;
  const F = new VecFn(i + 1);
  const at = (p: number) => [...get(p), ...get(i), I32_ADD];
  const ins = Array.from({ length: arity }, (_, k) => F.v([...at(k), ...v128Load(0)]));
  let out: number[];
  if (es === 8) {
    out = f(F, ins, "f64");
  } else if (native32) {
    out = native32(F, ins);
  } else {
    const lo = ins.map((x) => F.v(promoteLow(x)));
    const hi = ins.map((x) => F.v(promoteLow(shuffle(x, x, HIGH_HALF))));
    const ylo = F.v(demoteZero(f(F, lo, "f32")));
    const yhi = F.v(demoteZero(f(F, hi, "f32")));
    out = shuffle(ylo, yhi, LOW_HALVES);
  }
  const step = [...F.take(), ...at(dst), ...out, ...v128Store(0)];
  const body = [
    ...i32(0),
    ...set(i),
    ...loop(
      [...get(i), ...get(bytes), I32_GE_U],
      [...step, ...get(i), ...i32(16), I32_ADD, ...set(i)],
    ),
  ];
  return {
    name,
    params: new Array<typeof I32>(arity + 2).fill(I32),
    locals: [I32, ...F.locals],
    body,
  };
}

/** Activations with a fused bias kernel (see {@link wasmBiasActivation}). */
export type BiasActivation = "identity" | "tanh" | "relu";
/** `bias<act><bits>(src, bias, dst, rowBytes, bytes)`: dst = act(src + bias), bias repeated per row. */
export type BiasAct = (
  src: number,
  bias: number,
  dst: number,
  rowBytes: number,
  bytes: number,
) => void;
/**
 * Moves the byte cursors of a row-major walk `by` bytes on (one vector by default): i += by,
 * and the column cursor j += by, back to 0 at the end of a row (j + by ≥ rowBytes).
 */
const advanceRow = (i: number, j: number, rowBytes: number, by = 16) => [
  ...get(i),
  ...i32(by),
  I32_ADD,
  ...set(i),
  ...get(j),
  ...i32(by),
  I32_ADD,
  ...set(j),
  ...i32(0),
  ...get(j),
  ...get(j),
  ...get(rowBytes),
  I32_GE_U,
  SELECT,
  ...set(j),
];

/** A function body walking `bytes` bytes row by row: i = j = 0, then `step` until i ≥ bytes. */
const rowWalk = (i: number, j: number, bytes: number, step: number[]) => [
  ...i32(0),
  ...set(i),
  ...i32(0),
  ...set(j),
  ...loop([...get(i), ...get(bytes), I32_GE_U], step),
];

/** @internal The activations of {@link biasKernel}. */
export const BIAS_ACTS: BiasActivation[] = ["identity", "tanh", "relu"];

/**
 * `bias<Act><bits>(src, bias, dst, rowBytes, bytes)`: dst = act(src + bias), the bias
 * (one row of `rowBytes`, a multiple of 16) repeated along the rows. The sum is one
 * rounding in the storage dtype, as the `add` op's.
 */
export function biasKernel(
  act: BiasActivation,
  es: 4 | 8,
  unroll: 1 | 2 = 1,
  fused = fusedMultiplyAdd(),
): WasmFunction {
  const [src, bias, dst, rowBytes, bytes, i, j] = [0, 1, 2, 3, 4, 5, 6];
  const F = new VecFn(7);
  const load = (p: number, q: number, off: number) => [
    ...get(p),
    ...get(q),
    I32_ADD,
    ...v128Load(off),
  ];
  const ys: E[] = [];
  for (let u = 0; u < unroll; u++) {
    const off = 16 * u;
    const x = F.v([
      ...load(src, i, off),
      ...load(bias, j, off),
      ...simd(es === 4 ? S.f32x4Add : S.f64x2Add),
    ]);
    ys.push(
      act === "identity"
        ? x
        : act === "relu"
          ? [...x, ...V128_ZERO, ...simd(es === 4 ? S.f32x4Max : S.f64x2Max)]
          : es === 4
            ? F.v(vtanhF32(F, x, fused))
            : F.v(vtanh(F, x, "f64")),
    );
  }
  const step = [...F.take()];
  ys.forEach((y, u) => {
    step.push(...get(dst), ...get(i), I32_ADD, ...y, ...v128Store(16 * u));
  });
  step.push(...advanceRow(i, j, rowBytes, 16 * unroll));
  return {
    name: `bias${act}${es * 8}${unroll === 2 ? "x2" : ""}`,
    params: new Array<typeof I32>(5).fill(I32),
    locals: [I32, I32, ...F.locals],
    body: rowWalk(i, j, bytes, step),
  };
}

/** @internal `<name><bits>(a, b, dst, bytes)`, the fused backward kernel of {@link BINARY}. */
export function binaryKernel(name: BinaryName, es: 4 | 8): WasmFunction {
  return kernel(
    `${name}${es * 8}`,
    2,
    (F, [a, b], p) => BINARY[name](F, a, b, p),
    es,
    NATIVE32[name],
  );
}

/**
 * `colsum<bits>(src, acc, rowBytes, bytes)`: acc[j] += src[row, j] over the rows, the
 * float64 sums `acc` (one per column) in memory, rows added in order: the arithmetic of
 * the sum reduction's loop, two or four columns at a time.
 */
export function columnSumKernel(es: 4 | 8): WasmFunction {
  const [src, acc, rowBytes, bytes, i, j, p] = [0, 1, 2, 3, 4, 5, 6];
  const F = new VecFn(7);
  const addAt = (offset: number, v: E) => [
    ...get(p),
    ...get(p),
    ...v128Load(offset),
    ...v,
    ...simd(S.f64x2Add),
    ...v128Store(offset),
  ];
  const x = F.v([...get(src), ...get(i), I32_ADD, ...v128Load(0)]);
  const update =
    es === 8
      ? [...get(acc), ...get(j), I32_ADD, ...set(p), ...addAt(0, x)]
      : [
          // float32 columns j/4 … +3: their float64 sums at acc + 2j
          ...get(acc),
          ...get(j),
          ...i32(2),
          0x6c, // i32.mul
          I32_ADD,
          ...set(p),
          ...addAt(0, promoteLow(x)),
          ...addAt(16, promoteLow(shuffle(x, x, HIGH_HALF))),
        ];
  const step = [...F.take(), ...update, ...advanceRow(i, j, rowBytes)];
  return {
    name: `colsum${es * 8}`,
    params: new Array<typeof I32>(4).fill(I32),
    locals: [I32, I32, I32, ...F.locals],
    body: rowWalk(i, j, bytes, step),
  };
}

/** @internal The module's bytes: `<name>64` / `<name>32` for every function above, memory `mem`. */
export function elementwiseModuleBytes(): Uint8Array {
  const functions: WasmFunction[] = [];
  for (const [name, f] of Object.entries(UNARY) as [string, Vec][])
    for (const es of [8, 4] as const)
      functions.push(kernel(`${name}${es * 8}`, 1, (F, [x], p) => f(F, x, p), es, NATIVE32[name]));
  for (const [name, f] of Object.entries(BINARY) as [string, Vec2][])
    for (const es of [8, 4] as const)
      functions.push(
        kernel(`${name}${es * 8}`, 2, (F, [a, b], p) => f(F, a, b, p), es, NATIVE32[name]),
      );
  for (const act of BIAS_ACTS)
    for (const es of [8, 4] as const) functions.push(biasKernel(act, es));
  for (const es of [8, 4] as const) functions.push(columnSumKernel(es));
  return wasmModule({ memory: { export: "mem", initial: PAGES }, functions });
}

/** A kernel: byte offsets of its inputs and output, then the byte count (and any extras). */
type Kernel = (...bytesAndOffsets: number[]) => void;
interface Instance {
  memory: WasmMemory;
  fns: Record<string, Kernel>;
  f64: Float64Array;
  f32: Float32Array;
}
let cached: Instance | null | undefined;

/** The instance (built once), or null where WebAssembly SIMD is unavailable. */
export function elementwiseInstance(): Instance | null {
  if (cached !== undefined) return cached;
  const ex = instantiate(elementwiseModuleBytes());
  if (ex === null) {
    cached = null;
    return cached;
  }
  const memory = ex.mem as WasmMemory;
  cached = {
    memory,
    fns: ex as Record<string, Kernel>,
    f64: new Float64Array(memory.buffer),
    f32: new Float32Array(memory.buffer),
  };
  return cached;
}

/** Vector bytes covering `len` elements of `es` bytes (the tail of the last vector is scratch). */
const vecBytes = (len: number, es: number) => Math.ceil((len * es) / 16) * 16;

/**
 * out[i] = f(a[i]) with the wasm kernel; false (nothing written) when the SIMD
 * kernels are switched off or unavailable. `a` and `out` have the same dtype and length.
 */
export function wasmUnary(name: UnaryName, a: Storage, out: Storage): boolean {
  return runChunked(name, [a], out);
}

/** out[i] = f(a[i], b[i]) with a fused wasm kernel (see {@link wasmUnary}); same lengths. */
export function wasmBinary(name: BinaryName, a: Storage, b: Storage, out: Storage): boolean {
  return runChunked(name, [a, b], out);
}

/**
 * Runs kernel `name` over the inputs chunk by chunk: input k is copied to element k·CHUNK
 * of the module's memory, the result comes back from element 0.
 */
function runChunked(name: string, inputs: readonly Storage[], out: Storage): boolean {
  if (!simdEnabled()) return false;
  const inst = elementwiseInstance();
  if (inst === null) return false;
  const f32 = out instanceof Float32Array;
  const heap = f32 ? inst.f32 : inst.f64;
  const es = f32 ? 4 : 8;
  const fn = inst.fns[`${name}${es * 8}`];
  const offsets = inputs.map((_, k) => k * CHUNK * es);
  const n = out.length;
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off);
    for (let k = 0; k < inputs.length; k++) heap.set(inputs[k].subarray(off, off + len), k * CHUNK);
    fn(...offsets, 0, vecBytes(len, es));
    out.set(heap.subarray(0, len), off);
  }
  return true;
}

/**
 * out = act(z + bias), the bias (a row of n values) repeated along the rows of z, with
 * the fused wasm kernel; false (nothing written) when the SIMD kernels are off or
 * unavailable, or a row is not a whole number of vectors (n·bytes a multiple of 16).
 */
export function wasmBiasActivation(
  act: BiasActivation,
  z: Storage,
  bias: Storage,
  out: Storage,
): boolean {
  if (!simdEnabled()) return false;
  const f32 = out instanceof Float32Array;
  const es = f32 ? 4 : 8;
  const n = bias.length;
  if (n === 0 || (n * es) % 16 !== 0 || n > CHUNK || z.length % n !== 0) return false;
  const inst = elementwiseInstance();
  if (inst === null) return false;
  const heap = f32 ? inst.f32 : inst.f64;
  const fn = inst.fns[`bias${act}${es * 8}`] as unknown as BiasAct;
  heap.set(bias, 2 * CHUNK);
  const step = Math.floor(CHUNK / n) * n;
  for (let off = 0; off < z.length; off += step) {
    const len = Math.min(step, z.length - off);
    heap.set(z.subarray(off, off + len), 0);
    fn(0, 2 * CHUNK * es, 0, n * es, len * es);
    out.set(heap.subarray(0, len), off);
  }
  return true;
}

/**
 * out[j] = Σ_r x[r·m + j] (the sum over the leading axes of x, m trailing values),
 * accumulated in float64 row by row exactly as the reduction loop does and rounded once
 * into `out`; false (nothing written) when the kernels are off or unavailable, or a row
 * is not a whole number of vectors.
 */
export function wasmColumnSums(x: Storage, m: number, out: Storage): boolean {
  if (!simdEnabled()) return false;
  const f32 = x instanceof Float32Array;
  const es = f32 ? 4 : 8;
  if (m === 0 || (m * es) % 16 !== 0 || m > CHUNK || x.length % m !== 0) return false;
  const inst = elementwiseInstance();
  if (inst === null) return false;
  const heap = f32 ? inst.f32 : inst.f64;
  const accAt = 2 * CHUNK; // float64 index of the sums
  inst.f64.fill(0, accAt, accAt + m);
  const fn = inst.fns[`colsum${es * 8}`] as unknown as (
    src: number,
    acc: number,
    rowBytes: number,
    bytes: number,
  ) => void;
  const step = Math.floor(CHUNK / m) * m;
  for (let off = 0; off < x.length; off += step) {
    const len = Math.min(step, x.length - off);
    heap.set(x.subarray(off, off + len), 0);
    fn(0, accAt * 8, m * es, len * es);
  }
  out.set(inst.f64.subarray(accAt, accAt + m));
  return true;
}
