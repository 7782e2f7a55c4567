import { describe, expect, it } from "vitest";
import * as ad from "./index.js";
import { BufferPool, isAutodiffError, ReleasedTensorError } from "./index.js";
import { poolDebug } from "./pool.js";

const f = (p: { w: ad.Tensor; b: ad.Tensor }, x: ad.Tensor) =>
  ad.sum(ad.square(ad.tanh(ad.add(ad.matmul(x, p.w), p.b))));

function setup(dtype: ad.DType) {
  const rng = new ad.Rng(3);
  return {
    p: { w: rng.normal([5, 4], { dtype }), b: rng.normal([4], { dtype }) },
    xs: [0, 1, 2].map(() => rng.normal([7, 5], { dtype })),
  };
}

describe("BufferPool", () => {
  it("reuses intermediate buffers across runs and gives bit-identical values and gradients", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const { p, xs } = setup(dtype);
      const pool = new BufferPool();
      for (let round = 0; round < 3; round++) {
        for (const x of xs) {
          const [v, g] = pool.run(() => ad.valueAndGrad((q: typeof p) => f(q, x))(p));
          const [v0, g0] = ad.valueAndGrad((q: typeof p) => f(q, x))(p);
          expect(v.item()).toBe(v0.item());
          expect(Array.from(g.w.data)).toEqual(Array.from(g0.w.data));
          expect(Array.from(g.b.data)).toEqual(Array.from(g0.b.data));
        }
      }
      // after the first run every intermediate comes from the free list
      expect(pool.stats.reused).toBeGreaterThan(pool.stats.allocated);
      // inputs created outside stay untouched and readable
      expect(p.w.data.length).toBe(20);
    }
  });

  it("hands unzeroed arrays only to ops that write every element (poisoned with NaN, still bit-identical)", () => {
    // odd sizes reach the products' edge handling (rows not a multiple of 4, columns not
    // of 8) and the small-product path; the loss mixes broadcasting, where, reductions
    type P = { w1: ad.Tensor; b1: ad.Tensor; w2: ad.Tensor; b2: ad.Tensor; w3: ad.Tensor };
    const step = (p: P, x: ad.Tensor, y: ad.Tensor) => {
      const h1 = ad.dense(x, p.w1, p.b1, "tanh");
      const h2 = ad.dense(h1, p.w2, p.b2, "relu");
      const out = ad.matmul(h2, p.w3);
      const r = ad.sub(out, y);
      const robust = ad.where(ad.greater(ad.abs(r), 1), ad.abs(r), ad.square(r));
      return ad.add(ad.mean(robust), ad.sum(ad.exp(ad.mul(ad.mean(h1, 0), -1))));
    };
    poolDebug.poison = true;
    try {
      for (const dtype of ["float32", "float64"] as const) {
        const rng = new ad.Rng(11);
        const p: P = {
          w1: rng.normal([5, 13], { dtype }),
          b1: rng.normal([13], { dtype }),
          w2: rng.normal([13, 70], { dtype }),
          b2: rng.normal([70], { dtype }),
          w3: rng.normal([70, 3], { dtype }),
        };
        const pool = new BufferPool();
        for (const rows of [37, 37, 37, 130, 130, 37]) {
          const x = rng.normal([rows, 5], { dtype });
          const y = rng.normal([rows, 3], { dtype });
          const g = (q: P) => step(q, x, y);
          const [v, grads] = pool.run(() => ad.valueAndGrad(g)(p));
          const [v0, grads0] = ad.valueAndGrad(g)(p);
          expect(v.item()).toBe(v0.item());
          for (const k of Object.keys(p) as (keyof P)[])
            expect(Array.from(grads[k].data)).toEqual(Array.from(grads0[k].data));
        }
        expect(pool.stats.reused).toBeGreaterThan(pool.stats.allocated);
      }
    } finally {
      poolDebug.poison = false;
    }
  });

  it("releases tensors that escape other than through the result: reading them throws", () => {
    const pool = new BufferPool();
    const x = ad.tensor([1, 2, 3]);
    let leaked: ad.Tensor | null = null;
    const kept = pool.run(() => {
      leaked = ad.mul(x, 2);
      return { out: [ad.add(leaked, 1)] };
    });
    expect(Array.from(kept.out[0].data)).toEqual([3, 5, 7]);
    expect(() => (leaked as unknown as ad.Tensor).data).toThrow(ReleasedTensorError);
    let err: unknown = null;
    try {
      ad.add(leaked as unknown as ad.Tensor, 1);
    } catch (e) {
      err = e;
    }
    expect(isAutodiffError(err, "RELEASED")).toBe(true);
    expect(() => (leaked as unknown as ad.Tensor).toArray()).toThrow(ReleasedTensorError);
    // the next run reuses the leaked buffer; the kept result is not overwritten
    pool.run(() => ad.mul(ad.tensor([9, 9, 9]), 1));
    expect(Array.from(kept.out[0].data)).toEqual([3, 5, 7]);
  });

  it("keeps a returned view (reshape) of an intermediate and its source buffer", () => {
    const pool = new BufferPool();
    const r = pool.run(() => ad.reshape(ad.mul(ad.tensor([1, 2, 3, 4]), 3), [2, 2]));
    pool.run(() => ad.mul(ad.tensor([0, 0, 0, 0]), 1));
    expect(r.toArray()).toEqual([
      [3, 6],
      [9, 12],
    ]);
  });

  it("keeps a returned raw array", () => {
    const pool = new BufferPool();
    const raw = pool.run(() => ad.mul(ad.tensor([1, 2, 3]), 2).data);
    pool.run(() => ad.mul(ad.tensor([7, 7, 7]), 1));
    expect(Array.from(raw)).toEqual([2, 4, 6]);
  });

  it("recycles nothing when the function throws, and nests", () => {
    const pool = new BufferPool();
    let inner: ad.Tensor | null = null;
    expect(() =>
      pool.run(() => {
        inner = ad.mul(ad.tensor([1, 2]), 2);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(Array.from((inner as unknown as ad.Tensor).data)).toEqual([2, 4]);
    expect(pool.stats.freeBytes).toBe(0);
    const outer = pool.run(() => {
      const a = pool.run(() => ad.mul(ad.tensor([1, 2]), 5));
      return ad.add(a, 1);
    });
    expect(Array.from(outer.data)).toEqual([6, 11]);
    expect(() => pool.run(42 as unknown as () => void)).toThrow(/expected a function/);
  });
});
