/**
 * Sum and broadcasting, each the other's backward: the cotangent of `sum` is
 * broadcast back to the input, that of `broadcastTo` is summed back down. One file,
 * so the two rules sit side by side without an import cycle.
 */
import { alloc } from "../dtype.js";
import { ArgumentError, fmtShape, ShapeError } from "../errors.js";
import { broadcastCopy } from "../kernels/elementwise.js";
import { type ReduceKind, reduceKernel } from "../kernels/reduce.js";
import { broadcastShapes, broadcastStrides, normAxes, sameShape, shapeSize } from "../shape.js";
import { record, shouldRecord } from "../tape.js";
import { Tensor } from "../tensor.js";
import { reshape } from "./shape.js";

/** Axis argument of a reduction: one axis, several, or all when omitted. */
export type Axis = number | readonly number[];

export function reducedShape(
  shape: readonly number[],
  axes: readonly number[],
  keepdims: boolean,
): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.includes(d)) {
      if (keepdims) out.push(1);
    } else out.push(shape[d]);
  }
  return out;
}

export function reduceRaw(
  kind: ReduceKind,
  x: Tensor,
  axes: number[],
  keepdims: boolean,
  op: string,
): Tensor {
  const shape = reducedShape(x.shape, axes, keepdims);
  if (kind !== "sum")
    for (const a of axes)
      if (x.shape[a] === 0)
        throw new ArgumentError(
          op,
          `cannot reduce an empty axis ${a} of shape ${fmtShape(x.shape)}`,
        );
  const out = alloc(
    x.dtype,
    shape.reduce((p, d) => p * d, 1),
  );
  reduceKernel(kind, x.data, x.shape, axes, out);
  return new Tensor(out, shape, x.dtype);
}

/** Reshapes a reduced cotangent so it broadcasts against the input again. */
export function keep(g: Tensor, x: Tensor, axes: number[]): Tensor {
  return reshape(g, reducedShape(x.shape, axes, true));
}

/** Sum over `axis` (all axes when omitted). */
export function sum(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  const axes = normAxes(axis, x.ndim, "sum");
  const y = reduceRaw("sum", x, axes, keepdims, "sum");
  if (shouldRecord(x)) record(y, [x], (g) => [broadcastTo(keep(g, x, axes), x.shape)]);
  return y;
}

/** Broadcasts `x` to `shape` (materialised copy). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const s = broadcastShapes(x.shape, shape, "broadcastTo");
  if (!sameShape(s, shape))
    throw new ShapeError(
      "broadcastTo",
      `cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`,
    );
  const out = alloc(x.dtype, shapeSize(s), true);
  broadcastCopy(x.data, x.data, out, s, broadcastStrides(x.shape, s), broadcastStrides(x.shape, s));
  const y = new Tensor(out, s, x.dtype);
  if (shouldRecord(x)) record(y, [x], (g) => [sumToShape(g, x.shape)]);
  return y;
}

/** Sums a broadcast result back down to `shape` (the backward of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let d = 0; d < g.ndim; d++)
    if (d < lead || (shape[d - lead] === 1 && g.shape[d] !== 1)) axes.push(d);
  return reshape(sum(g, axes, false), shape);
}
