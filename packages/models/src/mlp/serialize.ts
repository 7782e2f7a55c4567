import { type DType, type Tensor, tensor } from "@geoml/autodiff";
import { decodeFloats, encodeFloats } from "./base64.js";
import { MlpFormatError } from "./errors.js";
import type { Architecture, Initializer, MlpParams } from "./network.js";

/** How weights are written: base64 of little-endian bytes (compact) or plain number arrays. */
export type WeightEncoding = "base64" | "arrays";

/** One saved tensor. */
export interface TensorJSON {
  shape: number[];
  /** base64 of little-endian floats of the model dtype, or the numbers themselves. */
  data: string | number[];
}

/** The family on top of a saved network: enough to rebuild it with @geoml/losses. */
export interface FamilyJSON {
  name: string;
  link: string;
  /** Negative Binomial θ, Tweedie power, power-link exponent, Categorical K. */
  theta?: number;
  power?: number;
  linkPower?: number;
  k?: number;
  /** True for a family not made by a built-in factory: loading needs it again (or its registration). */
  custom?: boolean;
}

/** A saved MLP (`format: "geoml.mlp"`). */
export interface MlpJSON {
  format: "geoml.mlp";
  version: 1;
  architecture: Architecture;
  init: Initializer;
  standardize: boolean;
  seed: number;
  dtype: DType;
  /** null for the heteroscedastic Gaussian head. */
  family: FamilyJSON | null;
  standardizer: { mean: number[]; scale: number[] };
  params: { [name: string]: TensorJSON }[];
}

/** Writes every parameter tensor with `encoding`. */
export function paramsToJSON(params: MlpParams, encoding: WeightEncoding): MlpJSON["params"] {
  return params.map((layer) => {
    const out: { [name: string]: TensorJSON } = {};
    for (const [name, t] of Object.entries(layer)) {
      out[name] = {
        shape: [...t.shape],
        data: encoding === "base64" ? encodeFloats(t.data) : Array.from(t.data),
      };
    }
    return out;
  });
}

function tensorFromJSON(t: TensorJSON, dtype: DType, where: string): Tensor {
  if (!Array.isArray(t?.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new MlpFormatError(`${where}: shape must be an array of non-negative integers`);
  }
  const size = t.shape.reduce((a, b) => a * b, 1);
  let data: Float32Array | Float64Array | null;
  if (typeof t.data === "string") {
    data = decodeFloats(t.data, size, dtype === "float32" ? 4 : 8);
  } else if (
    Array.isArray(t.data) &&
    t.data.length === size &&
    t.data.every((v) => typeof v === "number")
  ) {
    data = dtype === "float32" ? Float32Array.from(t.data) : Float64Array.from(t.data);
  } else {
    data = null;
  }
  if (data === null) {
    throw new MlpFormatError(
      `${where}: data does not hold ${size} ${dtype} values for shape [${t.shape.join(", ")}]`,
    );
  }
  return tensor(data, { shape: t.shape, dtype });
}

/** Reads the parameter tensors back; throws {@link MlpFormatError} naming the field at fault. */
export function paramsFromJSON(params: MlpJSON["params"], dtype: DType): MlpParams {
  if (!Array.isArray(params)) throw new MlpFormatError("params: expected an array of layers");
  return params.map((layer, i) => {
    const out: MlpParams[number] = {};
    for (const [name, t] of Object.entries(layer ?? {})) {
      out[name] = tensorFromJSON(t, dtype, `params[${i}].${name}`);
    }
    return out;
  });
}
