/**
 * Property tests: broadcasting and reductions against index-by-index references, and
 * every differentiable op's VJP against central finite differences on random shapes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ad from "./index.js";
import { stridesOf } from "./shape.js";
import type { Tensor } from "./tensor.js";

/** Two shapes that broadcast to a common shape (some axes dropped or set to 1). */
const broadcastPair = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((out) =>
    fc
      .tuple(
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        fc.nat(out.length),
        fc.nat(out.length),
      )
      .map(([ones1, ones2, drop1, drop2]) => {
        const a = out.map((d, i) => (ones1[i] ? 1 : d)).slice(drop1);
        const b = out.map((d, i) => (ones2[i] ? 1 : d)).slice(drop2);
        return { a, b };
      }),
  );

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 });

function rand(shape: number[], seed: number, lo = -2, hi = 2): Tensor {
  return new ad.Rng(seed).uniform(shape, { low: lo, high: hi });
}

/** Value of `t` at multi-index `idx` of the broadcast result shape `out`. */
function at(t: Tensor, idx: number[], out: number[]): number {
  const st = stridesOf(t.shape);
  const off = out.length - t.ndim;
  let p = 0;
  for (let d = 0; d < t.ndim; d++) p += (t.shape[d] === 1 ? 0 : idx[d + off]) * st[d];
  return t.data[p];
}

function unravel(i: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

describe("broadcasting", () => {
  const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
    ["add", ad.add, (x, y) => x + y],
    ["mul", ad.mul, (x, y) => x * y],
    ["sub", ad.sub, (x, y) => x - y],
    ["maximum", ad.maximum, (x, y) => Math.max(x, y)],
  ];
  for (const [name, op, ref] of ops)
    it(`${name} matches an index-by-index reference`, () => {
      fc.assert(
        fc.property(broadcastPair, fc.nat(1000), ({ a, b }, seed) => {
          const ta = rand(a, seed);
          const tb = rand(b, seed + 1);
          const out = op(ta, tb);
          const n = Math.max(a.length, b.length);
          for (let d = 0; d < n; d++) {
            const da = a[d - (n - a.length)] ?? 1;
            const db = b[d - (n - b.length)] ?? 1;
            expect(out.shape[d]).toBe(Math.max(da, db));
          }
          for (let i = 0; i < out.size; i++) {
            const idx = unravel(i, [...out.shape]);
            expect(out.data[i]).toBe(ref(at(ta, idx, [...out.shape]), at(tb, idx, [...out.shape])));
          }
        }),
        { numRuns: 150 },
      );
    });

  it("sumToShape undoes broadcastTo up to the repetition count", () => {
    fc.assert(
      fc.property(broadcastPair, fc.nat(1000), ({ a, b }, seed) => {
        const ta = rand(a, seed);
        const shape = [...ad.add(ta, ad.zeros(b)).shape];
        const back = ad.sumToShape(ad.broadcastTo(ta, shape), a);
        const reps = shape.reduce((p, d) => p * d, 1) / Math.max(ta.size, 1);
        for (let i = 0; i < ta.size; i++) expect(back.data[i]).toBeCloseTo(ta.data[i] * reps, 12);
      }),
      { numRuns: 100 },
    );
  });
});

describe("reductions", () => {
  it("sum/max over random axes match a reference", () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.nat(1000),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.boolean(),
        (shape, seed, pick, keep) => {
          const x = rand(shape, seed);
          const axes = shape.map((_, i) => i).filter((i) => pick[i]);
          const s = ad.sum(x, axes, keep);
          const m = ad.max(x, axes, keep);
          const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
          const refSum = new Float64Array(outShape.reduce((p, d) => p * d, 1));
          const refMax = new Float64Array(refSum.length).fill(Number.NEGATIVE_INFINITY);
          const os = stridesOf(outShape);
          for (let i = 0; i < x.size; i++) {
            const idx = unravel(i, shape);
            let o = 0;
            idx.forEach((v, d) => {
              o += (axes.includes(d) ? 0 : v) * os[d];
            });
            refSum[o] += x.data[i];
            refMax[o] = Math.max(refMax[o], x.data[i]);
          }
          expect(s.size).toBe(refSum.length);
          expect(s.ndim).toBe(keep ? shape.length : shape.length - axes.length);
          for (let i = 0; i < refSum.length; i++) {
            expect(s.data[i]).toBeCloseTo(refSum[i], 12);
            expect(m.data[i]).toBe(refMax[i]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("VJP vs finite differences", () => {
  // A fixed seed: finite differences can land on a kink (e.g. maximum at a near-tie)
  // with tiny probability, and CI must not flake on it.
  const opts = { numRuns: 40, seed: 20261124 };
  const ok = (f: (ps: Tensor[]) => Tensor, params: Tensor[]) => {
    const r = ad.checkGrad(f, params, { rtol: 1e-6, atol: 1e-7 });
    if (!r.ok) expect.fail(`max abs error ${r.maxAbsError}, max rel error ${r.maxRelError}`);
  };
  /** sum(out · w) with a fixed random cotangent w, so every output entry matters. */
  const weighted = (out: Tensor, seed: number) =>
    ad.sum(ad.mul(out, rand([...out.shape], seed + 99)));

  const binaries: [string, (a: Tensor, b: Tensor) => Tensor, number][] = [
    ["add", ad.add, -2],
    ["mul", ad.mul, -2],
    ["div", ad.div, 0.5],
    ["pow", ad.pow, 0.5],
    ["maximum", ad.maximum, -2],
  ];
  for (const [name, op, lo] of binaries)
    it(`${name} with broadcasting`, () => {
      fc.assert(
        fc.property(broadcastPair, fc.nat(1000), ({ a, b }, seed) => {
          ok(
            ([x, y]) => weighted(op(x, y), seed),
            [rand(a, seed, lo, 2), rand(b, seed + 1, lo, 2)],
          );
        }),
        opts,
      );
    });

  const unaries: [string, (x: Tensor) => Tensor, number, number][] = [
    ["tanh", ad.tanh, -2, 2],
    ["exp", ad.exp, -2, 2],
    ["log", ad.log, 0.2, 3],
    ["softplus", ad.softplus, -4, 4],
    ["sigmoid", ad.sigmoid, -4, 4],
    ["erf", ad.erf, -2, 2],
    ["lgamma", ad.lgamma, 0.2, 6],
    ["digamma", ad.digamma, 0.2, 6],
    ["sqrt", ad.sqrt, 0.2, 3],
  ];
  for (const [name, op, lo, hi] of unaries)
    it(name, () => {
      fc.assert(
        fc.property(shapeArb, fc.nat(1000), (shape, seed) => {
          ok(([x]) => weighted(op(x), seed), [rand(shape, seed, lo, hi)]);
        }),
        { numRuns: 20, seed: 20261124 },
      );
    });

  it("reductions over random axes (sum, mean, logsumexp, softmax)", () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.nat(1000),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (shape, seed, pick) => {
          const axes = shape.map((_, i) => i).filter((i) => pick[i]);
          const x = rand(shape, seed);
          ok(([t]) => weighted(ad.sum(t, axes, true), seed), [x]);
          ok(([t]) => weighted(ad.mean(t, axes), seed), [x]);
          ok(([t]) => weighted(ad.logsumexp(t, axes), seed), [x]);
          ok(([t]) => weighted(ad.softmax(t, -1), seed), [x]);
        },
      ),
      opts,
    );
  });

  it("batched matmul with broadcast batch axes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.nat(1000),
        (m, k, n, batch, shareB, seed) => {
          const a = rand([batch, m, k], seed);
          const b = rand(shareB ? [k, n] : [batch, k, n], seed + 1);
          ok(([x, y]) => weighted(ad.matmul(x, y), seed), [a, b]);
        },
      ),
      opts,
    );
  });

  it("transpose, slice, gather, pad, concat", () => {
    fc.assert(
      fc.property(shapeArb, fc.nat(1000), (shape, seed) => {
        const x = rand(shape, seed);
        const perm = new ad.Rng(seed).permutation(shape.length);
        ok(([t]) => weighted(ad.transpose(t, [...perm]), seed), [x]);
        const begin = shape.map((d) => Math.floor(d / 2));
        ok(([t]) => weighted(ad.slice(t, begin), seed), [x]);
        const idx = [shape[0] - 1, 0, shape[0] - 1];
        ok(([t]) => weighted(ad.gather(t, idx, 0), seed), [x]);
        ok(
          ([t]) =>
            weighted(
              ad.pad(
                t,
                shape.map(() => [1, 2] as [number, number]),
                3,
              ),
              seed,
            ),
          [x],
        );
        ok(([t, u]) => weighted(ad.concat([t, u, t], -1), seed), [x, rand(shape, seed + 5)]);
      }),
      opts,
    );
  });
});
