/** The fixed problems of the fixtures, written with @geoml/autodiff ops. */
import {
  add,
  matmul,
  mean,
  mul,
  type NestedArray,
  slice,
  softplus,
  square,
  sub,
  sum,
  type Tensor,
  tanh,
  tensor,
} from "@geoml/autodiff";
import type { NetWeights } from "./fixtures.js";

/** Parameters of the fixed tanh network. */
export interface Net {
  [key: string]: { [key: string]: Tensor };
  hidden: { weight: Tensor; bias: Tensor };
  output: { weight: Tensor; bias: Tensor };
}

/** Builds the network parameters from stored weights. */
export function netFrom(w: NetWeights): Net {
  return {
    hidden: { weight: tensor(w.hidden.weight), bias: tensor(w.hidden.bias) },
    output: { weight: tensor(w.output.weight), bias: tensor(w.output.bias) },
  };
}

/** mean((tanh(x W1 + b1) W2 + b2 − y)²), as in `tools/oracles/optim_torch.py`. */
export function netLoss(p: Net, x: Tensor, y: Tensor): Tensor {
  const h = tanh(add(matmul(x, p.hidden.weight), p.hidden.bias));
  const out = add(matmul(h, p.output.weight), p.output.bias);
  return mean(square(sub(out, y)));
}

/** Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)². */
export function rosenbrock(x: Tensor): Tensor {
  const n = x.shape[0];
  const head = slice(x, [0], [n - 1]);
  const tail = slice(x, [1], [n - 1]);
  return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))));
}

/** Mean negative log-likelihood of a logistic regression, mean(log(1 + e^η) − yη). */
export function logisticLoss(beta: Tensor, x: Tensor, y: Tensor): Tensor {
  const eta = matmul(x, beta);
  return mean(sub(softplus(eta), mul(y, eta)));
}

/** Wraps nested data as a float64 tensor. */
export function data(v: NestedArray): Tensor {
  return tensor(v);
}
