/**
 * Unary elementwise ops. Each is a scalar function run by its own loop, with
 * its derivative written beside it in terms of ops (so it can be differentiated again).
 * NaN propagates through every op; see the README for ±Inf behaviour.
 */
import { alloc } from "../dtype.js";
import { ArgumentError } from "../errors.js";
import { type UnaryKernel, unaryKernel } from "../kernels/elementwise.js";
import { type BinaryName, wasmBinary, wasmUnary } from "../kernels/wasm-elementwise.js";
import * as sp from "../special.js";
import { record, shouldRecord } from "../tape.js";
import { Tensor } from "../tensor.js";
import {
  add,
  div,
  greater,
  greaterEqual,
  lessEqual,
  mul,
  neg,
  sub,
  type TensorLike,
  where,
} from "./binary.js";
import { scalar } from "./creation.js";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

function run(kernel: UnaryKernel, x: Tensor): Tensor {
  const out = alloc(x.dtype, x.size, true);
  kernel(x.data, out);
  return new Tensor(out, x.shape, x.dtype);
}

function asTensor(x: TensorLike): Tensor {
  return typeof x === "number" ? scalar(x) : x;
}

/**
 * A backward rule as one fused wasm kernel f(g, v), when it need not be differentiated
 * again (no recording) and g, v match in shape and dtype; null otherwise (the caller
 * then composes ops, which a higher-order gradient can trace).
 */
export function fused(name: BinaryName, g: Tensor, v: Tensor): Tensor | null {
  if (shouldRecord(g, v) || g.dtype !== v.dtype || g.size !== v.size) return null;
  if (g.shape.length !== v.shape.length || g.shape.some((d, i) => d !== v.shape[i])) return null;
  const out = alloc(v.dtype, v.size, true);
  return wasmBinary(name, g.data, v.data, out) ? new Tensor(out, v.shape, v.dtype) : null;
}

/** Defines a unary op from its loop and derivative rule (cotangent g, input x, output y). */
function defineUnary(
  kernel: UnaryKernel,
  dx: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null,
): (x: TensorLike) => Tensor {
  return (input: TensorLike): Tensor => {
    const x = asTensor(input);
    const y = run(kernel, x);
    if (dx !== null && shouldRecord(x)) record(y, [x], (g) => [dx(g, x, y)]);
    return y;
  };
}

/** eˣ */
export const exp = defineUnary(
  (a, out) => {
    if (wasmUnary("exp", a, out)) return;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.exp(x);
    }
  },
  (g, _x, y) => mul(g, y),
);
/** Natural logarithm (−Inf at 0, NaN below). */
export const log = defineUnary(
  (a, out) => {
    if (wasmUnary("log", a, out)) return;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.log(x);
    }
  },
  (g, x) => div(g, x),
);
/** log(1 + x), accurate for small x. */
export const log1p = defineUnary(
  (a, out) => {
    if (wasmUnary("log1p", a, out)) return;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.log1p(x);
    }
  },
  (g, x) => div(g, add(x, 1)),
);
/** eˣ − 1, accurate for small x. */
export const expm1 = defineUnary(
  (a, out) => {
    if (wasmUnary("expm1", a, out)) return;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.expm1(x);
    }
  },
  (g, _x, y) => mul(g, add(y, 1)),
);
/** √x */
export const sqrt = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.sqrt(x);
    }
  },
  (g, _x, y) => div(g, mul(y, 2)),
);
/** x² */
export const square = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = x * x;
    }
  },
  (g, x) => mul(g, mul(x, 2)),
);
/** |x| (gradient 0 at 0, as PyTorch). */
export const abs = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.abs(x);
    }
  },
  (g, x) => mul(g, sign(x)),
);
/** −1, 0 or 1 (NaN stays NaN); zero gradient. */
export const sign = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = x > 0 ? 1 : x < 0 ? -1 : x;
    }
  },
  (g) => mul(g, 0),
);
/** sin x */
export const sin = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.sin(x);
    }
  },
  (g, x) => mul(g, cos(x)),
);
/** cos x */
export const cos = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.cos(x);
    }
  },
  (g, x) => neg(mul(g, sin(x))),
);
/** arctan x, with exact derivatives of every order: d/dx = 1/(1 + x²). */
export const atan = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.atan(x);
    }
  },
  (g, x) => div(g, add(mul(x, x), 1)),
);
/** tanh x */
export const tanh = defineUnary(
  (a, out) => {
    if (wasmUnary("tanh", a, out)) return;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.tanh(x);
    }
  },
  (g, _x, y) => fused("tanhGrad", g, y) ?? mul(g, sub(1, mul(y, y))),
);
/**
 * Logistic sigmoid 1/(1 + e⁻ˣ), stable on both tails. The derivative is written
 * σ(x)·σ(−x) rather than σ(1 − σ), which cancels in float32 for large x.
 */
export const sigmoid = defineUnary(
  (a, out) => {
    if (wasmUnary("sigmoid", a, out)) return;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
  },
  (g, x, y) => fused("sigmoidGrad", g, x) ?? mul(g, mul(y, sigmoid(neg(x)))),
);
/** log(1 + eˣ) computed as max(x, 0) + log1p(e^(−|x|)), stable for any x. */
export const softplus = defineUnary(
  (a, out) => {
    if (wasmUnary("softplus", a, out)) return;
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }
  },
  (g, x) => fused("softplusGrad", g, x) ?? mul(g, sigmoid(x)),
);
/** max(x, 0) (gradient 0 at 0, as PyTorch). */
export const relu = defineUnary(
  (a, out) => {
    for (let i = 0; i < out.length; i++) {
      const x = a[i];
      out[i] = x > 0 ? x : Number.isNaN(x) ? x : 0;
    }
  },
  (g, x) => mul(g, greater(x, 0)),
);
/** Error function. */
export const erf = defineUnary(unaryKernel(sp.erf), (g, x) =>
  mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)),
);
/** Complementary error function 1 − erf(x), accurate in the upper tail. */
export const erfc = defineUnary(unaryKernel(sp.erfc), (g, x) =>
  mul(g, mul(exp(neg(mul(x, x))), -TWO_OVER_SQRT_PI)),
);
/** log|Γ(x)|. */
export const lgamma = defineUnary(unaryKernel(sp.lgamma), (g, x) => mul(g, digamma(x)));
/** Digamma ψ(x) = d/dx log Γ(x). */
export const digamma = defineUnary(unaryKernel(sp.digamma), (g, x) => mul(g, polygamma(1, x)));

const polygammaKernels: UnaryKernel[] = [];

/** Polygamma ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n = 0 is digamma itself). */
export function polygamma(n: number, x: TensorLike): Tensor {
  // n! overflows float64 past n = 170; beyond ~100 the values are of no practical use.
  if (!Number.isInteger(n) || n < 0 || n > 100)
    throw new ArgumentError("polygamma", `order n must be an integer in [0, 100], got ${n}`);
  if (n === 0) return digamma(x);
  const t = asTensor(x);
  polygammaKernels[n] ??= unaryKernel((v) => sp.polygamma(n, v));
  const y = run(polygammaKernels[n], t);
  if (shouldRecord(t)) record(y, [t], (g) => [mul(g, polygamma(n + 1, t))]);
  return y;
}

/** Limits x to [lo, hi]; the gradient passes where lo ≤ x ≤ hi (as PyTorch `clamp`). */
export function clip(x: TensorLike, lo: number, hi: number): Tensor {
  const t = asTensor(x);
  const out = alloc(t.dtype, t.size, true);
  const d = t.data;
  // min(max(x, lo), hi): NaN stays NaN, and lo > hi gives hi everywhere (as NumPy/PyTorch).
  for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(d[i], lo), hi);
  const y = new Tensor(out, t.shape, t.dtype);
  if (shouldRecord(t))
    record(y, [t], (g) => [where(mul(greaterEqual(t, lo), lessEqual(t, hi)), g, 0)]);
  return y;
}
