/**
 * Adam's common step (no weight decay, no AMSGrad) as WebAssembly SIMD code, for
 * `update` with `reuseState` — a training loop. The moments of every leaf live in one
 * WebAssembly memory from the first such step on (the state's `mu` and `nu` become
 * views of it), each step copies the gradients in and computes two float64 lanes at a
 * time, and the updates are views of that memory too: a step allocates no arrays. The
 * arithmetic is that of `adamLoop` in adam.ts, operation for operation and rounded
 * alike, so both give the same bits.
 */
import { simdEnabled, type Tensor } from "@geoml/autodiff";
import {
  compile,
  demoteZero,
  F64,
  get,
  HIGH_HALF,
  I32,
  I32_ADD,
  I32_EQZ,
  I32_GE_U,
  i32,
  instantiateModule,
  LOW_HALVES,
  loop,
  newMemory,
  promoteLow,
  S,
  set,
  shuffle,
  simd,
  V128,
  V128_ZERO,
  type ValType,
  v128Load,
  v128Store,
  type WasmFunction,
  type WasmMemory,
  type WasmModule,
  wasmModule,
} from "@geoml/autodiff/wasm";

type Values = Float32Array | Float64Array;

/**
 * `adam(g, u, m, v, bytes, β₁, 1−β₁, β₂, 1−β₂, −stepSize, 1/√(1−β₂ᵗ), ε)` over `bytes`
 * bytes of gradients g (float32 when `es` is 4, float64 when 8; m and v float64 at
 * the same element index): m ← β₁m + (1−β₁)g, v ← β₂v + ((1−β₂)g)g,
 * u ← −stepSize · (m / (√v · 1/√(1−β₂ᵗ) + ε)), u in g's dtype.
 */
function adamFunction(es: 4 | 8): WasmFunction {
  const [G, U, M, V, BYTES] = [0, 1, 2, 3, 4];
  const I = 12;
  // the scalar parameters 5…11 splatted into v128 locals 13…19; 20 holds g's vector
  const [B1, C1, B2, C2, NS, IB, EPS, GV] = [13, 14, 15, 16, 17, 18, 19, 20];
  /** p + i·scale + off, the address of element i's lane group (i in g's bytes). */
  const at = (p: number, scale: 1 | 2, off = 0) => [
    ...get(p),
    ...get(I),
    ...(scale === 2 ? [...get(I), I32_ADD] : []),
    I32_ADD,
    ...(off ? [...i32(off), I32_ADD] : []),
  ];
  const scale = es === 4 ? 2 : 1;
  /** Code leaving u of the two lanes whose gradients `g` pushes; stores their m and v. */
  const lanes = (g: number[], off: number) => {
    const m = [...at(M, scale, off), ...v128Load(0, 3)];
    const v = [...at(V, scale, off), ...v128Load(0, 3)];
    return [
      // m = β₁·m + (1−β₁)·g
      ...at(M, scale, off),
      ...get(B1),
      ...m,
      ...simd(S.f64x2Mul),
      ...get(C1),
      ...g,
      ...simd(S.f64x2Mul),
      ...simd(S.f64x2Add),
      ...v128Store(0, 3),
      // v = β₂·v + ((1−β₂)·g)·g
      ...at(V, scale, off),
      ...get(B2),
      ...v,
      ...simd(S.f64x2Mul),
      ...get(C2),
      ...g,
      ...simd(S.f64x2Mul),
      ...g,
      ...simd(S.f64x2Mul),
      ...simd(S.f64x2Add),
      ...v128Store(0, 3),
      // u = −stepSize · (m / (√v · 1/√(1−β₂ᵗ) + ε)), from the m and v just stored
      ...get(NS),
      ...m,
      ...v,
      ...simd(S.f64x2Sqrt),
      ...get(IB),
      ...simd(S.f64x2Mul),
      ...get(EPS),
      ...simd(S.f64x2Add),
      ...simd(S.f64x2Div),
      ...simd(S.f64x2Mul),
    ];
  };
  const step =
    es === 8
      ? [...at(U, 1), ...lanes([...at(G, 1), ...v128Load(0, 3)], 0), ...v128Store(0, 3)]
      : [
          ...at(G, 1),
          ...v128Load(0, 2),
          ...set(GV),
          // four float32 gradients: lanes 0–1 and 2–3 promoted, each pair's u rounded once
          ...at(U, 1),
          ...shuffle(
            demoteZero(lanes(promoteLow(get(GV)), 0)),
            demoteZero(lanes(promoteLow(shuffle(get(GV), get(GV), HIGH_HALF)), 16)),
            LOW_HALVES,
          ),
          ...v128Store(0, 2),
        ];
  const splat = (param: number, local: number) => [
    ...get(param),
    ...simd(S.f64x2Splat),
    ...set(local),
  ];
  return {
    name: "adam",
    params: [I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64],
    locals: [I32, ...new Array<ValType>(8).fill(V128)],
    body: [
      ...[B1, C1, B2, C2, NS, IB, EPS].flatMap((local, k) => splat(5 + k, local)),
      ...i32(0),
      ...set(I),
      ...loop(
        [...get(I), ...get(BYTES), I32_GE_U],
        [...step, ...get(I), ...i32(16), I32_ADD, ...set(I)],
      ),
    ],
  };
}

/**
 * `finite(g, bytes)`: 1 when every gradient in `bytes` bytes of g is finite, else 0
 * (x − x is 0 for finite x and NaN for NaN and ±∞, as in `checkFinite`).
 */
function finiteFunction(es: 4 | 8): WasmFunction {
  const [G, BYTES, I, BAD] = [0, 1, 2, 3];
  const x = [...get(G), ...get(I), I32_ADD, ...v128Load(0, es === 4 ? 2 : 3)];
  return {
    name: "finite",
    params: [I32, I32],
    results: [I32],
    locals: [I32, V128],
    body: [
      ...i32(0),
      ...set(I),
      ...loop(
        [...get(I), ...get(BYTES), I32_GE_U],
        [
          ...get(BAD),
          ...x,
          ...x,
          ...simd(es === 4 ? S.f32x4Sub : S.f64x2Sub),
          ...V128_ZERO,
          ...simd(es === 4 ? S.f32x4Ne : S.f64x2Ne),
          ...simd(S.v128Or),
          ...set(BAD),
          ...get(I),
          ...i32(16),
          I32_ADD,
          ...set(I),
        ],
      ),
      ...get(BAD),
      ...simd(S.v128AnyTrue),
      I32_EQZ,
    ],
  };
}

/** The compiled module for float32 (4) and float64 (8) gradients; null where it cannot run. */
const modules = new Map<4 | 8, WasmModule | null>();

function moduleFor(es: 4 | 8): WasmModule | null {
  if (!modules.has(es))
    modules.set(
      es,
      compile(
        wasmModule({ memory: { import: true }, functions: [adamFunction(es), finiteFunction(es)] }),
      ),
    );
  return modules.get(es) ?? null;
}

type AdamCall = (
  g: number,
  u: number,
  m: number,
  v: number,
  bytes: number,
  beta1: number,
  c1: number,
  beta2: number,
  c2: number,
  negStep: number,
  invBc2: number,
  eps: number,
) => void;

/** One optimiser state's memory: gradients, updates and moments of every leaf, end to end. */
interface Moments {
  es: 4 | 8;
  /** Element offset of each leaf in g, u, m and v. */
  offsets: number[];
  /** Bytes of g (whole 16-byte vectors: the leaves end to end, then zero padding). */
  bytes: number;
  /** Byte addresses of g, u, m and v in the memory: the kernel's pointers. */
  layout: { g: number; u: number; m: number; v: number };
  run: AdamCall;
  finite: (g: number, bytes: number) => number;
  g: Values;
  /** Per leaf: views of the updates and moments. */
  u: Values[];
  mu: Float64Array[];
  nu: Float64Array[];
}

/** The memory each state's moments are views of, by that memory's buffer. */
const owners = new WeakMap<ArrayBufferLike, Moments>();

/** The kernel's memory for leaves of `sizes` elements in `es`-byte lanes; null when it cannot be had. */
function makeMoments(es: 4 | 8, sizes: number[]): Moments | null {
  const module = moduleFor(es);
  if (module === null) return null;
  const offsets: number[] = [];
  let total = 0;
  for (const n of sizes) {
    offsets.push(total);
    total += n;
  }
  // whole 16-byte vectors of gradients; the padding lanes stay zero (u = −0 there)
  const bytes = Math.ceil((total * es) / 16) * 16;
  const count = bytes / es;
  const layout = { g: 0, u: bytes, m: 2 * bytes, v: 2 * bytes + count * 8 };
  const end = layout.v + count * 8;
  let memory: WasmMemory | null;
  try {
    memory = newMemory(Math.max(1, Math.ceil(end / 65536)));
  } catch {
    return null;
  }
  if (memory === null) return null;
  const ex = instantiateModule(module, { env: { mem: memory } });
  if (ex === null || typeof ex.adam !== "function" || typeof ex.finite !== "function") return null;
  const buffer = memory.buffer;
  const Array_ = es === 4 ? Float32Array : Float64Array;
  const views = <A>(base: number, width: number, make: (at: number, n: number) => A) =>
    sizes.map((n, i) => make(base + offsets[i] * width, n));
  const run = ex.adam as AdamCall;
  const m: Moments = {
    es,
    offsets,
    bytes,
    layout,
    run,
    finite: ex.finite as Moments["finite"],
    g: new Array_(buffer, layout.g, count),
    u: views(layout.u, es, (at, n) => new Array_(buffer, at, n)),
    mu: views(layout.m, 8, (at, n) => new Float64Array(buffer, at, n)),
    nu: views(layout.v, 8, (at, n) => new Float64Array(buffer, at, n)),
  };
  owners.set(buffer, m);
  return m;
}

/** Hyperparameters of one step. */
export interface AdamStep {
  beta1: number;
  beta2: number;
  /** lr / (1 − β₁ᵗ). */
  stepSize: number;
  /** 1 / √(1 − β₂ᵗ). */
  invBc2: number;
  eps: number;
}

/**
 * The first moments of states for which no memory could be had (the address space of
 * many live memories, or more than WebAssembly's 4 GiB): their steps stay in
 * JavaScript, rather than asking again each step (a failed request costs the engine a
 * garbage collection first).
 */
const noMemory = new WeakSet<Float64Array>();

/**
 * One Adam step over `grads` (of the state's shapes, checked by the caller) with the
 * state's moments `mu`, `nu` updated in place: the new moments and the updates, views
 * of the kernel's memory (the moments copied there when they are not already);
 * "non-finite" when a gradient is NaN or infinite, before anything changed (and before
 * `hyper` is called); null when the kernel cannot run (SIMD off, no WebAssembly, leaves
 * of mixed dtypes, no memory for this state).
 */
export function adamKernelStep(
  grads: readonly Tensor[],
  mu: readonly Float64Array[],
  nu: readonly Float64Array[],
  hyper: () => AdamStep,
): { u: Values[]; mu: Float64Array[]; nu: Float64Array[] } | "non-finite" | null {
  if (!simdEnabled() || grads.length === 0) return null;
  const es = grads[0].data instanceof Float32Array ? 4 : 8;
  for (const g of grads) if ((g.data instanceof Float32Array ? 4 : 8) !== es) return null;
  // grads has a leaf, so the state has its moments (the caller checked the shapes)
  let mem = owners.get(mu[0].buffer);
  // the memory serves only the state whose moments are its views, leaf for leaf
  if (
    mem !== undefined &&
    !(
      mem.es === es &&
      mem.mu.length === mu.length &&
      mem.mu.every((a, i) => a === mu[i] && mem!.nu[i] === nu[i])
    )
  )
    mem = undefined;
  if (mem === undefined) {
    if (noMemory.has(mu[0])) return null;
    const made = makeMoments(
      es,
      grads.map((g) => g.size),
    );
    if (made === null) {
      noMemory.add(mu[0]);
      return null;
    }
    mem = made;
    for (let i = 0; i < mu.length; i++) {
      mem.mu[i].set(mu[i]);
      mem.nu[i].set(nu[i]);
    }
  }
  for (let i = 0; i < grads.length; i++) mem.g.set(grads[i].data, mem.offsets[i]);
  const { layout } = mem;
  if (mem.finite(layout.g, mem.bytes) !== 1) return "non-finite";
  const h = hyper();
  mem.run(
    layout.g,
    layout.u,
    layout.m,
    layout.v,
    mem.bytes,
    h.beta1,
    1 - h.beta1,
    h.beta2,
    1 - h.beta2,
    -h.stepSize,
    h.invBc2,
    h.eps,
  );
  return { u: mem.u, mu: mem.mu, nu: mem.nu };
}
