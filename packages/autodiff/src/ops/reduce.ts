/**
 * Reductions over any axes with `keepdims`, plus softmax/logSoftmax built from them.
 * Without `axis` every axis is reduced and the result has shape [].
 */
import { alloc } from "../dtype.js";
import { normAxes, normAxis } from "../shape.js";
import { record, shouldRecord } from "../tape.js";
import { Tensor } from "../tensor.js";
import { div, equal, mul, sub } from "./binary.js";
import { stopGradient } from "./identity.js";
import { reshape } from "./shape.js";
import { type Axis, keep, reducedShape, reduceRaw, sum } from "./sum.js";
import { exp, log } from "./unary.js";

/** Mean over `axis` (all axes when omitted); NaN for an empty reduction. */
export function mean(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  const axes = normAxes(axis, x.ndim, "mean");
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  return div(sum(x, axes, keepdims), n);
}

function extremum(
  kind: "max" | "min",
  x: Tensor,
  axis: Axis | undefined,
  keepdims: boolean,
): Tensor {
  const axes = normAxes(axis, x.ndim, kind);
  const y = reduceRaw(kind, x, axes, keepdims, kind);
  if (shouldRecord(x))
    record(y, [x], (g) => {
      // Ties share the gradient evenly, as PyTorch's amax/amin.
      const hit = equal(x, keep(stopGradient(y), x, axes));
      const count = sum(hit, axes, true);
      return [mul(div(hit, count), keep(g, x, axes))];
    });
  return y;
}

/** Maximum over `axis`; NaN propagates like NumPy; throws on an empty axis. */
export function max(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  return extremum("max", x, axis, keepdims);
}

/** Minimum over `axis`; NaN propagates like NumPy; throws on an empty axis. */
export function min(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  return extremum("min", x, axis, keepdims);
}

/** log Σ exp(x) over `axis`, shifted by the maximum so it never overflows. */
export function logsumexp(x: Tensor, axis?: Axis, keepdims = false): Tensor {
  const axes = normAxes(axis, x.ndim, "logsumexp");
  if (axes.some((a) => x.shape[a] === 0)) {
    // log of an empty sum: −Inf, as log Σ over nothing = log 0.
    const out = reduceRaw("sum", x, axes, keepdims, "logsumexp");
    out.data.fill(Number.NEGATIVE_INFINITY);
    return out;
  }
  const m0 = reduceRaw("max", x, axes, true, "logsumexp");
  // An infinite max would give Inf − Inf = NaN; shift by 0 there instead.
  const md = m0.data;
  for (let i = 0; i < md.length; i++) if (!Number.isFinite(md[i])) md[i] = 0;
  const s = reduceRaw("sum", exp(sub(stopGradient(x), m0)), axes, true, "logsumexp");
  const lse = new Tensor(alloc(x.dtype, s.size), s.shape, x.dtype);
  for (let i = 0; i < s.size; i++) lse.data[i] = Math.log(s.data[i]) + md[i];
  const y = keepdims ? lse : reshape(lse, reducedShape(x.shape, axes, false));
  if (shouldRecord(x))
    record(y, [x], (g) => [mul(exp(sub(x, keep(y, x, axes))), keep(g, x, axes))]);
  return y;
}

/**
 * x − max(x) along `axis`, with the (constant) max replaced by 0 where it is infinite.
 * softmax and logSoftmax are invariant to this shift, so their gradients are exact.
 */
function shiftByMax(x: Tensor, axis: number): Tensor {
  if (x.size === 0) return x;
  const m = reduceRaw("max", x, [axis], true, "softmax");
  const md = m.data;
  for (let i = 0; i < md.length; i++) if (!Number.isFinite(md[i])) md[i] = 0;
  return sub(x, m);
}

/** log softmax along `axis`: (x − m) − log Σ exp(x − m) with m = max(x). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.ndim, "logSoftmax");
  const z = shiftByMax(x, a);
  return sub(z, log(sum(exp(z), a, true)));
}

/** softmax along `axis`: exp(x − m) / Σ exp(x − m) with m = max(x). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.ndim, "softmax");
  const e = exp(shiftByMax(x, a));
  return div(e, sum(e, a, true));
}
