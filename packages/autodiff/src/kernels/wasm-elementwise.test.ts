/**
 * Accuracy of the WebAssembly elementwise kernels, in units in the last place (ulp)
 * of the reference, over ~1M random values per function and dtype (random bit
 * patterns over the whole float range plus uniform draws over each function's active
 * range) and the edges (±0, subnormals, ±Inf, NaN, overflow/underflow thresholds,
 * tanh near 0 and in saturation).
 *
 * References: Math.exp/expm1/log/log1p/tanh (V8's fdlibm ports, within 1 ulp of the
 * correctly rounded value), and for sigmoid and softplus their float64 formulas from
 * Math.exp and Math.log1p. float32 results are compared in float32 ulps with
 * Math.fround of the float64 reference, whose own error is far below a float32 ulp.
 * Bounds: ≤ 2 ulp from Math.* for exp/expm1/log/log1p, ≤ 3 for tanh (V8's Math.tanh is
 * itself up to 1.5 ulp from the correctly rounded value, e.g. at x = 0.18275528214871883,
 * where ours is 1.5 ulp off on the other side), ≤ 3 ulp for sigmoid/softplus in float64,
 * and ≤ 1 float32 ulp in float32 (2 for tanh, which runs in float32 lanes). The maxima
 * measured are printed and listed in the README.
 */
import { afterAll, describe, expect, it } from "vitest";
import { reduceKernel } from "./reduce.js";
import { wasmModule } from "./wasm/encode.js";
import { fusedMultiplyAdd, instantiate, setSimd } from "./wasm/instance.js";
import {
  biasKernel,
  elementwiseInstance,
  type UnaryName,
  wasmBinary,
  wasmColumnSums,
  wasmUnary,
} from "./wasm-elementwise.js";

const sigmoidRef = (x: number) =>
  x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
const softplusRef = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const REF: Record<UnaryName, (x: number) => number> = {
  exp: Math.exp,
  expm1: Math.expm1,
  log: Math.log,
  log1p: Math.log1p,
  tanh: Math.tanh,
  sigmoid: sigmoidRef,
  softplus: softplusRef,
};
/** The range where each function is neither constant nor trivially 0/Inf. */
const ACTIVE: Record<UnaryName, [number, number]> = {
  exp: [-746, 710],
  expm1: [-40, 710],
  log: [0, 1e6],
  log1p: [-1, 1e3],
  tanh: [-20, 20],
  sigmoid: [-746, 40],
  softplus: [-746, 40],
};
/** Largest ulp error allowed: float64, float32. */
const BOUND: Record<UnaryName, [number, number]> = {
  exp: [2, 1],
  expm1: [2, 1],
  log: [2, 1],
  log1p: [2, 1],
  tanh: [3, 2],
  sigmoid: [3, 1],
  softplus: [3, 1],
};

const P2 = new Float64Array(2100).map((_, i) => 2 ** (i - 1075));
const b64 = new Float64Array(1);
const h64 = new Uint32Array(b64.buffer);
/** ulp of float64 r (the spacing above |r| in its binade; 2⁻¹⁰⁷⁴ for subnormals). */
function ulp64(r: number): number {
  b64[0] = r;
  const e = (h64[1] >>> 20) & 0x7ff;
  return e === 0 ? P2[1] : P2[e];
}
const b32 = new Float32Array(1);
const u32 = new Uint32Array(b32.buffer);
function ulp32(r: number): number {
  b32[0] = r;
  const e = (u32[0] >>> 23) & 0xff;
  return e === 0 ? 2 ** -149 : P2[e - 150 + 1075];
}

/** Error of `got` in ulps of `ref`; Infinity for a wrong special value or sign of zero. */
function ulps(got: number, ref: number, ulp: (r: number) => number): number {
  if (Number.isNaN(ref) || Number.isNaN(got))
    return Number.isNaN(ref) && Number.isNaN(got) ? 0 : Infinity;
  if (got === ref) return ref === 0 && !Object.is(got, ref) ? Infinity : 0;
  if (!Number.isFinite(ref) || !Number.isFinite(got)) {
    // a finite result next to the overflow threshold: count in ulps of the largest float
    const big = ulp === ulp64 ? Number.MAX_VALUE : 3.4028234663852886e38;
    const g = Number.isFinite(got) ? got : Math.sign(got) * (big + ulp(big));
    const r = Number.isFinite(ref) ? ref : Math.sign(ref) * (big + ulp(big));
    return Math.abs(g - r) / ulp(big);
  }
  return Math.abs(got - ref) / ulp(ref);
}

const EDGES = [
  0,
  -0,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  2.225073858507201e-308,
  1e-300,
  -1e-300,
  1e-20,
  -1e-20,
  1e-8,
  -1e-8,
  1.4e-45,
  1.17549435e-38,
  2 ** -28,
  0.1,
  0.5,
  1,
  -1,
  2,
  -2,
  Math.LN2 / 2,
  -Math.LN2 / 2,
  0.34657359,
  0.5493061443340549,
  0.55,
  1 - 2 ** -53,
  1 + 2 ** -52,
  -1 + 2 ** -53,
  10,
  -10,
  18.7,
  19.06,
  22,
  -22,
  40,
  -40,
  60,
  -60,
  88.72283,
  88.7228394,
  -103.97,
  -87.33655,
  709.78,
  709.782712893384,
  709.7827128933841,
  710,
  -708.39,
  -745.1332191019411,
  -745.1332191019412,
  -746,
  1e300,
  -1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Infinity,
  -Infinity,
  NaN,
];

/** Deterministic random values: raw bit patterns (every exponent) and uniform draws over `range`. */
function samples(n: number, range: [number, number], seed: number): Float64Array {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(n + EDGES.length);
  const bits = new Uint32Array(out.buffer);
  const half = n >> 1;
  for (let i = 0; i < half; i++) {
    bits[2 * i] = (next() * 4294967296) >>> 0;
    bits[2 * i + 1] = (next() * 4294967296) >>> 0;
  }
  const [lo, hi] = range;
  for (let i = half; i < n; i++) out[i] = lo + (hi - lo) * next();
  out.set(EDGES, n);
  return out;
}

/** Largest ulp error measured in this run (the test asserts the bounds). */
const MEASURED: Record<string, number> = {};
afterAll(() => {
  if (Object.keys(MEASURED).length > 0) console.log("max ulp error measured:", MEASURED);
});

describe.runIf(elementwiseInstance() !== null)("wasm elementwise kernels: accuracy", () => {
  const N = 1 << 19;
  for (const [k, name] of (Object.keys(REF) as UnaryName[]).entries()) {
    it(`${name}: float64 within ${BOUND[name][0]} ulp, float32 within ${BOUND[name][1]} ulp`, () => {
      const ref = REF[name];
      const x = samples(N, ACTIVE[name], 17 + k);
      const y = new Float64Array(x.length);
      expect(wasmUnary(name, x, y)).toBe(true);
      let worst64 = 0;
      let at64 = 0;
      for (let i = 0; i < x.length; i++) {
        const e = ulps(y[i], ref(x[i]), ulp64);
        if (e > worst64) [worst64, at64] = [e, x[i]];
      }
      const x32 = new Float32Array(x);
      const y32 = new Float32Array(x.length);
      expect(wasmUnary(name, x32, y32)).toBe(true);
      let worst32 = 0;
      let at32 = 0;
      for (let i = 0; i < x32.length; i++) {
        const e = ulps(y32[i], Math.fround(ref(x32[i])), ulp32);
        if (e > worst32) [worst32, at32] = [e, x32[i]];
      }
      MEASURED[`${name} f64`] = worst64;
      MEASURED[`${name} f32`] = worst32;
      expect({ name, worst64, at64 }).toEqual({
        name,
        worst64: expect.toSatisfy((v: number) => v <= BOUND[name][0]),
        at64,
      });
      expect({ name, worst32, at32 }).toEqual({
        name,
        worst32: expect.toSatisfy((v: number) => v <= BOUND[name][1]),
        at32,
      });
    });
  }

  it("fused backward kernels match their formulas", () => {
    const x = samples(1 << 14, [-30, 30], 99);
    const g = samples(1 << 14, [-3, 3], 7).map((v) => (Number.isFinite(v) ? v % 5 : v));
    const y = x.map(Math.tanh);
    const out = new Float64Array(x.length);
    wasmBinary("tanhGrad", g, y, out);
    for (let i = 0; i < x.length; i++)
      expect(Object.is(out[i], g[i] * (1 - y[i] * y[i]))).toBe(true);
    // float32 lanes: g·((1 − y)·(1 + y)) against the float64 formula rounded once
    const g32 = new Float32Array(g);
    const y32 = new Float32Array(y);
    const out32 = new Float32Array(x.length);
    expect(wasmBinary("tanhGrad", g32, y32, out32)).toBe(true);
    let worst = 0;
    for (let i = 0; i < x.length; i++) {
      const ref = Math.fround(g32[i] * (1 - y32[i] * y32[i]));
      worst = Math.max(worst, ulps(out32[i], ref, ulp32));
    }
    MEASURED["tanhGrad f32"] = worst;
    expect(worst).toBeLessThanOrEqual(2);
    wasmBinary("sigmoidGrad", g, x, out);
    for (let i = 0; i < x.length; i++) {
      const ref = g[i] * sigmoidRef(x[i]) * sigmoidRef(-x[i]);
      expect(ulps(out[i], ref, ulp64)).toBeLessThanOrEqual(8);
    }
    wasmBinary("softplusGrad", g, x, out);
    for (let i = 0; i < x.length; i++)
      expect(ulps(out[i], g[i] * sigmoidRef(x[i]), ulp64)).toBeLessThanOrEqual(4);
  });

  it("sums over leading axes bit for bit as the reduction loop", () => {
    for (const [shape, axes] of [
      [[37, 24], [0]],
      [
        [5, 7, 16],
        [0, 1],
      ],
      [[3000, 8], [0]],
    ] as [number[], number[]][])
      for (const F of [Float32Array, Float64Array]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const raw = samples(n, [-3, 3], n)
          .subarray(0, n)
          .map((v) => (Number.isFinite(v) ? v % 7 : 1));
        const x = F === Float32Array ? Float32Array.from(raw) : Float64Array.from(raw);
        const m = n / shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
        const fast = new F(m);
        const plain = new F(m);
        reduceKernel("sum", x, shape, axes, fast);
        setSimd(false);
        reduceKernel("sum", x, shape, axes, plain);
        setSimd(true);
        expect(Array.from(fast)).toEqual(Array.from(plain));
        expect(wasmColumnSums(x, m, new F(m))).toBe(true);
      }
  });

  it("switched off, the kernels decline and write nothing", () => {
    setSimd(false);
    try {
      const out = new Float64Array(3);
      expect(wasmUnary("exp", new Float64Array([1, 2, 3]), out)).toBe(false);
      expect(Array.from(out)).toEqual([0, 0, 0]);
    } finally {
      setSimd(true);
    }
  });

  it("float32 tanh within 2 ulp with and without fused multiply-adds, every 61st float32 in [2⁻³¹, 10)", () => {
    // the bias kernel with a zero bias, built both ways (the runtime picks one for the
    // ops); without relaxed SIMD (GEOML_FMA=0) only the unfused one validates
    const kinds = fusedMultiplyAdd() ? ["fused", "apart"] : ["apart"];
    const mod = instantiate(
      wasmModule({
        memory: { export: "mem", initial: 48 },
        functions: kinds.map((name) => ({
          ...biasKernel("tanh", 4, 1, name === "fused"),
          name,
        })),
      }),
    );
    expect(mod).not.toBeNull();
    if (mod === null) return;
    const mem = new Float32Array((mod.mem as { buffer: ArrayBuffer }).buffer);
    const n = 1 << 18;
    const bits = new Uint32Array(mem.buffer, 0, n);
    const x = new Float32Array(mem.buffer, 0, n);
    const y = new Float32Array(mem.buffer, 4 * n, n);
    const ref = new Float32Array(n);
    const worst: Record<string, number> = Object.fromEntries(kinds.map((k) => [k, 0]));
    for (let b0 = 0x30000000; b0 < 0x41200000; b0 += 61 * n) {
      const count = Math.min(n, Math.ceil((0x41200000 - b0) / 61));
      for (let i = 0; i < count; i++) bits[i] = b0 + 61 * i;
      for (let i = 0; i < count; i++) ref[i] = Math.fround(Math.tanh(x[i]));
      for (const name of kinds) {
        // bias row: 4 zeros after the outputs
        mem.fill(0, 2 * n, 2 * n + 4);
        (mod[name] as (...a: number[]) => void)(0, 8 * n, 4 * n, 16, Math.ceil(count / 4) * 16);
        for (let i = 0; i < count; i++)
          worst[name] = Math.max(worst[name], ulps(y[i], ref[i], ulp32));
      }
    }
    for (const name of kinds) MEASURED[`tanh f32 ${name}`] = worst[name];
    expect(worst).toEqual(
      Object.fromEntries(kinds.map((k) => [k, expect.toSatisfy((v: number) => v <= 2)])),
    );
  });

  it("handles lengths that are not a multiple of the vector or chunk size", () => {
    for (const n of [0, 1, 3, 5, 8191, 8193, 20001]) {
      const x = new Float32Array(n).map((_, i) => (i % 97) / 10 - 4);
      const y = new Float32Array(n).fill(-7);
      wasmUnary("tanh", x, y);
      for (let i = 0; i < n; i++)
        expect(ulps(y[i], Math.fround(Math.tanh(x[i])), ulp32)).toBeLessThanOrEqual(2);
    }
  });
});
