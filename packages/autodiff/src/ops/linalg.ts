/** Matrix product with NumPy `matmul` semantics (2-D, batched, 1-D vectors). */
import { alloc } from "../dtype.js";
import { ArgumentError, fmtShape, ShapeError } from "../errors.js";
import { matmulKernel } from "../kernels/matmul.js";
import { broadcastShapes, shapeSize, stridesOf } from "../shape.js";
import { record, shouldRecord } from "../tape.js";
import { Tensor } from "../tensor.js";
import { operands } from "./binary.js";
import { reshape, transpose } from "./shape.js";
import { sumToShape } from "./sum.js";

const ZERO_OFFSET = new Int32Array(1);

/** Swaps the last two axes. */
export function mT(x: Tensor): Tensor {
  const nd = x.ndim;
  const perm = Array.from({ length: nd }, (_, i) => i);
  perm[nd - 2] = nd - 1;
  perm[nd - 1] = nd - 2;
  return transpose(x, perm);
}

/**
 * Batched product op(a) · op(b) of tensors with ndim ≥ 2 and broadcastable batch axes,
 * where op transposes the last two axes when `ta`/`tb` is set. The flags let the VJPs
 * multiply by transposes without materialising them. `trace` false records no node
 * (for ops that record their own, as `dense`).
 */
export function matmulNd(a: Tensor, b: Tensor, ta = false, tb = false, trace = true): Tensor {
  const m = a.shape[a.ndim - (ta ? 1 : 2)];
  const k = a.shape[a.ndim - (ta ? 2 : 1)];
  const k2 = b.shape[b.ndim - (tb ? 1 : 2)];
  const n = b.shape[b.ndim - (tb ? 2 : 1)];
  if (k !== k2)
    throw new ShapeError(
      "matmul",
      `inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${k} vs ${k2})`,
    );
  const ab = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(ab, bb, "matmul");
  const batch = shapeSize(batchShape);
  // Offsets of each batch matrix of a and b (0 stride on broadcast batch axes).
  // one matrix pair (the common case): the shared zero offsets, read only
  const aOff = batch === 1 ? ZERO_OFFSET : new Int32Array(batch);
  const bOff = batch === 1 ? ZERO_OFFSET : new Int32Array(batch);
  const as = stridesOf(ab);
  const bs = stridesOf(bb);
  const idx = new Array<number>(batchShape.length).fill(0);
  for (let t = 0; t < batch; t++) {
    let oa = 0;
    let ob = 0;
    for (let d = 0; d < batchShape.length; d++) {
      const da = d - (batchShape.length - ab.length);
      const db = d - (batchShape.length - bb.length);
      if (da >= 0 && ab[da] !== 1) oa += idx[d] * as[da];
      if (db >= 0 && bb[db] !== 1) ob += idx[d] * bs[db];
    }
    if (batch > 1) {
      aOff[t] = oa * m * k;
      bOff[t] = ob * k * n;
    }
    for (let d = batchShape.length - 1; d >= 0; d--) {
      if (++idx[d] < batchShape[d]) break;
      idx[d] = 0;
    }
  }
  // the kernel writes every element of C
  const out = alloc(a.dtype, batch * m * n, true);
  matmulKernel(a.data, b.data, out, batch, m, k, n, aOff, bOff, ta, tb);
  const y = new Tensor(out, [...batchShape, m, n], a.dtype);
  if (trace && shouldRecord(a, b))
    // C = op(A)·op(B): d op(A) = G·op(B)ᵀ and d op(B) = op(A)ᵀ·G, transposed back when
    // the operand was stored transposed.
    record(y, [a, b], (g, need) => [
      need[0]
        ? sumToShape(ta ? matmulNd(b, g, tb, true) : matmulNd(g, b, false, !tb), a.shape)
        : null,
      need[1]
        ? sumToShape(tb ? matmulNd(g, a, true, ta) : matmulNd(a, g, !ta, false), b.shape)
        : null,
    ]);
  return y;
}

/**
 * Matrix product like NumPy `matmul`: 2-D × 2-D, batched over leading axes with
 * broadcasting, and 1-D operands treated as a row (left) or column (right) vector
 * whose axis is removed from the result.
 */
export function matmul(x: Tensor, y: Tensor): Tensor {
  const [a, b] = operands(x, y);
  if (a.ndim === 0 || b.ndim === 0)
    throw new ArgumentError(
      "matmul",
      `operands must have at least 1 axis, got ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
    );
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  if (a2.shape[a2.ndim - 1] !== b2.shape[b2.ndim - 2])
    throw new ShapeError(
      "matmul",
      `inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`,
    );
  let out = matmulNd(a2, b2);
  if (a.ndim === 1 || b.ndim === 1) {
    const s = [...out.shape];
    if (b.ndim === 1) s.splice(s.length - 1, 1);
    if (a.ndim === 1) s.splice(s.length - (b.ndim === 1 ? 1 : 2), 1);
    out = reshape(out, s);
  }
  return out;
}
