import {
  add,
  type DenseActivation,
  type DType,
  dense,
  div,
  less,
  matmul,
  mean,
  mul,
  ones,
  type Rng,
  sqrt,
  square,
  sub,
  type Tensor,
  zeros,
} from "@geoml/autodiff";
import { type ActivationName, activation } from "./activations.js";

/**
 * One dense layer: `weight` has shape [in, out] so that h = x·W + b; hidden layers
 * with layer normalisation also carry `gain` and `shift` of shape [out].
 */
export type MlpLayer = { [name: string]: Tensor };

/** The parameters of a network: its layers, input first. A tree for `grad`. */
export type MlpParams = MlpLayer[];

/** Weight initialisers: Glorot/Xavier uniform or He/Kaiming normal. */
export type Initializer = "glorot" | "he";

/** The architecture of a network, everything but its weights. */
export interface Architecture {
  /** Number of input columns. */
  inputs: number;
  /** Widths of the hidden layers. */
  hidden: number[];
  /** Width of the output layer (1, K for Categorical, 2 for the heteroscedastic head). */
  outputs: number;
  activation: ActivationName;
  /** Layer normalisation (per row, no batch statistics) before each hidden activation. */
  layerNorm: boolean;
  /** Probability of zeroing a hidden unit while training; 0 turns dropout off. */
  dropout: number;
}

/** Variance offset of layer normalisation, as PyTorch's `LayerNorm` default. */
export const LAYER_NORM_EPS = 1e-5;

/** Default initialiser for an activation: He for the rectifier family, Glorot otherwise. */
export function defaultInitializer(name: ActivationName): Initializer {
  return name === "relu" || name === "elu" || name === "gelu" ? "he" : "glorot";
}

/**
 * Fresh parameters drawn from `rng`: weights by `init`, biases and shifts zero, gains
 * one. The output layer always uses Glorot, which keeps the initial η small.
 */
export function initParams(
  arch: Architecture,
  init: Initializer,
  rng: Rng,
  dtype: DType,
): MlpParams {
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  const layers: MlpParams = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const fanIn = sizes[i];
    const fanOut = sizes[i + 1];
    const last = i + 2 === sizes.length;
    let weight: Tensor;
    if (init === "he" && !last) {
      weight = rng.normal([fanIn, fanOut], { mean: 0, std: Math.sqrt(2 / fanIn), dtype });
    } else {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      weight = rng.uniform([fanIn, fanOut], { low: -limit, high: limit, dtype });
    }
    const layer: MlpLayer = { weight, bias: zeros([fanOut], dtype) };
    if (arch.layerNorm && !last) {
      layer.gain = ones([fanOut], dtype);
      layer.shift = zeros([fanOut], dtype);
    }
    layers.push(layer);
  }
  return layers;
}

/** The parameter names and shapes of every layer of `arch`, without allocating them. */
export function parameterShapes(arch: Architecture): { [name: string]: number[] }[] {
  const sizes = [arch.inputs, ...arch.hidden, arch.outputs];
  const out: { [name: string]: number[] }[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const layer: { [name: string]: number[] } = {
      weight: [sizes[i], sizes[i + 1]],
      bias: [sizes[i + 1]],
    };
    if (arch.layerNorm && i + 2 < sizes.length) {
      layer.gain = [sizes[i + 1]];
      layer.shift = [sizes[i + 1]];
    }
    out.push(layer);
  }
  return out;
}

/** Layer normalisation over the last axis with a biased variance, as PyTorch. */
function layerNorm(h: Tensor, gain: Tensor, shift: Tensor): Tensor {
  const centred = sub(h, mean(h, -1, true));
  const variance = mean(square(centred), -1, true);
  return add(mul(div(centred, sqrt(add(variance, LAYER_NORM_EPS))), gain), shift);
}

/** Options of {@link forward}. */
export interface ForwardOptions {
  /** Source of dropout masks; dropout is applied only when given and `arch.dropout` > 0. */
  dropoutRng?: Rng;
}

/**
 * The network's output η of shape [rows, outputs] for standardised inputs `x`
 * of shape [rows, inputs]: nested affine maps with the activation between them,
 * no activation after the last layer (the family's inverse link plays that role).
 */
export function forward(
  arch: Architecture,
  params: MlpParams,
  x: Tensor,
  options: ForwardOptions = {},
): Tensor {
  const act = activation(arch.activation);
  let h = x;
  // tanh and relu layers run as one fused op (same values and gradients, less memory)
  const fused = arch.activation === "tanh" || arch.activation === "relu" ? arch.activation : null;
  for (let i = 0; i < params.length; i++) {
    const layer = params[i];
    const last = i + 1 === params.length;
    const oneDtype = h.dtype === layer.weight.dtype && h.dtype === layer.bias.dtype;
    if (oneDtype && h.ndim === 2 && (last || (fused !== null && layer.gain === undefined))) {
      h = dense(h, layer.weight, layer.bias, last ? "identity" : (fused as DenseActivation));
    } else {
      h = add(matmul(h, layer.weight), layer.bias);
      if (last) break;
      if (layer.gain !== undefined) h = layerNorm(h, layer.gain, layer.shift);
      h = act(h);
    }
    if (last) break;
    if (options.dropoutRng !== undefined && arch.dropout > 0) {
      // Inverted dropout: scale the kept units so that predictions need no rescaling.
      const u = options.dropoutRng.uniform(h.shape as number[], { dtype: h.dtype });
      const keep = less(u, 1 - arch.dropout);
      h = mul(h, mul(keep, 1 / (1 - arch.dropout)));
    }
  }
  return h;
}
