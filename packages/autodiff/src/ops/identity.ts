/** Identity-like ops: stopGradient. */
import { Tensor } from "../tensor.js";

/** Returns `x` with no gradient flowing back through it (shares its data). */
export function stopGradient(x: Tensor): Tensor {
  if (!x.traced) return x;
  return new Tensor(x.data, x.shape, x.dtype);
}
