import { describe, expect, it } from "vitest";
import { ArgumentError, ShapeError } from "../errors.js";
import { grad } from "../grad.js";
import { setSimd } from "../kernels/wasm/instance.js";
import { Rng } from "../rng.js";
import type { Tensor } from "../tensor.js";
import { add, mul } from "./binary.js";
import { type DenseActivation, dense } from "./dense.js";
import { matmul } from "./linalg.js";
import { sum } from "./sum.js";
import { relu, tanh } from "./unary.js";

const composed = (x: Tensor, w: Tensor, b: Tensor, act: DenseActivation) => {
  const z = add(matmul(x, w), b);
  return act === "tanh" ? tanh(z) : act === "relu" ? relu(z) : z;
};

describe("dense", () => {
  for (const simd of [true, false])
    for (const dtype of ["float64", "float32"] as const)
      for (const act of ["identity", "tanh", "relu"] as const)
        it(`${dtype} ${act}${simd ? "" : " (fallback)"}: values and gradients bit for bit those of the composition`, () => {
          setSimd(simd);
          try {
            const rng = new Rng(11);
            // 64 × 40 × 24 takes the SIMD matmul, and rows × width is not a multiple of the chunk
            const x = rng.normal([64, 40], { dtype });
            // 24 columns: rows of whole vectors (one fused wasm pass); 7: the fallback loops
            for (const n of [24, 7]) {
              const w = rng.normal([40, n], { dtype, std: 0.3 });
              const b = rng.normal([n], { dtype });
              const r = rng.normal([64, n], { dtype });
              expect(Array.from(dense(x, w, b, act).data)).toEqual(
                Array.from(composed(x, w, b, act).data),
              );
              const loss =
                (f: typeof composed) =>
                ([xx, ww, bb]: Tensor[]) =>
                  sum(mul(f(xx, ww, bb, act), r));
              const g1 = grad(loss((x, w, b, a) => dense(x, w, b, a)))([x, w, b]) as Tensor[];
              const g2 = grad(loss(composed))([x, w, b]) as Tensor[];
              for (let i = 0; i < 3; i++)
                expect(Array.from(g1[i].data)).toEqual(Array.from(g2[i].data));
              // second order: the gradient of a gradient norm
              const h = (f: typeof composed) => (p: Tensor[]) => {
                const g = grad(loss(f))(p) as Tensor[];
                return sum(mul(g[1], g[1]));
              };
              const h1 = grad(h((x, w, b, a) => dense(x, w, b, a)))([x, w, b]) as Tensor[];
              const h2 = grad(h(composed))([x, w, b]) as Tensor[];
              for (let i = 0; i < 3; i++)
                expect(Array.from(h1[i].data)).toEqual(Array.from(h2[i].data));
            }
          } finally {
            setSimd(true);
          }
        });

  it("rejects shapes that do not fit, mixed dtypes and unknown activations", () => {
    const rng = new Rng(1);
    const x = rng.normal([4, 3]);
    const w = rng.normal([3, 2]);
    const b = rng.normal([2]);
    expect(() => dense(x, rng.normal([4, 2]), b)).toThrow(ShapeError);
    expect(() => dense(x, w, rng.normal([3]))).toThrow(/b has 3 entries/);
    expect(() => dense(rng.normal([4]), w, b)).toThrow(ShapeError);
    expect(() => dense(x, w, rng.normal([2], { dtype: "float32" }))).toThrow(/share a dtype/);
    expect(() => dense(x, w, b, "gelu" as DenseActivation)).toThrow(ArgumentError);
    expect(() => dense(x, [[1]] as unknown as Tensor, b)).toThrow(/must be tensors/);
  });
});
