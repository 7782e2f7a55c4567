import {
  add,
  erf,
  expm1,
  greater,
  minimum,
  mul,
  relu,
  sigmoid,
  softplus,
  type Tensor,
  tanh,
  where,
} from "@geoml/autodiff";
import { MlpOptionError, show } from "./errors.js";

/** Names of the hidden-layer activations. */
export type ActivationName = "tanh" | "relu" | "gelu" | "elu" | "sigmoid" | "softplus" | "identity";

/** GELU in its exact form x·Φ(x), as PyTorch's default `gelu`. */
function gelu(x: Tensor): Tensor {
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/**
 * ELU with α = 1. The negative branch sees min(x, 0) so that expm1 never
 * overflows on the branch `where` discards (an inf there would turn its zero
 * cotangent into NaN).
 */
function elu(x: Tensor): Tensor {
  return where(greater(x, 0), x, expm1(minimum(x, 0)));
}

const table: Record<ActivationName, (x: Tensor) => Tensor> = {
  tanh,
  relu,
  gelu,
  elu,
  sigmoid,
  softplus,
  identity: (x) => x,
};

/** Every activation name, in a stable order. */
export const activationNames = Object.keys(table) as ActivationName[];

/** The activation function called `name`; throws {@link MlpOptionError} for unknown names. */
export function activation(name: ActivationName): (x: Tensor) => Tensor {
  if (!Object.hasOwn(table, name)) {
    throw new MlpOptionError(
      `activation: unknown activation ${show(name)}; expected one of ${activationNames.join(", ")}`,
    );
  }
  return table[name];
}
