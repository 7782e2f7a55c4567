import { mul, square, sub, sum, type Tensor, type Tree, tensor } from "@geoml/autodiff";
import { describe, expect, it } from "vitest";
import { adam, adamw } from "./adam.js";
import { addWeightDecay, clipByGlobalNorm, clipByValue, globalNorm, scale } from "./combinators.js";
import { NonFiniteError, OptionError, TreeMismatchError } from "./errors.js";
import { minimize } from "./minimize.js";
import { rmsprop } from "./rmsprop.js";
import { sgd } from "./sgd.js";
import {
  applyUpdates,
  chain,
  type GradientTransformation,
  type UpdateResult,
} from "./transform.js";

const params = () => ({
  w: tensor([
    [1, -2],
    [0.5, 3],
  ]),
  b: [tensor([0.1, -0.2])],
});
const grads = (scaleBy = 1) => ({
  w: tensor(
    [
      [0.3, -0.1],
      [0.2, 0.4],
    ].map((r) => r.map((v) => v * scaleBy)),
  ),
  b: [tensor([-0.5, 0.25])],
});
const flat = (t: Tree): number[] => {
  if (t instanceof Object && "data" in t) return Array.from((t as Tensor).data);
  return Object.values(t as object).flatMap((v) => flat(v as Tree));
};

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(tol);
}

function run(opt: GradientTransformation<unknown>, steps: number): number[] {
  let p: Tree = params();
  let s: unknown = opt.init(p);
  for (let i = 0; i < steps; i++) {
    const r: UpdateResult<unknown> = opt.update(grads(i + 1), s, p);
    p = applyUpdates(p, r.updates);
    s = r.state;
  }
  return flat(p);
}

describe("optimiser state", () => {
  it("is never mutated: the same state gives the same update twice", () => {
    for (const opt of [
      sgd({ lr: 0.1, momentum: 0.9 }),
      adam(),
      rmsprop({ centered: true, momentum: 0.3 }),
    ]) {
      const t = opt as GradientTransformation<unknown>;
      const s0 = t.init(params());
      const s1 = t.update(grads(), s0, params()).state;
      const a = t.update(grads(2), s1, params());
      const b = t.update(grads(2), s1, params());
      expect(flat(a.updates)).toEqual(flat(b.updates));
      expect(a.state).toEqual(b.state);
    }
  });

  it("keeps the tree structure and the dtype of float32 parameters", () => {
    const p = { w: tensor([1, 2, 3], { dtype: "float32" }) };
    const opt = adam({ lr: 0.1 });
    const r = opt.update({ w: tensor([1, -1, 0.5], { dtype: "float32" }) }, opt.init(p), p);
    const next = applyUpdates(p, r.updates);
    expect(next.w.dtype).toBe("float32");
    expect(Array.from(next.w.data)).toEqual([1 - 0.1, 2 + 0.1, 3 - 0.1].map(Math.fround));
  });

  it("raises TreeMismatchError naming the leaf whose shape differs", () => {
    const opt = adam();
    const s = opt.init(params());
    const bad = { w: tensor([1, 2, 3, 4]), b: [tensor([0, 0])] };
    expect(() => opt.update(bad, s, params())).toThrow(TreeMismatchError);
    expect(() => opt.update(bad, s, params())).toThrow(/'w' has shape \[4\], expected \[2, 2\]/);
    expect(() =>
      opt.update(
        {
          w: tensor([
            [0, 0],
            [0, 0],
          ]),
        },
        s,
      ),
    ).toThrow(/1 leaves/);
  });

  it("asks for the parameters when weight decay needs them", () => {
    const opt = sgd({ lr: 0.1, weightDecay: 0.1 });
    expect(() => opt.update(grads(), opt.init(params()))).toThrow(/needs the parameters/);
  });

  it("rejects inconsistent options", () => {
    expect(() => sgd({ lr: 0.1, nesterov: true })).toThrow(OptionError);
    expect(() => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.5, nesterov: true })).toThrow(
      /nesterov/,
    );
    expect(() => adam({ betas: [1, 0.999] })).toThrow(/betas\[0\]/);
    expect(() => rmsprop({ alpha: -0.1 })).toThrow(/alpha/);
    const opt = sgd({ lr: () => Number.NaN });
    expect(() => opt.update(grads(), opt.init(params()))).toThrow(/lr/);
  });
});

describe("NaN and Inf stop the optimiser", () => {
  for (const [name, opt] of [
    ["sgd", sgd({ lr: 0.1, momentum: 0.9 })],
    ["adam", adam()],
    ["adamw", adamw()],
    ["rmsprop", rmsprop()],
    ["chain", chain(clipByGlobalNorm(1), adam())],
  ] as [string, GradientTransformation<unknown>][]) {
    it(`${name}: names the step and the parameter`, () => {
      let s = opt.init(params());
      s = opt.update(grads(), s, params()).state;
      s = opt.update(grads(), s, params()).state;
      const bad = { w: grads().w, b: [tensor([0, Number.NaN])] };
      let err: unknown;
      try {
        opt.update(bad, s, params());
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NonFiniteError);
      expect(err).toMatchObject({ step: 3, kind: "gradient", parameter: "b[0]", index: 1 });
      expect((err as Error).message).toMatch(
        new RegExp(`^${name}: gradient of 'b\\[0\\]'\\[1\\] is NaN at step 3`),
      );
      expect(() => opt.update(grads(), s, params(), { loss: Number.POSITIVE_INFINITY })).toThrow(
        /loss is Infinity at step 3/,
      );
    });
  }
});

describe("building blocks", () => {
  it("clipByGlobalNorm rescales to maxNorm only when above it", () => {
    const g = grads();
    const n = globalNorm(g);
    const clip = clipByGlobalNorm(n / 2);
    const out = clip.update(g, clip.init(params())).updates;
    expect(globalNorm(out)).toBeCloseTo(n / 2, 14);
    const loose = clipByGlobalNorm(2 * n);
    expect(flat(loose.update(g, loose.init(params())).updates)).toEqual(flat(g));
  });

  it("clipByValue and scale act element-wise", () => {
    const c = clipByValue(0.25);
    expect(flat(c.update(grads(), c.init(params())).updates)).toEqual([
      0.25, -0.1, 0.2, 0.25, -0.25, 0.25,
    ]);
    const s = scale(-2);
    expect(flat(s.update(grads(), s.init(params())).updates)).toEqual(
      flat(grads()).map((v) => -2 * v),
    );
  });

  it("addWeightDecay before an optimiser equals its built-in L2 weight decay", () => {
    const a = run(chain(addWeightDecay(0.05), sgd({ lr: 0.1, momentum: 0.9 })), 5);
    const b = run(sgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.05 }), 5);
    expectClose(a, b, 1e-14);
    const c = run(chain(addWeightDecay(0.05), adam({ lr: 0.1 })), 5);
    const d = run(adam({ lr: 0.1, weightDecay: 0.05 }), 5);
    expectClose(c, d, 1e-14);
  });

  it("chain(clipByGlobalNorm, addWeightDecay, adam) differs from plain adam only by its parts", () => {
    const composed = run(chain(clipByGlobalNorm(1e6), addWeightDecay(0), adam({ lr: 0.01 })), 4);
    const plain = run(adam({ lr: 0.01 }), 4);
    expect(composed).toEqual(plain);
  });
});

describe("minimize with first-order methods", () => {
  const target = tensor([1, -2, 0.5]);
  const f = (x: Tensor) => sum(square(sub(x, target)));

  for (const [method, lr] of [
    ["sgd", 0.1],
    ["adam", 0.05],
    ["adamw", 0.05],
    ["rmsprop", 0.01],
  ] as const) {
    it(`${method} reaches the minimum of a quadratic`, () => {
      const r = minimize(f, tensor([0, 0, 0]), {
        method,
        lr,
        gtol: 1e-6,
        maxIter: 5000,
        optimizer: method === "adamw" ? { weightDecay: 0 } : {},
      });
      expect(r.converged).toBe(true);
      expectClose(r.x.data, target.data, 1e-5);
      expect(r.nfev).toBe(r.nit + 1);
    });
  }

  it("throws NonFiniteError naming the step when the loss diverges", () => {
    // Gradient descent on 1e150·x² with lr 1 overshoots until the loss overflows.
    const big = (x: Tensor) => sum(mul(1e150, square(x)));
    expect(() => minimize(big, tensor([1]), { method: "sgd", lr: 1, maxIter: 100 })).toThrow(
      /minimize\(sgd\): the loss is Infinity at step \d+/,
    );
  });
});

describe("reuseState", () => {
  // [name, optimiser, first step whose state reuses the previous step's arrays]: Adam's
  // WebAssembly step moves the moments into its own memory on the first step
  for (const [name, make, reusedFrom] of [
    ["adam", () => adam({ lr: 0.1 }), 1],
    ["adamw amsgrad", () => adamw({ lr: 0.1, amsgrad: true }), 0],
  ] as const)
    it(`${name}: updating in place gives the same steps, and without it the old state is kept`, () => {
      const p0 = { w: tensor(Float32Array.of(1, -2, 3), { shape: [3] }) };
      const grads = [
        { w: tensor(Float32Array.of(0.5, -1, 2), { shape: [3] }) },
        { w: tensor(Float32Array.of(-0.25, 3, 1), { shape: [3] }) },
        { w: tensor(Float32Array.of(1, 1, -4), { shape: [3] }) },
      ];
      const opt = make();
      let a = opt.init(p0);
      let b = opt.init(p0);
      const kept = opt.init(p0);
      const before = Array.from(kept.mu[0]);
      let lastUpdate: Float32Array | Float64Array | null = null;
      for (const [k, g] of grads.entries()) {
        const ra = opt.update(g, a, p0);
        const rb = opt.update(g, b, p0, { reuseState: true });
        expect(Array.from(rb.updates.w.data)).toEqual(Array.from(ra.updates.w.data));
        // in place, every step writes its updates into the same array and the moments
        // into the previous state's: nothing allocated
        if (lastUpdate !== null) expect(rb.updates.w.data).toBe(lastUpdate);
        if (k >= reusedFrom) expect(rb.state.mu[0]).toBe(b.mu[0]);
        lastUpdate = rb.updates.w.data;
        expect(Array.from(rb.state.nu[0])).toEqual(Array.from(ra.state.nu[0]));
        // the pure call left its input state as it was
        expect(ra.state.mu[0]).not.toBe(a.mu[0]);
        a = ra.state;
        b = rb.state;
      }
      opt.update(grads[0], kept, p0);
      expect(Array.from(kept.mu[0])).toEqual(before);
    });
});
