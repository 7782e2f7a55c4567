/**
 * Binary elementwise ops with NumPy broadcasting. A plain number operand takes the
 * dtype of the tensor operand; float32 with float64 promotes to float64. Each op's
 * backward rule sits beside its forward kernel and reduces the cotangent back to the
 * input shape with `sumToShape`.
 */
import { alloc, promote } from "../dtype.js";
import { type BinaryKernel, binaryKernel, whereKernel } from "../kernels/elementwise.js";
import { broadcastShapes, broadcastStrides, sameShape } from "../shape.js";
import { record, shouldRecord } from "../tape.js";
import { Tensor, type Vjp } from "../tensor.js";
import { cast } from "./cast.js";
import { scalar } from "./creation.js";
import { broadcastTo, sumToShape } from "./sum.js";

/** A tensor or a plain number (which takes the other operand's dtype). */
export type TensorLike = Tensor | number;

/** Converts two operands to tensors of a common dtype. */
export function operands(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (typeof a === "number") {
    if (typeof b === "number") return [scalar(a), scalar(b)];
    return [scalar(a, b.dtype), b];
  }
  if (typeof b === "number") return [a, scalar(b, a.dtype)];
  if (a.dtype !== b.dtype) {
    const d = promote(a.dtype, b.dtype);
    return [cast(a, d), cast(b, d)];
  }
  return [a, b];
}

/** Runs a compiled binary kernel on broadcast operands of one dtype. */
function forward(kernel: BinaryKernel, a: Tensor, b: Tensor, op: string): Tensor {
  const shape = sameShape(a.shape, b.shape)
    ? (a.shape as number[])
    : broadcastShapes(a.shape, b.shape, op);
  // elementwise kernels write every element of their output
  const out = alloc(a.dtype, sizeOf(shape), true);
  const sa = sameShape(a.shape, shape) ? null : broadcastStrides(a.shape, shape);
  const sb = sameShape(b.shape, shape) ? null : broadcastStrides(b.shape, shape);
  kernel(a.data, b.data, out, shape, sa, sb);
  return new Tensor(out, shape, a.dtype);
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Defines a broadcasting binary op from its kernel (see `binaryKernel`) and backward rule. */
export function defineBinary(
  name: string,
  kernel: BinaryKernel,
  vjp: ((a: Tensor, b: Tensor, out: Tensor) => Vjp) | null,
): (a: TensorLike, b: TensorLike) => Tensor {
  return (x: TensorLike, y: TensorLike): Tensor => {
    const [a, b] = operands(x, y);
    const out = forward(kernel, a, b, name);
    if (vjp !== null && shouldRecord(a, b)) record(out, [a, b], vjp(a, b, out));
    return out;
  };
}

/** a + b */
export const add = defineBinary(
  "add",
  binaryKernel((x, y) => x + y, {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] + y;
    },
    left: (x, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = x + b[i];
    },
    rows: (a, b, out, n, m) => {
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = a[i + j] + b[j];
    },
  }),
  (a, b) => (g, need) => [
    need[0] ? sumToShape(g, a.shape) : null,
    need[1] ? sumToShape(g, b.shape) : null,
  ],
);

/** a − b */
export const sub = defineBinary(
  "sub",
  binaryKernel((x, y) => x - y, {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] - y;
    },
    left: (x, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = x - b[i];
    },
    rows: (a, b, out, n, m) => {
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = a[i + j] - b[j];
    },
  }),
  (a, b) => (g, need) => [
    need[0] ? sumToShape(g, a.shape) : null,
    need[1] ? sumToShape(neg(g), b.shape) : null,
  ],
);

/** a · b (elementwise) */
export const mul = defineBinary(
  "mul",
  binaryKernel((x, y) => x * y, {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] * y;
    },
    left: (x, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = x * b[i];
    },
    rows: (a, b, out, n, m) => {
      for (let i = 0; i < n; i += m) for (let j = 0; j < m; j++) out[i + j] = a[i + j] * b[j];
    },
  }),
  (a, b) => (g, need) => [
    need[0] ? sumToShape(mul(g, b), a.shape) : null,
    need[1] ? sumToShape(mul(g, a), b.shape) : null,
  ],
);

/** a / b */
export const div = defineBinary(
  "div",
  binaryKernel((x, y) => x / y, {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] / y;
    },
    left: (x, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = x / b[i];
    },
  }),
  (a, b) => (g, need) => [
    need[0] ? sumToShape(div(g, b), a.shape) : null,
    need[1] ? sumToShape(neg(div(mul(g, a), mul(b, b))), b.shape) : null,
  ],
);

/** Elementwise maximum; NaN propagates. At ties the gradient is split evenly (as PyTorch). */
export const maximum = defineBinary(
  "maximum",
  binaryKernel((x, y) => (x > y || Number.isNaN(x) ? x : y > x || Number.isNaN(y) ? y : x)),
  (a, b) => (g, need) => {
    const half = where(equal(a, b), mul(g, 0.5), g);
    return [
      need[0] ? sumToShape(where(less(a, b), 0, half), a.shape) : null,
      need[1] ? sumToShape(where(greater(a, b), 0, half), b.shape) : null,
    ];
  },
);

/** Elementwise minimum; NaN propagates. At ties the gradient is split evenly (as PyTorch). */
export const minimum = defineBinary(
  "minimum",
  binaryKernel((x, y) => (x < y || Number.isNaN(x) ? x : y < x || Number.isNaN(y) ? y : x)),
  (a, b) => (g, need) => {
    const half = where(equal(a, b), mul(g, 0.5), g);
    return [
      need[0] ? sumToShape(where(greater(a, b), 0, half), a.shape) : null,
      need[1] ? sumToShape(where(less(a, b), 0, half), b.shape) : null,
    ];
  },
);

/** 1 where a == b else 0 (no gradient). */
export const equal = defineBinary(
  "equal",
  binaryKernel((x, y) => (x === y ? 1 : 0), {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] === b[i] ? 1 : 0;
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] === y ? 1 : 0;
    },
  }),
  null,
);
/** 1 where a != b else 0 (no gradient). */
export const notEqual = defineBinary(
  "notEqual",
  binaryKernel((x, y) => (x !== y ? 1 : 0), {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] !== b[i] ? 1 : 0;
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] !== y ? 1 : 0;
    },
  }),
  null,
);
/** 1 where a < b else 0 (no gradient). */
export const less = defineBinary(
  "less",
  binaryKernel((x, y) => (x < y ? 1 : 0), {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] < b[i] ? 1 : 0;
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] < y ? 1 : 0;
    },
  }),
  null,
);
/** 1 where a <= b else 0 (no gradient). */
export const lessEqual = defineBinary(
  "lessEqual",
  binaryKernel((x, y) => (x <= y ? 1 : 0), {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] <= b[i] ? 1 : 0;
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] <= y ? 1 : 0;
    },
  }),
  null,
);
/** 1 where a > b else 0 (no gradient). */
export const greater = defineBinary(
  "greater",
  binaryKernel((x, y) => (x > y ? 1 : 0), {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] > b[i] ? 1 : 0;
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] > y ? 1 : 0;
    },
  }),
  null,
);
/** 1 where a >= b else 0 (no gradient). */
export const greaterEqual = defineBinary(
  "greaterEqual",
  binaryKernel((x, y) => (x >= y ? 1 : 0), {
    same: (a, b, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] >= b[i] ? 1 : 0;
    },
    right: (a, y, out, n) => {
      for (let i = 0; i < n; i++) out[i] = a[i] >= y ? 1 : 0;
    },
  }),
  null,
);

/** −x */
export function neg(x: TensorLike): Tensor {
  return sub(0, x);
}

/**
 * Picks `a` where `cond` is non-zero and `b` elsewhere, broadcasting all three.
 * `cond` carries no gradient.
 */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = operands(a, b);
  const c = typeof cond === "number" ? scalar(cond, ta.dtype) : cond;
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape, "where"), tb.shape, "where");
  const cb = broadcastTo(c, shape);
  const ab = sameShape(ta.shape, shape) ? ta : broadcastTo(ta, shape);
  const bb = sameShape(tb.shape, shape) ? tb : broadcastTo(tb, shape);
  const out = alloc(ta.dtype, sizeOf(shape), true);
  whereKernel(cb.data, ab.data, bb.data, out);
  const t = new Tensor(out, shape, ta.dtype);
  if (shouldRecord(ta, tb)) {
    const mask = cb;
    record(t, [ta, tb], (g, need) => [
      need[0] ? sumToShape(where(mask, g, 0), ta.shape) : null,
      need[1] ? sumToShape(where(mask, 0, g), tb.shape) : null,
    ]);
  }
  return t;
}
