import { describe, expect, it } from "vitest";
import {
  add,
  arange,
  concat,
  exp,
  eye,
  gather,
  grad,
  isAutodiffError,
  linspace,
  matmul,
  max,
  mean,
  mul,
  noGrad,
  ShapeError,
  stack,
  stopGradient,
  sum,
  type Tensor,
  tanh,
  tensor,
  transpose,
  valueAndGrad,
  zeros,
} from "./index.js";

describe("creation", () => {
  it("infers shapes and defaults to float64", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float64");
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it("wraps typed arrays without copying", () => {
    const d = new Float32Array([1, 2, 3, 4]);
    const t = tensor(d, { shape: [2, 2] });
    expect(t.data).toBe(d);
    expect(t.dtype).toBe("float32");
  });

  it("rejects ragged arrays", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
  });

  it("builds ranges and identities", () => {
    expect(arange(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

describe("broadcasting and shapes", () => {
  it("broadcasts like NumPy", () => {
    const a = tensor([[1], [2]]);
    const b = tensor([10, 20, 30]);
    expect(add(a, b).toArray()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
  });

  it("names the op and both shapes on mismatch", () => {
    try {
      add(zeros([2, 3]), zeros([4]));
      expect.fail("should throw");
    } catch (e) {
      expect(isAutodiffError(e, "SHAPE_MISMATCH")).toBe(true);
      expect((e as Error).message).toContain("add");
      expect((e as Error).message).toContain("[2, 3]");
      expect((e as Error).message).toContain("[4]");
    }
  });

  it("transposes, concatenates, stacks and gathers", () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(transpose(x).toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(concat([x, x], 1).shape).toEqual([2, 6]);
    expect(stack([x, x], 1).shape).toEqual([2, 2, 3]);
    expect(gather(x, [2, 0], 1).toArray()).toEqual([
      [3, 1],
      [6, 4],
    ]);
  });

  it("matmul handles vectors and batches", () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(matmul(a, tensor([1, 1])).toArray()).toEqual([3, 7]);
    expect(matmul(tensor([1, 1]), a).toArray()).toEqual([4, 6]);
    expect(matmul(tensor([1, 1]), tensor([2, 3])).toArray()).toBe(5);
    const batch = stack([a, a, a]);
    expect(matmul(batch, a).shape).toEqual([3, 2, 2]);
  });

  it("reduces over axes with keepdims", () => {
    const x = arange(24).astype("float32");
    const y = sum(x.astype("float64"), 0);
    expect(y.item()).toBe(276);
    const z = tensor([
      [1, 5],
      [7, 2],
    ]);
    expect(max(z, 1).toArray()).toEqual([5, 7]);
    expect(mean(z, 0, true).toArray()).toEqual([[4, 3.5]]);
  });
});

describe("gradients", () => {
  it("differentiates a tree of parameters", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const loss = (p: { w: Tensor; b: Tensor }) => sum(tanh(add(matmul(x, p.w), p.b)));
    const p = { w: tensor([0.1, -0.2]), b: tensor(0.3) };
    const [value, g] = valueAndGrad(loss)(p);
    const z = [0.1 - 0.4 + 0.3, 0.3 - 0.8 + 0.3];
    expect(value.item()).toBeCloseTo(Math.tanh(z[0]) + Math.tanh(z[1]), 14);
    const d = z.map((v) => 1 - Math.tanh(v) ** 2);
    expect(g.w.toArray()).toEqual(
      [d[0] * 1 + d[1] * 3, d[0] * 2 + d[1] * 4].map((v) => expect.closeTo(v, 14)),
    );
    expect(g.b.item()).toBeCloseTo(d[0] + d[1], 14);
  });

  it("gives grad of grad (Hessian-vector product)", () => {
    const f = (x: Tensor) => sum(mul(exp(x), x));
    const x = tensor([0.5, -1]);
    const v = tensor([1, 2]);
    const hvp = grad((y: Tensor) => sum(mul(grad(f)(y), v)))(x);
    // d²/dx² (x eˣ) = (x + 2) eˣ
    expect(hvp.data[0]).toBeCloseTo(2.5 * Math.exp(0.5) * 1, 13);
    expect(hvp.data[1]).toBeCloseTo(1 * Math.exp(-1) * 2, 13);
  });

  it("stops gradients and records nothing under noGrad", () => {
    const g = grad((x: Tensor) => sum(mul(x, stopGradient(x))))(tensor([3]));
    expect(g.toArray()).toEqual([3]);
    const y = noGrad(() => grad((x: Tensor) => sum(mul(x, x)))(tensor([2])));
    expect(y.toArray()).toEqual([4]);
    const inner = grad((x: Tensor) =>
      add(
        sum(x),
        noGrad(() => sum(mul(x, x))),
      ),
    )(tensor([2]));
    expect(inner.toArray()).toEqual([1]);
    const t = noGrad(() => mul(tensor([1]), tensor([2])));
    expect(t.node).toBeNull();
  });
});

describe("dtype promotion", () => {
  it("float32 with float64 gives float64; numbers take the tensor's dtype", () => {
    const a = tensor([1, 2], { dtype: "float32" });
    const b = tensor([0.1, 0.2]);
    expect(add(a, b).dtype).toBe("float64");
    expect(mul(a, 0.1).dtype).toBe("float32");
    expect(mul(a, 0.1).data[0]).toBe(Math.fround(0.1));
    expect(add(1, 2).dtype).toBe("float64");
  });

  it("gradients come back in each parameter's own dtype", () => {
    const b = tensor([0.1, 0.2]);
    const g = grad((p: { a: Tensor }) => sum(mul(p.a, b)))({
      a: tensor([1, 2], { dtype: "float32" }),
    });
    expect(g.a.dtype).toBe("float32");
    expect(Array.from(g.a.data)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it("float32 results are float64 results rounded once", () => {
    const x = tensor([0.3, 1.7, -2.2], { dtype: "float32" });
    const y = exp(x);
    for (let i = 0; i < 3; i++) expect(y.data[i]).toBe(Math.fround(Math.exp(x.data[i])));
  });
});
