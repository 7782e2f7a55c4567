/** a ** b, whose backward needs log (a unary op built on the binary ones). */
import { binaryKernel } from "../kernels/elementwise.js";
import { defineBinary, equal, greaterEqual, mul, sub, where } from "./binary.js";
import { sumToShape } from "./sum.js";
import { log } from "./unary.js";

/**
 * a ** b. Gradients follow PyTorch: ∂/∂a is 0 where b = 0, ∂/∂b is 0 where a = 0 and
 * b ≥ 0 (instead of 0·log 0 = NaN).
 */
export const pow = defineBinary("pow", binaryKernel(Math.pow), (a, b, out) => (g, need) => [
  need[0] ? sumToShape(where(equal(b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))), a.shape) : null,
  need[1]
    ? sumToShape(where(mul(equal(a, 0), greaterEqual(b, 0)), 0, mul(g, mul(out, log(a)))), b.shape)
    : null,
]);
