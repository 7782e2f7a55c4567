/**
 * Forward values, gradients and Hessian-vector products of every op against PyTorch
 * (fixtures from tools/oracles/autodiff_torch.py). float64 must agree to 1e-10
 * relative, entry by entry. float32 must agree to 1e-5 relative, plus an absolute floor
 * of 1e-6 × the tensor's largest entry for entries that cancel to almost nothing
 * (there torch's own float32 rounding dominates).
 */
import { describe, expect, it } from "vitest";
import fixture from "./__fixtures__/torch_ops.json" with { type: "json" };
import type { DType } from "./dtype.js";
import * as ad from "./index.js";
import type { Tensor } from "./tensor.js";

interface Arr {
  shape: number[];
  /** Non-finite values are stored as the strings "NaN", "Infinity", "-Infinity". */
  data: (number | string)[];
}
interface Result {
  inputs: Arr[];
  out: Arr;
  w: Arr;
  grads: Arr[];
  v?: Arr[];
  hvp?: Arr[];
}
interface Case {
  name: string;
  op: string;
  args: Record<string, unknown>;
  diff: number[];
  float64: Result;
  float32: Result;
}

type Args = Record<string, unknown>;
const unary = (f: (x: Tensor) => Tensor) => (xs: Tensor[]) => f(xs[0]);
const binary = (f: (a: Tensor, b: Tensor) => Tensor) => (xs: Tensor[]) => f(xs[0], xs[1]);

const OPS: Record<string, (xs: Tensor[], a: Args) => Tensor> = {
  neg: unary(ad.neg),
  exp: unary(ad.exp),
  log: unary(ad.log),
  log1p: unary(ad.log1p),
  expm1: unary(ad.expm1),
  sqrt: unary(ad.sqrt),
  square: unary(ad.square),
  abs: unary(ad.abs),
  sin: unary(ad.sin),
  cos: unary(ad.cos),
  tanh: unary(ad.tanh),
  sigmoid: unary(ad.sigmoid),
  softplus: unary(ad.softplus),
  relu: unary(ad.relu),
  erf: unary(ad.erf),
  erfc: unary(ad.erfc),
  lgamma: unary(ad.lgamma),
  digamma: unary(ad.digamma),
  clip: (xs, a) => ad.clip(xs[0], a.lo as number, a.hi as number),
  add: binary(ad.add),
  sub: binary(ad.sub),
  mul: binary(ad.mul),
  div: binary(ad.div),
  pow: binary(ad.pow),
  maximum: binary(ad.maximum),
  minimum: binary(ad.minimum),
  where: (xs, a) => ad.where(ad.tensor(a.cond as number[][]), xs[0], xs[1]),
  sum: (xs, a) =>
    ad.sum(xs[0], (a.axis ?? undefined) as ad.Axis | undefined, a.keepdims as boolean),
  mean: (xs, a) =>
    ad.mean(xs[0], (a.axis ?? undefined) as ad.Axis | undefined, a.keepdims as boolean),
  max: (xs, a) =>
    ad.max(xs[0], (a.axis ?? undefined) as ad.Axis | undefined, a.keepdims as boolean),
  min: (xs, a) =>
    ad.min(xs[0], (a.axis ?? undefined) as ad.Axis | undefined, a.keepdims as boolean),
  logsumexp: (xs, a) =>
    ad.logsumexp(xs[0], (a.axis ?? undefined) as ad.Axis | undefined, a.keepdims as boolean),
  softmax: (xs, a) => ad.softmax(xs[0], a.axis as number),
  logSoftmax: (xs, a) => ad.logSoftmax(xs[0], a.axis as number),
  matmul: binary(ad.matmul),
  reshape: (xs, a) => ad.reshape(xs[0], a.shape as number[]),
  transpose: (xs, a) => ad.transpose(xs[0], a.perm as number[]),
  slice: (xs, a) => ad.slice(xs[0], a.begin as number[], a.size as number[]),
  concat: (xs, a) => ad.concat(xs, a.axis as number),
  stack: (xs, a) => ad.stack(xs, a.axis as number),
  gather: (xs, a) => ad.gather(xs[0], a.indices as number[], a.axis as number),
  pad: (xs, a) => ad.pad(xs[0], a.widths as [number, number][], a.value as number),
  mlp: ([x, w1, b1, w2]) => ad.matmul(ad.tanh(ad.add(ad.matmul(x, w1), b1)), w2),
  atan: unary(ad.atan),
  takeAlongAxis: (xs, a) => {
    const idx = ad.tensor(a.indices as number[][]);
    return ad.takeAlongAxis(xs[0], idx, a.axis as number);
  },
  maskSelect: (xs, a) => ad.maskSelect(xs[0], ad.tensor(a.mask as number[][])),
};

function toTensor(a: Arr, dtype: DType): Tensor {
  return ad.tensor(
    dtype === "float32" ? Float32Array.from(a.data, Number) : Float64Array.from(a.data, Number),
    {
      shape: a.shape,
    },
  );
}

function check(name: string, got: Tensor, want: Arr, dtype: DType): void {
  const rtol = dtype === "float64" ? 1e-10 : 1e-5;
  expect([...got.shape], `${name} shape`).toEqual(want.shape);
  expect(got.dtype, `${name} dtype`).toBe(dtype);
  let scale = 0;
  const data = want.data.map(Number);
  for (const v of data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  // float32 entries that cancel to a small fraction of the largest entry carry the
  // float32 rounding of that largest entry, in torch as here.
  const atol = dtype === "float64" ? 0 : 1e-6 * scale;
  for (let i = 0; i < data.length; i++) {
    const a = got.data[i];
    const b = data[i];
    if (!Number.isFinite(b)) {
      expect(Object.is(a, b), `${name}[${i}]: got ${a}, expected ${b}`).toBe(true);
      continue;
    }
    const err = Math.abs(a - b);
    if (!(err <= atol + rtol * Math.abs(b)))
      expect.fail(`${dtype} ${name}[${i}]: got ${a}, expected ${b} (rel ${err / Math.abs(b)})`);
  }
}

const cases = (fixture as { cases: Case[] }).cases;

describe.each(["float64", "float32"] as const)("PyTorch parity (%s)", (dtype) => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const ref = c[dtype];
    const op = OPS[c.op];
    const inputs = ref.inputs.map((a) => toTensor(a, dtype));
    const w = toTensor(ref.w, dtype);
    const loss = (ps: Tensor[]) => {
      const xs = inputs.slice();
      c.diff.forEach((k, j) => {
        xs[k] = ps[j];
      });
      return ad.sum(ad.mul(op(xs, c.args), w));
    };
    const params = c.diff.map((k) => inputs[k]);
    check(`${c.name} out`, op(inputs, c.args), ref.out, dtype);
    const g = ad.grad(loss)(params);
    ref.grads.forEach((want, j) => {
      check(`${c.name} grad[${j}]`, g[j], want, dtype);
    });
    // the same gradient as a vector-Jacobian product with the cotangent w
    const [value, vj] = ad.vjp(
      (ps: Tensor[]) => {
        const xs = inputs.slice();
        c.diff.forEach((k, j) => {
          xs[k] = ps[j];
        });
        return op(xs, c.args);
      },
      params,
      w,
    );
    check(`${c.name} vjp value`, value, ref.out, dtype);
    ref.grads.forEach((want, j) => {
      check(`${c.name} vjp[${j}]`, vj[j], want, dtype);
    });
    if (ref.hvp && ref.v) {
      const vs = ref.v.map((a) => toTensor(a, dtype));
      const hvp = ad.grad((ps: Tensor[]) => {
        const gs = ad.grad(loss)(ps);
        return gs.map((gi, j) => ad.sum(ad.mul(gi, vs[j]))).reduce((s, t) => ad.add(s, t));
      })(params);
      ref.hvp.forEach((want, j) => {
        check(`${c.name} hvp[${j}]`, hvp[j], want, dtype);
      });
    }
  });
});
