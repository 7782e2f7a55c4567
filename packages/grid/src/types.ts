/**
 * Element types and attribute values shared by every back-end. The names follow
 * NumPy/xarray so reference values from Python line up one to one.
 */

/** Element type of a stored variable. `char` is NetCDF's 8-bit text type. */
export type DType =
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64"
  | "float32"
  | "float64"
  | "char"
  | "string";

/** Any JavaScript typed array a back-end may return. */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** The flat, row-major (C order) contents of a variable: a typed array, or strings. */
export type ArrayData = TypedArray | string[];

/** One attribute value: text, a number, or a vector of numbers. */
export type AttrValue = string | number | bigint | number[] | bigint[] | string[];

/** Attributes of a variable or a file, in file order. */
export type Attrs = Record<string, AttrValue>;

/** Bytes per element of each fixed-size dtype (`string` has none). */
export const DTYPE_BYTES: Readonly<Record<Exclude<DType, "string">, number>> = {
  int8: 1,
  uint8: 1,
  char: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int64: 8,
  uint64: 8,
  float64: 8,
};

/** Allocate a zeroed typed array of `dtype` with `length` elements. */
export function allocate(dtype: Exclude<DType, "string">, length: number): TypedArray {
  switch (dtype) {
    case "int8":
      return new Int8Array(length);
    case "uint8":
    case "char":
      return new Uint8Array(length);
    case "int16":
      return new Int16Array(length);
    case "uint16":
      return new Uint16Array(length);
    case "int32":
      return new Int32Array(length);
    case "uint32":
      return new Uint32Array(length);
    case "int64":
      return new BigInt64Array(length);
    case "uint64":
      return new BigUint64Array(length);
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
  }
}

/** The dtype name of a typed array (`Uint8Array` maps to `uint8`). */
export function dtypeOf(data: ArrayData): DType {
  if (Array.isArray(data)) return "string";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Int8Array) return "int8";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof BigUint64Array) return "uint64";
  return "uint8";
}

/** Product of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/** Row-major strides (in elements) of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Read an attribute as a single number (first element of a vector), or undefined. */
export function attrNumber(attrs: Attrs, key: string): number | undefined {
  const v = attrs[key];
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v) && v.length > 0) {
    const first = v[0];
    if (typeof first === "number") return first;
    if (typeof first === "bigint") return Number(first);
  }
  return undefined;
}

/** Read an attribute as a vector of numbers, or undefined. */
export function attrNumbers(attrs: Attrs, key: string): number[] | undefined {
  const v = attrs[key];
  if (typeof v === "number") return [v];
  if (typeof v === "bigint") return [Number(v)];
  if (Array.isArray(v) && v.length > 0 && typeof v[0] !== "string") {
    return (v as Array<number | bigint>).map(Number);
  }
  return undefined;
}

/** Read an attribute as text, or undefined. */
export function attrString(attrs: Attrs, key: string): string | undefined {
  const v = attrs[key];
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === "string") return v.join(",");
  return undefined;
}

/**
 * The float type an operation on `T` returns under the dtype policy: float32 stays
 * float32, everything else becomes float64.
 */
export type FloatOf<T> = T extends Float32Array ? Float32Array : Float64Array;
