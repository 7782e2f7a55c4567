import { describe, expect, it } from "vitest";
import { cholInverse, cholLower, inverse, lanczosTopK, matmul, symEigen } from "./dense.js";

function randomSymmetric(n: number, seed: number): Float64Array {
  let s = seed;
  const r = () => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      const v = r();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  return a;
}

describe("dense linear algebra of the GAM", () => {
  it("symEigen reconstructs A = V diag(λ) Vᵀ with orthonormal V", () => {
    const n = 30;
    const a = randomSymmetric(n, 3);
    const { values, vectors } = symEigen(a, n);
    for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let o = 0;
        for (let c = 0; c < n; c++) {
          s += vectors[i * n + c] * values[c] * vectors[j * n + c];
          o += vectors[c * n + i] * vectors[c * n + j];
        }
        expect(s).toBeCloseTo(a[i * n + j], 12);
        expect(o).toBeCloseTo(i === j ? 1 : 0, 12);
      }
  });

  it("Lanczos finds the eigenpairs of largest magnitude as the full decomposition does", () => {
    // a thin-plate-like matrix: |xi − xj|³ on 160 points, plus noise
    const n = 160;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * 3);
    const a = randomSymmetric(n, 9).map((v) => v * 1e-3);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] += Math.abs(x[i] - x[j]) ** 3 / 12;
    const k = 12;
    const full = symEigen(a, n);
    const idx = Array.from({ length: n }, (_, i) => i)
      .sort((p, q) => Math.abs(full.values[q]) - Math.abs(full.values[p]))
      .slice(0, k)
      .sort((p, q) => full.values[q] - full.values[p]);
    const lz = lanczosTopK((v) => matmul(a, v, n, n, 1), n, k);
    idx.forEach((c, j) => {
      expect(lz.values[j]).toBeCloseTo(full.values[c], 8);
      let dot = 0;
      for (let i = 0; i < n; i++) dot += lz.vectors[i * k + j] * full.vectors[i * n + c];
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
    });
  });

  it("Cholesky inverse and Gauss–Jordan inverse agree", () => {
    const n = 8;
    const b = randomSymmetric(n, 5);
    const a = matmul(b, b, n, n, n);
    for (let i = 0; i < n; i++) a[i * n + i] += 1;
    const l = cholLower(a, n) as Float64Array;
    const c1 = cholInverse(l, n);
    const c2 = inverse(a, n) as Float64Array;
    for (let i = 0; i < n * n; i++) expect(c1[i]).toBeCloseTo(c2[i], 10);
    expect(cholLower(new Float64Array([1, 2, 2, 1]), 2)).toBeNull();
  });
});
