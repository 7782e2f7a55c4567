/**
 * A dense layer as one op: act(x·w + b). The bias and the activation are applied in
 * place on the product's fresh output, so a layer allocates one array instead of three
 * and the graph holds one node; the values and gradients are bit for bit those of
 * `act(add(matmul(x, w), b))`.
 */

import { alloc, type Storage } from "../dtype.js";
import { ArgumentError, fmtShape, ShapeError } from "../errors.js";
import {
  denseGradients,
  denseGradientsRun,
  denseProduct,
  matmulKernel,
} from "../kernels/matmul.js";
import { wasmBiasActivation, wasmUnary } from "../kernels/wasm-elementwise.js";
import { record, shouldRecord, shouldRecordAll } from "../tape.js";
import { Tensor } from "../tensor.js";
import { greater, mul, sub } from "./binary.js";
import { matmulNd } from "./linalg.js";
import { sumToShape } from "./sum.js";
import { fused } from "./unary.js";

const ZERO = new Int32Array(1);

/** out ← act(out + bias) in place: one wasm pass when rows are whole vectors, else JS loops. */
function epilogue(activation: DenseActivation, out: Storage, bias: Storage): void {
  if (wasmBiasActivation(activation, out, bias, out)) return;
  const n = bias.length;
  for (let i = 0; i < out.length; i += n) for (let j = 0; j < n; j++) out[i + j] += bias[j];
  if (activation === "tanh") {
    if (!wasmUnary("tanh", out, out))
      for (let i = 0; i < out.length; i++) out[i] = Math.tanh(out[i]);
  } else if (activation === "relu") {
    for (let i = 0; i < out.length; i++) {
      const v = out[i];
      out[i] = v > 0 ? v : Number.isNaN(v) ? v : 0;
    }
  }
}

/** Activations {@link dense} can fuse: their derivative is a function of the output. */
export type DenseActivation = "identity" | "tanh" | "relu";
const ACTIVATIONS: readonly string[] = ["identity", "tanh", "relu"];

/**
 * act(x·w + b) for x of shape [m, k], w of shape [k, n] and b of shape [n] (one dtype),
 * the activation being `"identity"` (default), `"tanh"` or `"relu"`. Equal, values and
 * gradients, to `tanh(add(matmul(x, w), b))` and friends, with less memory and time.
 *
 * @throws ShapeError when the shapes do not fit; ArgumentError for another activation
 * or mixed dtypes.
 */
export function dense(
  x: Tensor,
  w: Tensor,
  b: Tensor,
  activation: DenseActivation = "identity",
): Tensor {
  if (!ACTIVATIONS.includes(activation))
    throw new ArgumentError(
      "dense",
      `activation must be one of ${ACTIVATIONS.join(", ")}, got ${String(activation)}`,
    );
  if (!(x instanceof Tensor) || !(w instanceof Tensor) || !(b instanceof Tensor))
    throw new ArgumentError("dense", "x, w and b must be tensors");
  if (x.ndim !== 2 || w.ndim !== 2 || b.ndim !== 1 || x.shape[1] !== w.shape[0])
    throw new ShapeError(
      "dense",
      `expected x [m, k], w [k, n] and b [n], got ${fmtShape(x.shape)}, ${fmtShape(w.shape)} and ${fmtShape(b.shape)}`,
    );
  if (b.shape[0] !== w.shape[1])
    throw new ShapeError(
      "dense",
      `b has ${b.shape[0]} entries for a w of ${w.shape[1]} columns (${fmtShape(w.shape)})`,
    );
  if (x.dtype !== w.dtype || w.dtype !== b.dtype)
    throw new ArgumentError(
      "dense",
      `x, w and b must share a dtype, got ${x.dtype}, ${w.dtype} and ${b.dtype}`,
    );
  const [m, k] = x.shape;
  const bias = b.data;
  const n = bias.length;
  const out = alloc(x.dtype, m * n, true);
  // the product with its bias and activation in the SIMD kernel's memory when it runs
  // there; else the product (untraced: the layer records one node of its own below)
  // and the epilogue on it in place
  if (!denseProduct(x.data, w.data, out, m, k, n, { act: activation, bias })) {
    matmulKernel(x.data, w.data, out, 1, m, k, n, ZERO, ZERO);
    epilogue(activation, out, bias);
  }
  const y = new Tensor(out, [m, n], x.dtype);
  if (shouldRecord(x, w, b))
    record(y, [x, w, b], (g, need) => {
      // first-order gradients of tanh and identity layers: one pass in the SIMD kernel's
      // memory (a gradient being differentiated again takes the ops below instead)
      if (
        activation !== "relu" &&
        !shouldRecordAll([g, x, w, y]) &&
        g.dtype === x.dtype &&
        denseGradientsRun(m, k, n)
      ) {
        const out = {
          x: need[0] ? alloc(x.dtype, m * k, true) : null,
          w: need[1] ? alloc(x.dtype, k * n, true) : null,
          b: need[2] ? alloc(x.dtype, n, true) : null,
        };
        const yd = activation === "tanh" ? y.data : null;
        if (denseGradients(g.data, yd, x.data, w.data, m, k, n, out))
          return [
            out.x && new Tensor(out.x, [m, k], x.dtype),
            out.w && new Tensor(out.w, [k, n], x.dtype),
            out.b && new Tensor(out.b, [n], x.dtype),
          ];
      }
      // cotangent of the pre-activation, as the activation ops' own backward rules
      const gz =
        activation === "tanh"
          ? (fused("tanhGrad", g, y) ?? mul(g, sub(1, mul(y, y))))
          : activation === "relu"
            ? mul(g, greater(y, 0))
            : g;
      return [
        need[0] ? matmulNd(gz, w, false, true) : null,
        need[1] ? matmulNd(x, gz, true, false) : null,
        need[2] ? sumToShape(gz, b.shape) : null,
      ];
    });
  return y;
}
