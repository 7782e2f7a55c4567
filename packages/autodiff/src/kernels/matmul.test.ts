import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { tensor } from "../ops/creation.js";
import { matmul, matmulNd } from "../ops/linalg.js";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { getThreads, setThreads } from "../threads/pool.js";
import { matmulKernel } from "./matmul.js";
import { setSimd } from "./wasm/instance.js";
import { releaseSimdMatmul, simdMatmul } from "./wasm-matmul.js";

/** Plain triple loop in float64, the reference for both kernel paths. */
function naive(a: Tensor, b: Tensor): Float64Array {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j];
      out[i * n + j] = s;
    }
  return out;
}

function maxRelErr(got: Tensor, want: Float64Array): number {
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < want.length; i++)
    worst = Math.max(worst, Math.abs(got.data[i] - want[i]) / scale);
  return worst;
}

describe("matmul kernels", () => {
  afterEach(() => {
    setSimd(true);
  });

  it("has WebAssembly SIMD on this engine", () => {
    expect(simdMatmul()).not.toBeNull();
  });

  const sizes: [number, number, number][] = [
    [64, 64, 64],
    [37, 53, 29],
    [1, 300, 70],
    [129, 7, 131],
    [5, 1000, 9],
  ];
  for (const dtype of ["float64", "float32"] as const)
    for (const simd of [true, false])
      it(`${dtype} ${simd ? "SIMD" : "JS"} path matches a float64 triple loop`, () => {
        setSimd(simd);
        const rng = new Rng(3);
        for (const [m, k, n] of sizes) {
          const a = rng.normal([m, k], { dtype });
          const b = rng.normal([k, n], { dtype });
          const err = maxRelErr(matmul(a, b), naive(a, b));
          expect(err, `${m}×${k}×${n}`).toBeLessThan(dtype === "float64" ? 1e-14 : 2e-6);
        }
      });

  it("without fused multiply-adds (GEOML_FMA=0), the SIMD kernels match a float64 triple loop", () => {
    // a process of its own: the kernels are built once, with or without them
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const index = new URL("../index.ts", import.meta.url).href;
    const script = `
      const ad = await import(${JSON.stringify(index)});
      const w = await import(${JSON.stringify(new URL("./wasm/instance.ts", import.meta.url).href)});
      const rng = new ad.Rng(3);
      const errors = [];
      for (const dtype of ["float64", "float32"])
        for (const [m, k, n] of [[64, 64, 64], [37, 53, 29], [333, 321, 330]]) {
          const a = rng.normal([m, k], { dtype });
          const b = rng.normal([k, n], { dtype });
          const c = ad.matmul(a, b).data;
          let worst = 0;
          let scale = 0;
          const want = new Float64Array(m * n);
          for (let i = 0; i < m; i++)
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let p = 0; p < k; p++) s += a.data[i * k + p] * b.data[p * n + j];
              want[i * n + j] = s;
              scale = Math.max(scale, Math.abs(s));
            }
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(c[i] - want[i]));
          errors.push([dtype, worst / scale]);
        }
      console.log(JSON.stringify({ fused: w.fusedMultiplyAdd(), errors }));`;
    const out = execFileSync(
      process.execPath,
      ["--import", tsx, "--input-type=module", "-e", script],
      { encoding: "utf8", env: { ...process.env, GEOML_FMA: "0", GEOML_THREADS: "1" } },
    );
    const { fused, errors } = JSON.parse(out.trim()) as {
      fused: boolean;
      errors: [string, number][];
    };
    expect(fused).toBe(false);
    for (const [dtype, err] of errors) expect(err).toBeLessThan(dtype === "float64" ? 1e-14 : 2e-6);
  }, 30_000);

  for (const dtype of ["float64", "float32"] as const)
    it(`${dtype}: a large product (operands packed into panels) matches a float64 triple loop`, () => {
      // one thread: the calling thread's kernel, past the size where it packs A too
      const was = getThreads();
      setThreads(1);
      try {
        const rng = new Rng(8);
        const [m, k, n] = [333, 321, 330];
        expect(m * k * n).toBeGreaterThan(2 ** 25);
        const a = rng.normal([m, k], { dtype });
        const b = rng.normal([k, n], { dtype });
        const err = maxRelErr(matmul(a, b), naive(a, b));
        expect(err).toBeLessThan(dtype === "float64" ? 1e-14 : 2e-6);
        // and with both operands stored transposed (packed from their strides)
        const F = dtype === "float32" ? Float32Array : Float64Array;
        const aT = new F(m * k);
        const bT = new F(k * n);
        for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aT[p * m + i] = a.data[i * k + p];
        for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bT[j * k + p] = b.data[p * n + j];
        const t = matmulNd(
          tensor(aT, { shape: [k, m] }),
          tensor(bT, { shape: [n, k] }),
          true,
          true,
        );
        expect(maxRelErr(t, naive(a, b))).toBeLessThan(dtype === "float64" ? 1e-14 : 2e-6);
      } finally {
        setThreads(was);
      }
    });

  it("batched products with a shared right operand agree with per-matrix products", () => {
    const rng = new Rng(4);
    const a = rng.normal([3, 40, 50]);
    const b = rng.normal([50, 60]);
    const c = matmul(a, b);
    for (let t = 0; t < 3; t++) {
      const at = {
        shape: [40, 50],
        data: a.data.subarray(t * 2000, (t + 1) * 2000),
      } as unknown as Tensor;
      const want = naive(at, b);
      for (let i = 0; i < want.length; i++) expect(c.data[t * 2400 + i]).toBeCloseTo(want[i], 12);
    }
  });

  it("keeps working after its scratch memory is released", () => {
    const rng = new Rng(5);
    const a = rng.normal([70, 80]);
    const b = rng.normal([80, 90]);
    const before = matmul(a, b);
    releaseSimdMatmul();
    expect(Array.from(matmul(a, b).data)).toEqual(Array.from(before.data));
    expect(maxRelErr(before, naive(a, b))).toBeLessThan(1e-14);
  });

  for (const dtype of ["float64", "float32"] as const)
    for (const simd of [true, false])
      it(`${dtype} ${simd ? "SIMD" : "JS"} path reads transposed operands in place`, () => {
        setSimd(simd);
        const rng = new Rng(6);
        const F = dtype === "float32" ? Float32Array : Float64Array;
        for (const [m, k, n] of [
          [37, 53, 29],
          [64, 300, 16],
          [3, 5, 2],
          [12, 10, 17],
          // a narrow C (matrix-vector) and a B read in place with rows past m
          [130, 40, 1],
          [9, 200, 3],
          [13, 40, 8],
        ])
          for (const ta of [false, true])
            for (const tb of [false, true]) {
              const batch = 2;
              const a = rng.normal([batch, m, k], { dtype });
              const b = rng.normal([batch, k, n], { dtype });
              // Stored operands: each batch matrix transposed when the flag is set.
              const store = (x: Tensor, r: number, c: number, t: boolean) => {
                if (!t) return x.data;
                const out = new F(x.size);
                for (let q = 0; q < batch; q++)
                  for (let i = 0; i < r; i++)
                    for (let j = 0; j < c; j++)
                      out[q * r * c + j * r + i] = x.data[q * r * c + i * c + j];
                return out;
              };
              const c = new F(batch * m * n);
              const offs = (size: number) => Int32Array.from({ length: batch }, (_, q) => q * size);
              matmulKernel(
                store(a, m, k, ta),
                store(b, k, n, tb),
                c,
                batch,
                m,
                k,
                n,
                offs(m * k),
                offs(k * n),
                ta,
                tb,
              );
              for (let q = 0; q < batch; q++) {
                const aq = {
                  shape: [m, k],
                  data: a.data.subarray(q * m * k, (q + 1) * m * k),
                } as unknown as Tensor;
                const bq = {
                  shape: [k, n],
                  data: b.data.subarray(q * k * n, (q + 1) * k * n),
                } as unknown as Tensor;
                const want = naive(aq, bq);
                const got = { data: c.subarray(q * m * n, (q + 1) * m * n) } as unknown as Tensor;
                expect(maxRelErr(got, want), `${m}×${k}×${n} ta=${ta} tb=${tb}`).toBeLessThan(
                  dtype === "float64" ? 1e-14 : 2e-6,
                );
              }
            }
      });
});
