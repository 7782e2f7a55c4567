/** dtype conversion. */
import { alloc, type DType } from "../dtype.js";
import { record, shouldRecord } from "../tape.js";
import { Tensor } from "../tensor.js";

/** Converts `x` to `dtype` (returns `x` itself when it already has it). Gradient is cast back. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const data = alloc(dtype, x.size);
  data.set(x.data);
  const out = new Tensor(data, x.shape, dtype);
  if (shouldRecord(x)) record(out, [x], (g) => [cast(g, x.dtype)]);
  return out;
}
