import { GridError } from "./errors.js";
import {
  type ArrayData,
  type Attrs,
  attrNumber,
  attrNumbers,
  attrString,
  dtypeOf,
} from "./types.js";

/** How {@link decode} turns stored values into physical ones. */
export interface DecodeOptions {
  /** Apply `_FillValue`, `missing_value` and the valid range as NaN. Default true. */
  mask?: boolean;
  /** Apply `scale_factor` and `add_offset`. Default true. */
  scale?: boolean;
  /**
   * Mask values outside `valid_min`/`valid_max`/`valid_range` (CF §2.5.1, as netCDF4-python
   * does). Default true; xarray's `decode_cf` leaves them, so pass false to match it.
   */
  validRange?: boolean;
  /**
   * Output element type. `"auto"` keeps the stored type when no step applies, keeps float32
   * data float32 (half the memory) and decodes everything else to float64. Default `"auto"`.
   */
  output?: "auto" | "float32" | "float64";
  /** Allow overwriting `raw` when it already has the output type (saves a copy). Default false. */
  inPlace?: boolean;
}

/** Result of {@link decode}: physical values, cleaned attributes, and how they were stored. */
export interface Decoded {
  /** Decoded values; NaN where masked. Text and non-numeric data are passed through. */
  data: ArrayData;
  /** Attributes without the packing keys. */
  attrs: Attrs;
  /** Packing keys moved out of `attrs` (`scale_factor`, `_FillValue`, …) plus `dtype`. */
  encoding: Attrs;
}

const ENCODING_KEYS = [
  "scale_factor",
  "add_offset",
  "_FillValue",
  "missing_value",
  "_Unsigned",
  "valid_min",
  "valid_max",
  "valid_range",
];

/**
 * CF decoding of one variable (CF conventions §2.5 and §8.1): reinterpret `_Unsigned`
 * integers, mask `_FillValue`/`missing_value` (and the valid range), then unpack
 * `value * scale_factor + add_offset`. Fill values and valid ranges are compared in
 * the stored (packed) domain, as the conventions require.
 *
 * Raw access stays possible: simply use the back-end's `read` without calling this.
 *
 * @param raw - stored values, row-major
 * @param attrs - the variable's raw attributes
 * @param options - which steps to apply
 * @throws GridError `INVALID_ATTRIBUTE` when a packing attribute is not numeric
 */
export function decode(raw: ArrayData, attrs: Attrs, options: DecodeOptions = {}): Decoded {
  const encoding: Attrs = {};
  const outAttrs: Attrs = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (ENCODING_KEYS.includes(k)) encoding[k] = v;
    else outAttrs[k] = v;
  }
  if (Array.isArray(raw) || attrString(attrs, "_Encoding") !== undefined) {
    return { data: raw, attrs: outAttrs, encoding };
  }
  const doMask = options.mask ?? true;
  const doScale = options.scale ?? true;
  const doRange = doMask && (options.validRange ?? true);

  const data = applyUnsigned(raw, attrString(attrs, "_Unsigned"));
  const toStored = (v: number) => storedValue(v, data);

  const fills: number[] = [];
  if (doMask) {
    for (const key of ["_FillValue", "missing_value"]) {
      const vs = attrs[key] === undefined ? undefined : attrNumbers(attrs, key);
      if (attrs[key] !== undefined && vs === undefined) {
        throw new GridError("INVALID_ATTRIBUTE", `${key} is not numeric: ${String(attrs[key])}`);
      }
      for (const v of vs ?? []) fills.push(toStored(v));
    }
  }
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  if (doRange) {
    const range = attrNumbers(attrs, "valid_range");
    if (range !== undefined && range.length >= 2) {
      lo = toStored(range[0]);
      hi = toStored(range[1]);
    }
    const vmin = attrNumber(attrs, "valid_min");
    const vmax = attrNumber(attrs, "valid_max");
    if (vmin !== undefined) lo = toStored(vmin);
    if (vmax !== undefined) hi = toStored(vmax);
  }
  const scale = doScale ? numericAttr(attrs, "scale_factor") : undefined;
  const offset = doScale ? numericAttr(attrs, "add_offset") : undefined;

  // Nothing to apply: keep the stored type (an int8 mask stays int8), as xarray does.
  const noop =
    fills.length === 0 &&
    scale === undefined &&
    offset === undefined &&
    lo === Number.NEGATIVE_INFINITY &&
    hi === Number.POSITIVE_INFINITY;
  if (noop && (options.output ?? "auto") === "auto") {
    encoding.dtype = dtypeOf(raw);
    return { data, attrs: outAttrs, encoding };
  }
  const isFloat32 = data instanceof Float32Array;
  const wantF32 = options.output === "float32" || (options.output !== "float64" && isFloat32);
  const n = data.length;
  let out: Float32Array | Float64Array;
  if (options.inPlace && wantF32 && isFloat32) out = data;
  else if (options.inPlace && !wantF32 && data instanceof Float64Array) out = data;
  else out = wantF32 ? new Float32Array(n) : new Float64Array(n);

  const s = scale ?? 1;
  const o = offset ?? 0;
  const hasRange = lo !== Number.NEGATIVE_INFINITY || hi !== Number.POSITIVE_INFINITY;
  const nanFill = fills.some((f) => Number.isNaN(f));
  const exactFills = fills.filter((f) => !Number.isNaN(f));
  const f0 = exactFills.length > 0 ? exactFills[0] : Number.NaN;
  const f1 = exactFills.length > 1 ? exactFills[1] : Number.NaN;
  const moreFills = exactFills.slice(2);
  const isBig = data instanceof BigInt64Array || data instanceof BigUint64Array;
  if (!isBig && !nanFill && moreFills.length === 0) {
    // Hot path (hundreds of millions of values): monomorphic loops without per-element branching on options.
    const src = data as Exclude<ArrayData, string[] | BigInt64Array | BigUint64Array>;
    if (s === 1 && o === 0 && !hasRange) maskOnly(src, out, f0, f1);
    else maskScale(src, out, f0, f1, lo, hi, s, o);
  } else {
    const src = data as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      const v = isBig ? Number(data[i]) : src[i];
      if (
        v === f0 ||
        v === f1 ||
        (nanFill && Number.isNaN(v)) ||
        v < lo ||
        v > hi ||
        (moreFills.length > 0 && moreFills.includes(v))
      ) {
        out[i] = Number.NaN;
      } else {
        out[i] = v * s + o;
      }
    }
  }
  encoding.dtype = dtypeOf(raw);
  return { data: out, attrs: outAttrs, encoding };
}

function maskOnly(
  src: ArrayLike<number>,
  out: Float32Array | Float64Array,
  f0: number,
  f1: number,
): void {
  const n = src.length;
  if ((src as unknown) === out) {
    for (let i = 0; i < n; i++) {
      const v = out[i];
      if (v === f0 || v === f1) out[i] = Number.NaN;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const v = src[i];
    out[i] = v === f0 || v === f1 ? Number.NaN : v;
  }
}

function maskScale(
  src: ArrayLike<number>,
  out: Float32Array | Float64Array,
  f0: number,
  f1: number,
  lo: number,
  hi: number,
  s: number,
  o: number,
): void {
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    out[i] = v === f0 || v === f1 || v < lo || v > hi ? Number.NaN : v * s + o;
  }
}

function numericAttr(attrs: Attrs, key: string): number | undefined {
  if (attrs[key] === undefined) return undefined;
  const v = attrNumber(attrs, key);
  if (v === undefined) {
    throw new GridError("INVALID_ATTRIBUTE", `${key} is not numeric: ${String(attrs[key])}`);
  }
  return v;
}

// _Unsigned = "true" on a signed integer type means the bytes are really unsigned
// (NetCDF-3 has no unsigned types); "false" on an unsigned type means the reverse.
function applyUnsigned(raw: ArrayData, flag: string | undefined): ArrayData {
  if (flag === undefined || Array.isArray(raw)) return raw;
  const unsigned = flag.toLowerCase() === "true";
  const b = raw.buffer;
  const o = raw.byteOffset;
  const n = raw.length;
  if (unsigned) {
    if (raw instanceof Int8Array) return new Uint8Array(b, o, n);
    if (raw instanceof Int16Array) return new Uint16Array(b, o, n);
    if (raw instanceof Int32Array) return new Uint32Array(b, o, n);
    if (raw instanceof BigInt64Array) return new BigUint64Array(b, o, n);
  } else {
    if (raw instanceof Uint8Array) return new Int8Array(b, o, n);
    if (raw instanceof Uint16Array) return new Int16Array(b, o, n);
    if (raw instanceof Uint32Array) return new Int32Array(b, o, n);
    if (raw instanceof BigUint64Array) return new BigInt64Array(b, o, n);
  }
  return raw;
}

// An attribute value as the stored type would hold it: a fill of -1 on _Unsigned bytes is
// 255, and a float64 fill compared against float32 data must be rounded to float32.
function storedValue(v: number, data: ArrayData): number {
  if (data instanceof Uint8Array) return v < 0 ? v + 256 : v;
  if (data instanceof Uint16Array) return v < 0 ? v + 65536 : v;
  if (data instanceof Uint32Array) return v < 0 ? v + 4294967296 : v;
  if (data instanceof Float32Array) return Math.fround(v);
  return v;
}

/** Convert NetCDF `char` data (bytes, last dimension = string length) to trimmed strings. */
export function charsToStrings(bytes: Uint8Array, length: number): string[] {
  const decoder = new TextDecoder();
  const n = length === 0 ? 0 : Math.floor(bytes.length / length);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const row = bytes.subarray(i * length, (i + 1) * length);
    let end = row.indexOf(0);
    if (end < 0) end = row.length;
    out[i] = decoder.decode(row.subarray(0, end)).trimEnd();
  }
  return out;
}
