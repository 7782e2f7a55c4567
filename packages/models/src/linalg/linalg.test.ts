import { setSimd, setThreads, sharedFloat64, simdEnabled } from "@geoml/autodiff";
import { fusedMultiplyAdd, instantiate, newSharedMemory } from "@geoml/autodiff/wasm";
import { binomial } from "@geoml/losses";
import { describe, expect, it } from "vitest";
import { cholesky, choleskyInverse, choleskySolve } from "./cholesky.js";
import { weightedCrossprod } from "./crossprod.js";
import { createSimdKernels, linalgModuleBytes, type SimdKernels } from "./simd.js";

/** Kernels for columns 64 bytes apart, built with fused multiply-adds or without. */
function kernels(fused: boolean) {
  const ex = instantiate(linalgModuleBytes(64, undefined, false, fused));
  expect(ex).not.toBeNull();
  return {
    triangle: ex!.triangle as SimdKernels["triangle"],
    combine: ex!.combine as SimdKernels["combine"],
    memory: ex!.mem as SimdKernels["memory"],
  };
}

function naive(x: Float64Array, n: number, p: number, w: Float64Array, z: Float64Array) {
  const q = p + 1;
  const col = (j: number, i: number) => (j < p ? x[j * n + i] : z[i]);
  const out = new Float64Array(q * q);
  for (let j = 0; j < q; j++)
    for (let k = 0; k < q; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += w[i] * col(j, i) * col(k, i);
      out[j * q + k] = s;
    }
  return out;
}

describe("weighted cross-product", () => {
  for (const [n, p] of [
    [7, 1],
    [1000, 4],
    [1333, 5],
    [600, 8],
  ]) {
    it(`matches the naive sum for n=${n}, p=${p}`, () => {
      const x = Float64Array.from({ length: n * p }, (_, i) => Math.sin(i * 0.37));
      const w = Float64Array.from({ length: n }, (_, i) => 1 + Math.cos(i));
      const z = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.1));
      const a = weightedCrossprod(x, n, p, w, z);
      const b = naive(x, n, p, w, z);
      a.forEach((v, i) => {
        expect(v).toBeCloseTo(b[i], 9);
      });
    });
  }

  it("gives the same answer on worker threads", () => {
    const n = 200_000;
    const p = 9;
    const x = sharedFloat64(n * p);
    for (let i = 0; i < n * p; i++) x[i] = Math.sin(i * 0.01);
    const w = sharedFloat64(n).fill(0.7);
    const z = sharedFloat64(n);
    for (let i = 0; i < n; i++) z[i] = Math.cos(i);
    setThreads(1);
    const serial = weightedCrossprod(x, n, p, w, z);
    setThreads(2);
    const parallel = weightedCrossprod(x, n, p, w, z);
    parallel.forEach((v, i) => {
      expect(Math.abs(v - serial[i])).toBeLessThan(1e-9 * (1 + Math.abs(serial[i])));
    });
  });
});

describe("WebAssembly SIMD kernel", () => {
  // fused kernels need relaxed SIMD, which GEOML_FMA=0 leaves off
  const modes = fusedMultiplyAdd() ? [true, false] : [false];
  const cases = [2, 4, 6, 8, 10].flatMap((q) => modes.map((fused) => ({ q, fused })));
  it.each(cases)(
    "adds the lower triangle of AᵀB for $q columns (fused: $fused)",
    ({ q, fused }) => {
      const k = kernels(fused);
      const m = new Float64Array(k!.memory.buffer);
      // q columns of six rows, eight apart: A at 0, B at element 96, the sums at 192
      for (let j = 0; j < q; j++)
        for (let i = 0; i < 6; i++) {
          m[j * 8 + i] = j + i * 0.5;
          m[96 + j * 8 + i] = 1 + j * i;
        }
      m.fill(1, 192, 192 + q * q);
      k!.triangle(0, 96 * 8, q, 48, 192 * 8, 64);
      for (let j = 0; j < q; j++)
        for (let c = 0; c < q; c++) {
          let s = 0;
          for (let i = 0; i < 6; i++) s += m[j * 8 + i] * m[96 + c * 8 + i];
          const got = m[192 + j * q + c];
          // the lower triangle exactly; tiles that cross the diagonal also fill some
          // entries above it, with their own dot products
          if (c <= j) expect(got).toBe(1 + s);
          else expect([1, 1 + s]).toContain(got);
        }
    },
  );

  it.each(
    [
      [3, true],
      [6, true],
      [6, false],
      [9, true],
    ].filter(([, fused]) => fusedMultiplyAdd() || !fused) as [number, boolean][],
  )("adds a linear combination of %i columns in order (fused: %s)", (p, fused) => {
    const k = kernels(fused);
    const m = new Float64Array(k.memory.buffer);
    // p columns of four rows, eight apart; coefficients at element 96, out at 112
    for (let j = 0; j < p; j++) for (let i = 0; i < 4; i++) m[j * 8 + i] = j * 10 + i;
    const coef = Array.from({ length: p }, (_, j) => (j % 2 ? -1 : 0.5) * (j + 1));
    m.set(coef, 96);
    m.set([1, 1, 1, 1, -3], 112);
    k.combine(0, p, 32, 96 * 8, 112 * 8, 64);
    const want = [0, 1, 2, 3].map((i) => coef.reduce((s, c, j) => s + c * (j * 10 + i), 1));
    expect(Array.from(m.subarray(112, 117))).toEqual([...want, -3]);
  });

  it("scales a vector by weights, row by row", () => {
    const k = createSimdKernels(64);
    const m = new Float64Array(k!.memory.buffer);
    for (let i = 0; i < 6; i++) {
      m[i] = i - 2.5;
      m[8 + i] = 1 / (i + 1);
      m[16 + i] = -7;
    }
    k!.scale(128, 0, 64, 48);
    expect(Array.from(m.subarray(16, 23))).toEqual([
      ...Array.from({ length: 6 }, (_, i) => (i - 2.5) * (1 / (i + 1))),
      0,
    ]);
  });

  it("instantiate another thread's compiled module on a shared memory, row kernel included", () => {
    const memory = newSharedMemory(2);
    expect(memory).not.toBeNull();
    const rows = binomial().rowKernel?.wasm?.build(1);
    const own = createSimdKernels(64, rows, memory!);
    expect(own).not.toBeNull();
    const theirs = createSimdKernels(64, undefined, memory!, own!.module);
    expect(theirs).not.toBeNull();
    expect(typeof theirs!.rows).toBe("function");
    expect(theirs!.memory).toBe(memory);
    // a 4×4 triangle of columns 64 bytes apart, 6 rows, through each instance
    const m = new Float64Array(memory!.buffer);
    for (let i = 0; i < 32; i++) m[i] = Math.sin(i + 1);
    own!.triangle(0, 0, 4, 48, 512, 64);
    theirs!.triangle(0, 0, 4, 48, 1024, 64);
    expect(Array.from(m.subarray(128, 144))).toEqual(Array.from(m.subarray(64, 80)));
    expect(m.subarray(64, 80).some((v) => v !== 0)).toBe(true);
  });

  it("gives the plain loop's cross-product, odd block lengths included", () => {
    const n = 5001;
    const p = 6;
    const x = Float64Array.from({ length: n * p }, (_, i) => Math.cos(i * 0.3));
    const w = Float64Array.from({ length: n }, (_, i) => 1 + (i % 7));
    const z = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const was = simdEnabled();
    setSimd(false);
    const plain = weightedCrossprod(x, n, p, w, z);
    setSimd(true);
    const simd = weightedCrossprod(x, n, p, w, z);
    setSimd(was);
    simd.forEach((v, i) => {
      expect(Math.abs(v - plain[i])).toBeLessThan(1e-10 * (1 + Math.abs(plain[i])));
    });
  });
});

describe("Cholesky with aliasing", () => {
  it("solves and inverts a positive definite system", () => {
    const a = Float64Array.from([4, 2, 0.4, 2, 3, 0.5, 0.4, 0.5, 2]);
    const f = cholesky(a, 3);
    expect(f.rank).toBe(3);
    const x = choleskySolve(f, Float64Array.from([1, 2, 3]));
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k] * x[k];
      expect(s).toBeCloseTo(i + 1, 12);
    }
    const inv = choleskyInverse(f);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
  });

  it("marks the later of two collinear columns as aliased", () => {
    // columns: a, b, 2a  → Gram matrix
    const cols = [
      [1, 2, 3, 4],
      [1, 0, 1, 0],
      [2, 4, 6, 8],
    ];
    const g = new Float64Array(9);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) g[i * 3 + j] = cols[i].reduce((s, v, k) => s + v * cols[j][k], 0);
    const f = cholesky(g, 3);
    expect(f.aliased).toEqual([false, false, true]);
    expect(f.rank).toBe(2);
    expect(Number.isNaN(choleskyInverse(f)[8])).toBe(true);
  });
});
