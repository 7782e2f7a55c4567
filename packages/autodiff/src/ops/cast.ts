/** dtype conversion (the kernel lives beside the Tensor class, which needs it for `astype`). */
import type { DType } from "../dtype.js";
import { castTo, type Tensor } from "../tensor.js";

/** Converts `x` to `dtype` (returns `x` itself when it already has it). Gradient is cast back. */
export function cast(x: Tensor, dtype: DType): Tensor {
  return castTo(x, dtype);
}
