import { type DType, Rng, setSimd, simdEnabled, type Tensor, tensor } from "@geoml/autodiff";
import { afterEach, describe, expect, it } from "vitest";
import { type AdamState, adam } from "./adam.js";
import { NonFiniteError } from "./errors.js";
import { applyUpdates } from "./transform.js";

type Params = { w: Tensor; b: Tensor; odd: Tensor; none: Tensor; one: Tensor };

const simdAtStart = simdEnabled();
afterEach(() => setSimd(simdAtStart));

/**
 * Leaves of awkward sizes in one dtype: 35 + 6 + 3 + 0 + 1 = 45 values, so the last
 * 16-byte vector is part padding in float32 and in float64, and one leaf is empty.
 */
function params(dtype: DType, rng: Rng): Params {
  const leaf = (shape: number[]) => rng.normal(shape, { dtype });
  return { w: leaf([7, 5]), b: leaf([6]), odd: leaf([3]), none: leaf([0]), one: leaf([1]) };
}

/** Gradients with large, tiny, zero and negative-zero entries besides ordinary ones. */
function gradients(like: Params, rng: Rng, step: number): Params {
  const g = (t: Tensor): Tensor => {
    const d = rng.normal(t.shape as number[], { dtype: t.dtype }).data.slice();
    if (d.length > 0) d[0] = step % 2 === 0 ? 0 : -0;
    if (d.length > 2) d[1] = 1e30 * (step + 1);
    if (d.length > 3) d[2] = 1e-30 / (step + 1);
    return tensor(d, { shape: t.shape as number[], dtype: t.dtype });
  };
  return { w: g(like.w), b: g(like.b), odd: g(like.odd), none: g(like.none), one: g(like.one) };
}

/** The bytes of every leaf's values, to compare runs bit for bit. */
const bits = (ts: (Tensor | Float64Array)[]): number[][] =>
  ts.map((t) =>
    Array.from(new Uint8Array((t instanceof Float64Array ? t : t.data).slice().buffer)),
  );

/** Six steps of Adam with reuseState on SIMD or plain JavaScript, from the same start. */
function train(dtype: DType, simd: boolean) {
  setSimd(simd);
  const rng = new Rng(7);
  let p = params(dtype, rng);
  const opt = adam({ lr: (t) => 0.01 / (1 + t) });
  let s: AdamState = opt.init(p);
  const history: number[][][] = [];
  for (let step = 0; step < 6; step++) {
    const r = opt.update(gradients(p, rng, step), s, p, { reuseState: true });
    history.push(bits([r.updates.w, r.updates.b, r.updates.odd, r.updates.none, r.updates.one]));
    p = applyUpdates(p, r.updates);
    s = r.state;
  }
  return { p, s, history };
}

describe("Adam's WebAssembly step (reuseState, no weight decay, no AMSGrad)", () => {
  for (const dtype of ["float32", "float64"] as const)
    it(`${dtype}: the same bits as the JavaScript loop, updates, moments and parameters`, () => {
      const fast = train(dtype, true);
      const plain = train(dtype, false);
      expect(fast.history).toEqual(plain.history);
      expect(bits([...fast.s.mu, ...fast.s.nu])).toEqual(bits([...plain.s.mu, ...plain.s.nu]));
      expect(bits([fast.p.w, fast.p.b, fast.p.odd, fast.p.one])).toEqual(
        bits([plain.p.w, plain.p.b, plain.p.odd, plain.p.one]),
      );
      // the moments moved into the kernel's memory (one buffer for every leaf) on SIMD,
      // and stayed in arrays of their own in JavaScript
      expect(new Set(fast.s.mu.map((m) => m.buffer)).size).toBe(1);
      expect(new Set(plain.s.mu.map((m) => m.buffer)).size).toBe(plain.s.mu.length);
    });

  it("takes over moments that steps without reuseState built, and continues them exactly", () => {
    const rng = new Rng(3);
    const p = params("float32", rng);
    const opt = adam({ lr: 0.05 });
    const gs = [0, 1, 2, 3].map((k) => gradients(p, rng, k));
    let pure = opt.init(p);
    for (const g of gs.slice(0, 2)) pure = opt.update(g, pure, p).state;
    // continue one copy in place (the kernel) and one purely (JavaScript)
    const copy = { ...pure, mu: pure.mu.map((m) => m.slice()), nu: pure.nu.map((v) => v.slice()) };
    let a: AdamState = copy;
    let b = pure;
    for (const g of gs.slice(2)) {
      const ra = opt.update(g, a, p, { reuseState: true });
      const rb = opt.update(g, b, p);
      expect(bits([ra.updates.w, ra.updates.odd])).toEqual(bits([rb.updates.w, rb.updates.odd]));
      a = ra.state;
      b = rb.state;
    }
    // the kernel ran (its memory holds every leaf's moments)
    expect(new Set(a.mu.map((m) => m.buffer)).size).toBe(1);
    expect(bits([...a.mu, ...a.nu])).toEqual(bits([...b.mu, ...b.nu]));
    expect(a.count).toBe(4);
    expect(b.count).toBe(4);
  });

  it("reads the moments of the state it is given, not those of the memory they came from", () => {
    const rng = new Rng(13);
    const p = params("float64", rng);
    const opt = adam({ lr: 0.05 });
    const [g1, g2] = [0, 1].map((k) => gradients(p, rng, k));
    const s = opt.update(g1, opt.init(p), p, { reuseState: true }).state;
    // the same first moments (views of the kernel's memory), other second moments
    const other = { ...s, nu: s.nu.map((v) => v.map((x) => 2 * x + 0.5)) };
    const keptNu = bits(s.nu);
    const fast = opt.update(g2, other, p, { reuseState: true });
    const plain = opt.update(g2, { ...other, mu: other.mu.map((m) => m.slice()) }, p);
    expect(bits([fast.updates.w, fast.updates.one])).toEqual(
      bits([plain.updates.w, plain.updates.one]),
    );
    expect(bits(fast.state.nu)).toEqual(bits(plain.state.nu));
    // the first state's second moments were not written
    expect(bits(s.nu)).toEqual(keptNu);
  });

  it("a NaN gradient throws before any moment changes", () => {
    const rng = new Rng(5);
    const p = params("float64", rng);
    const opt = adam();
    const r = opt.update(gradients(p, rng, 0), opt.init(p), p, { reuseState: true });
    const before = bits(r.state.mu);
    const bad = gradients(p, rng, 1);
    bad.odd.data[2] = Number.NaN;
    expect(() => opt.update(bad, r.state, p, { reuseState: true })).toThrow(NonFiniteError);
    expect(bits(r.state.mu)).toEqual(before);
    // a non-finite loss too, with finite gradients
    expect(() =>
      opt.update(gradients(p, rng, 2), r.state, p, { reuseState: true, loss: Number.NaN }),
    ).toThrow(/loss/);
    expect(bits(r.state.mu)).toEqual(before);
  });

  it("reports a NaN gradient before a bad learning rate or a wrong shape, as the JavaScript path", () => {
    const rng = new Rng(15);
    const p = params("float32", rng);
    const bad = gradients(p, rng, 0);
    bad.w.data[4] = Number.NaN;
    const schedule = adam({ lr: () => Number.NaN });
    for (const reuseState of [true, false]) {
      expect(() => schedule.update(bad, schedule.init(p), p, { reuseState })).toThrow(
        NonFiniteError,
      );
      const opt = adam();
      const wrong = { ...bad, b: tensor(new Float32Array(4), { shape: [4] }) };
      expect(() => opt.update(wrong, opt.init(p), p, { reuseState })).toThrow(NonFiniteError);
    }
  });

  it("leaves of mixed dtypes take the JavaScript loop, with the same values", () => {
    const rng = new Rng(9);
    const p = { a: rng.normal([4], { dtype: "float32" }), b: rng.normal([3]) };
    const g = { a: rng.normal([4], { dtype: "float32" }), b: rng.normal([3]) };
    const opt = adam();
    const fast = opt.update(g, opt.init(p), p, { reuseState: true });
    const plain = opt.update(g, opt.init(p), p);
    expect(bits([fast.updates.a, fast.updates.b])).toEqual(
      bits([plain.updates.a, plain.updates.b]),
    );
    expect(fast.state.mu[0].buffer).not.toBe(fast.state.mu[1].buffer);
  });

  it("two optimiser states train side by side without sharing memory", () => {
    const rng = new Rng(11);
    const p = params("float32", rng);
    const opt = adam({ lr: 0.1 });
    const gs = [0, 1, 2].map((k) => gradients(p, rng, k));
    let a = opt.init(p);
    let b = opt.init(p);
    // the same two runs, pure
    let pa = opt.init(p);
    let pb = opt.init(p);
    for (const g of gs) {
      a = opt.update(g, a, p, { reuseState: true }).state;
      pa = opt.update(g, pa, p).state;
      // b sees every gradient twice
      for (let k = 0; k < 2; k++) {
        b = opt.update(g, b, p, { reuseState: true }).state;
        pb = opt.update(g, pb, p).state;
      }
    }
    expect(a.mu[0].buffer).not.toBe(b.mu[0].buffer);
    expect(bits([...a.mu, ...a.nu])).toEqual(bits([...pa.mu, ...pa.nu]));
    expect(bits([...b.mu, ...b.nu])).toEqual(bits([...pb.mu, ...pb.nu]));
    expect(b.count).toBe(6);
  });
});
