import { open } from "node:fs/promises";
import {
  type ArrayData,
  type Attrs,
  type AttrValue,
  allocate,
  type Coordinate,
  type DataArray,
  type Dataset,
  type DType,
  dtypeOf,
  sizeOf,
  type TypedArray,
} from "@geoml/grid";
import { NetcdfError } from "../errors.js";
import { writeNetcdf4 } from "../nc4/writer.js";
import { NC_ATTRIBUTE, NC_DIMENSION, NC_TYPES, NC_VARIABLE, ncTypeOf } from "./types.js";

/** NetCDF-3 flavour to write. */
export type Netcdf3Format = "classic" | "64bit-offset" | "cdf5";

/** File flavour to write: a NetCDF-3 one, or NetCDF-4 (HDF5, with chunking and deflate). */
export type NetcdfFormat = Netcdf3Format | "netcdf4";

/** How one variable is stored (CF packing). */
export interface VariableEncoding {
  /** Stored type, e.g. `"int16"` for packed data or `"float32"` to halve the size. */
  dtype?: DType;
  /** Packing scale: stored = round((value − add_offset) / scale_factor). */
  scale_factor?: number;
  /** Packing offset. */
  add_offset?: number;
  /** Value written where data are NaN (defaults to the NetCDF default fill of the type). */
  _FillValue?: number;
  /** NetCDF-4 only: chunk shape (default: whole variable, one step of an unlimited dimension, at most ~1 MiB). */
  chunks?: number[];
  /** NetCDF-4 only: deflate level 1–9 (0 or absent: none; default `WriteOptions.deflate`). */
  deflate?: number;
}

/** Options of {@link writeNetcdf}. */
export interface WriteOptions {
  /**
   * File flavour; default `classic`, or `cdf5` when a type needs it (unsigned, 64-bit ints).
   * `"netcdf4"` writes HDF5 through h5wasm, with chunking and deflate.
   */
  format?: NetcdfFormat;
  /** NetCDF-4 only: deflate level 1–9 for every variable without its own `encoding.deflate`. */
  deflate?: number;
  /** Global attributes (e.g. `Conventions`, `title`, `history`). */
  attrs?: Attrs;
  /** Per-variable encoding by name. */
  encoding?: Record<string, VariableEncoding>;
  /** Name of a dimension to write as the unlimited (record) dimension. */
  unlimited?: string;
}

/** A variable ready to write: stored values and final attributes. */
export interface RawVariable {
  name: string;
  dims: string[];
  dtype: DType;
  attrs: Attrs;
  data: ArrayData;
  /** `data` is a private copy the NetCDF-3 writer may byte-swap in place. */
  scratch?: boolean;
}

/** NetCDF default fill values (netcdf.h), used where a packed/float variable has NaN. */
const DEFAULT_FILL: Partial<Record<DType, number>> = {
  int8: -127,
  int16: -32767,
  int32: -2147483647,
  float32: 9.969209968386869e36,
  float64: 9.969209968386869e36,
  uint8: 255,
  uint16: 65535,
  uint32: 4294967295,
};

/** Attributes written in the variable's own type, as CF requires. */
const TYPED_ATTRS = new Set([
  "_FillValue",
  "missing_value",
  "valid_min",
  "valid_max",
  "valid_range",
]);

/**
 * Write labelled arrays (model results: predictions, residuals, coefficients per cell) to
 * a NetCDF file with CF attributes: coordinates become coordinate variables (2-D ones are
 * listed in a `coordinates` attribute), NaN becomes `_FillValue`, optional packing to
 * integers with `scale_factor`/`add_offset`. NetCDF-3 by default; `format: "netcdf4"` writes
 * HDF5 with chunking (`encoding[v].chunks`) and deflate (`deflate`, `encoding[v].deflate`).
 * `ncdump` and xarray read the result.
 *
 * @example
 * ```ts
 * await writeNetcdf("out.nc", [sst], { format: "netcdf4", deflate: 4, unlimited: "time" });
 * ```
 * @throws NetcdfError `INVALID_WRITE` for clashing dims, unrepresentable types or bad
 *   encodings, `UNSUPPORTED`, `IO_ERROR`
 */
export async function writeNetcdf(
  path: string,
  arrays: readonly DataArray[],
  options: WriteOptions = {},
): Promise<void> {
  const dims = new Map<string, number>();
  const vars = new Map<string, RawVariable>();
  const addDims = (names: readonly string[], shape: readonly number[], who: string) => {
    names.forEach((d, i) => {
      const known = dims.get(d);
      if (known !== undefined && known !== shape[i]) {
        throw new NetcdfError(
          "INVALID_WRITE",
          `dimension '${d}' is ${known} but '${who}' has ${shape[i]}`,
          {
            file: path,
          },
        );
      }
      dims.set(d, shape[i]);
    });
  };
  for (const a of arrays) {
    addDims(a.dims, a.shape, a.name);
    for (const [cname, c] of Object.entries(a.coords)) {
      if (vars.has(cname) || arrays.some((x) => x.name === cname)) continue;
      vars.set(cname, encodeCoordinate(cname, c, options.encoding?.[cname], path));
    }
  }
  for (const a of arrays) {
    const attrs: Attrs = { ...a.attrs };
    const extra = Object.entries(a.coords)
      .filter(([n, c]) => !(c.dims.length === 1 && c.dims[0] === n))
      .map(([n]) => n);
    if (extra.length > 0) attrs.coordinates = extra.join(" ");
    vars.set(
      a.name,
      encodeVariable(a.name, [...a.dims], a.data, attrs, options.encoding?.[a.name], path),
    );
  }
  if (options.format === "netcdf4") {
    await writeNetcdf4(path, dims, [...vars.values()], options);
    return;
  }
  rejectNetcdf4Options(path, options);
  await writeRaw(path, dims, [...vars.values()], options);
}

function rejectNetcdf4Options(path: string, options: WriteOptions): void {
  const enc = Object.entries(options.encoding ?? {}).find(
    ([, e]) => e.chunks !== undefined || e.deflate !== undefined,
  );
  if (options.deflate !== undefined || enc !== undefined) {
    throw new NetcdfError(
      "INVALID_WRITE",
      "chunks and deflate need format 'netcdf4' (NetCDF-3 stores data uncompressed)",
      { file: path, ...(enc ? { variable: enc[0] } : {}) },
    );
  }
}

/**
 * Copy a dataset (e.g. one opened from NetCDF-4) to NetCDF-3 — or to NetCDF-4 with
 * `format: "netcdf4"` — variable by variable, keeping stored values and attributes as they
 * are (no decoding round trip).
 */
export async function writeDataset(
  path: string,
  ds: Dataset,
  options: Omit<WriteOptions, "encoding"> = {},
): Promise<void> {
  const vars: RawVariable[] = [];
  for (const v of ds.source.variables) {
    if (v.dtype === "string") continue;
    vars.push({
      name: v.name,
      dims: [...v.dims],
      dtype: v.dtype,
      attrs: { ...v.attrs },
      data: await v.read(),
    });
  }
  const unlimited = options.unlimited ?? ds.source.unlimitedDims?.[0];
  if (options.format === "netcdf4") {
    await writeNetcdf4(path, new Map(Object.entries(ds.dims)), vars, {
      ...options,
      attrs: options.attrs ?? { ...ds.attrs },
      ...(unlimited !== undefined ? { unlimited } : {}),
    });
    return;
  }
  await writeRaw(path, new Map(Object.entries(ds.dims)), vars, {
    ...options,
    attrs: options.attrs ?? { ...ds.attrs },
    ...(unlimited !== undefined ? { unlimited } : {}),
  });
}

function encodeCoordinate(
  name: string,
  c: Coordinate,
  enc: VariableEncoding | undefined,
  path: string,
): RawVariable {
  if (Array.isArray(c.values)) {
    throw new NetcdfError(
      "INVALID_WRITE",
      `text coordinate '${name}' is not supported by the NetCDF-3 writer`,
      {
        file: path,
      },
    );
  }
  // CF: coordinates should carry no fill value unless they really have gaps.
  return encodeVariable(name, [...c.dims], c.values, { ...c.attrs }, enc, path, false);
}

function encodeVariable(
  name: string,
  dims: string[],
  data: ArrayData,
  attrsIn: Attrs,
  enc: VariableEncoding | undefined,
  path: string,
  defaultFill = true,
): RawVariable {
  const ctx = { file: path, variable: name };
  if (Array.isArray(data))
    throw new NetcdfError("INVALID_WRITE", "text variables are not supported", ctx);
  const attrs: Attrs = { ...attrsIn };
  for (const k of ["scale_factor", "add_offset", "_FillValue", "missing_value", "_Unsigned"])
    delete attrs[k];
  const dtype: DType = enc?.dtype ?? dtypeOf(data);
  if (dtype === "string")
    throw new NetcdfError("INVALID_WRITE", "text variables are not supported", ctx);
  const scale = enc?.scale_factor;
  const offset = enc?.add_offset;
  const isFloat = dtype === "float32" || dtype === "float64";
  // Scan for NaN only when no fill value is known yet (a float variable has its default).
  const fill =
    enc?._FillValue ?? ((isFloat && defaultFill) || hasNan(data) ? DEFAULT_FILL[dtype] : undefined);
  if (fill === undefined && hasNan(data)) {
    throw new NetcdfError("INVALID_WRITE", `NaN values need a _FillValue for ${dtype}`, ctx);
  }
  const packing = scale !== undefined || offset !== undefined;
  if (
    !packing &&
    dtypeOf(data) === dtype &&
    !(data instanceof BigInt64Array || data instanceof BigUint64Array)
  ) {
    // Same type, no packing: a block copy, then NaN → fill in one typed loop (the generic loop
    // below converts every value through Number and is several times slower).
    allocateDtype(dtype, 0); // refuses types NetCDF cannot hold
    const out = (data as TypedArray).slice();
    if (fill !== undefined && (out instanceof Float32Array || out instanceof Float64Array))
      fillNaN(out, fill);
    if (fill !== undefined) attrs._FillValue = fill;
    return { name, dims, dtype, attrs, data: out, scratch: true };
  }
  const out = allocateDtype(dtype, data.length);
  const src = data as ArrayLike<number | bigint>;
  const isBig = out instanceof BigInt64Array || out instanceof BigUint64Array;
  for (let i = 0; i < data.length; i++) {
    // 64-bit integers copy exactly (a detour through Number would round beyond 2^53).
    if (isBig && typeof src[i] === "bigint" && !packing) {
      (out as unknown as Array<number | bigint>)[i] = src[i];
      continue;
    }
    let x = Number(src[i]);
    if (Number.isNaN(x)) x = fill!;
    else if (scale !== undefined || offset !== undefined) x = (x - (offset ?? 0)) / (scale ?? 1);
    if (!isFloat) x = Math.round(x);
    (out as unknown as Array<number | bigint>)[i] = isBig ? BigInt(x) : x;
  }
  if (scale !== undefined) attrs.scale_factor = scale;
  if (offset !== undefined) attrs.add_offset = offset;
  if (fill !== undefined) attrs._FillValue = fill;
  return { name, dims, dtype, attrs, data: out, scratch: true };
}

/** Replace NaN by `fill` in place. */
function fillNaN(out: Float32Array | Float64Array, fill: number): void {
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i])) out[i] = fill;
}

function hasNan(data: ArrayData): boolean {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) return false;
  for (let i = 0; i < data.length; i++) if (Number.isNaN(data[i])) return true;
  return false;
}

/** Storage for `dtype`, refusing types NetCDF-3 cannot hold (grid's `allocate` knows all). */
function allocateDtype(dtype: Exclude<DType, "string">, n: number): TypedArray {
  if (NC_TYPES[ncTypeOf(dtype)]?.size === undefined) {
    throw new NetcdfError("INVALID_WRITE", `cannot store ${dtype}`);
  }
  return allocate(dtype, n);
}

/** Byte-level encoder for the header (big-endian). */
class HeaderWriter {
  private chunks: Buffer[] = [];
  length = 0;
  constructor(private readonly version: number) {}
  private push(b: Buffer) {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    this.push(b);
  }
  u64(v: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(v));
    this.push(b);
  }
  count(v: number) {
    if (this.version === 5) this.u64(v);
    else this.u32(v);
  }
  offset(v: number) {
    if (this.version === 1) this.u32(v);
    else this.u64(v);
  }
  bytes(b: Uint8Array) {
    this.push(Buffer.from(b));
    const pad = (4 - (b.length % 4)) % 4;
    if (pad) this.push(Buffer.alloc(pad));
  }
  name(s: string) {
    const b = Buffer.from(s, "utf8");
    this.count(b.length);
    this.bytes(b);
  }
  result(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function writeRaw(
  path: string,
  dims: Map<string, number>,
  vars: RawVariable[],
  options: WriteOptions,
): Promise<void> {
  const needsCdf5 = vars.some((v) => ncTypeOf(v.dtype) > 6);
  const format = options.format ?? (needsCdf5 ? "cdf5" : "classic");
  if (needsCdf5 && format !== "cdf5") {
    throw new NetcdfError(
      "INVALID_WRITE",
      `unsigned and 64-bit integer types need format 'cdf5', not '${format}'`,
      {
        file: path,
      },
    );
  }
  const version = format === "classic" ? 1 : format === "64bit-offset" ? 2 : 5;
  const dimNames = [...dims.keys()];
  const unlimited = options.unlimited;
  if (unlimited !== undefined) {
    if (!dims.has(unlimited)) {
      throw new NetcdfError("INVALID_WRITE", `unlimited dimension '${unlimited}' is not used`, {
        file: path,
      });
    }
    // The record dimension must lead every variable that uses it.
    for (const v of vars) {
      if (v.dims.includes(unlimited) && v.dims[0] !== unlimited) {
        throw new NetcdfError("INVALID_WRITE", `'${unlimited}' must be the first dimension`, {
          file: path,
          variable: v.name,
        });
      }
    }
  }
  const numrecs = unlimited === undefined ? 0 : dims.get(unlimited)!;
  const isRecord = (v: RawVariable) => unlimited !== undefined && v.dims[0] === unlimited;
  const itemSize = (v: RawVariable) => NC_TYPES[ncTypeOf(v.dtype)].size;
  const innerBytes = (v: RawVariable) =>
    sizeOf(v.dims.slice(isRecord(v) ? 1 : 0).map((d) => dims.get(d)!)) * itemSize(v);
  const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);
  const recordVars = vars.filter(isRecord);
  const fixedVars = vars.filter((v) => !isRecord(v));
  const recSlot = (v: RawVariable) =>
    recordVars.length === 1 ? innerBytes(v) : pad4(innerBytes(v));

  const header = (begins: Map<string, number>): Buffer => {
    const w = new HeaderWriter(version);
    w.bytes(Uint8Array.from([0x43, 0x44, 0x46, version]));
    w.count(numrecs);
    if (dimNames.length === 0) {
      w.u32(0);
      w.count(0);
    } else {
      w.u32(NC_DIMENSION);
      w.count(dimNames.length);
      for (const d of dimNames) {
        w.name(d);
        w.count(d === unlimited ? 0 : dims.get(d)!);
      }
    }
    writeAttrs(w, options.attrs ?? {}, undefined, version, path);
    if (vars.length === 0) {
      w.u32(0);
      w.count(0);
    } else {
      w.u32(NC_VARIABLE);
      w.count(vars.length);
      for (const v of vars) {
        w.name(v.name);
        w.count(v.dims.length);
        for (const d of v.dims) w.count(dimNames.indexOf(d));
        writeAttrs(w, v.attrs, v.dtype, version, path);
        w.u32(ncTypeOf(v.dtype));
        const vsize = isRecord(v) ? recSlot(v) : pad4(innerBytes(v));
        w.count(version !== 5 ? Math.min(vsize, 0xffffffff) : vsize);
        const begin = begins.get(v.name) ?? 0;
        if (version === 1 && begin > 0x7fffffff) {
          throw new NetcdfError(
            "INVALID_WRITE",
            "data exceed 2 GiB: use format '64bit-offset' or 'cdf5'",
            {
              file: path,
            },
          );
        }
        w.offset(begin);
      }
    }
    return w.result();
  };

  const headerSize = header(new Map()).length;
  const begins = new Map<string, number>();
  let at = headerSize;
  for (const v of fixedVars) {
    begins.set(v.name, at);
    at += pad4(innerBytes(v));
  }
  for (const v of recordVars) {
    begins.set(v.name, at);
    at += recSlot(v);
  }

  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, "w");
  } catch (e) {
    throw new NetcdfError("IO_ERROR", `cannot create: ${(e as Error).message}`, { file: path });
  }
  try {
    let pos = 0;
    const put = async (b: Uint8Array) => {
      await fh.write(b, 0, b.length, pos);
      pos += b.length;
    };
    await put(header(begins));
    for (const v of fixedVars) {
      await putBigEndian(put, v.data as TypedArray, 0, v.data.length, v.scratch === true);
      const pad = pad4(innerBytes(v)) - innerBytes(v);
      if (pad) await put(new Uint8Array(pad));
    }
    for (let r = 0; r < numrecs; r++) {
      for (const v of recordVars) {
        const per = innerBytes(v) / itemSize(v);
        await putBigEndian(put, v.data as TypedArray, r * per, per, v.scratch === true);
        const pad = recSlot(v) - innerBytes(v);
        if (pad) await put(new Uint8Array(pad));
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * Write `count` elements from `start` as big-endian, 8 MiB at a time. `inPlace`: `data` is
 * the writer's own copy, swapped where it lies (no second copy of the variable).
 */
async function putBigEndian(
  put: (b: Uint8Array) => Promise<void>,
  data: TypedArray,
  start: number,
  count: number,
  inPlace: boolean,
): Promise<void> {
  const size = data.BYTES_PER_ELEMENT;
  const step = Math.max(1, Math.floor((8 * 1024 * 1024) / size));
  for (let i = 0; i < count; i += step) {
    const n = Math.min(step, count - i);
    const view = new Uint8Array(data.buffer, data.byteOffset + (start + i) * size, n * size);
    // Otherwise copy: the caller's array stays untouched.
    const b = inPlace
      ? Buffer.from(view.buffer, view.byteOffset, view.byteLength)
      : Buffer.from(view);
    if (size === 2) b.swap16();
    else if (size === 4) b.swap32();
    else if (size === 8) b.swap64();
    await put(b);
  }
}

function writeAttrs(
  w: HeaderWriter,
  attrs: Attrs,
  varType: DType | undefined,
  version: number,
  path: string,
): void {
  const entries = Object.entries(attrs);
  if (entries.length === 0) {
    w.u32(0);
    w.count(0);
    return;
  }
  w.u32(NC_ATTRIBUTE);
  w.count(entries.length);
  for (const [key, value] of entries) {
    w.name(key);
    const { type, bytes, n } = encodeAttr(key, value, varType, version, path);
    w.u32(type);
    w.count(n);
    w.bytes(bytes);
  }
}

function encodeAttr(
  key: string,
  value: AttrValue,
  varType: DType | undefined,
  version: number,
  path: string,
): { type: number; bytes: Uint8Array; n: number } {
  if (typeof value === "string" || (Array.isArray(value) && typeof value[0] === "string")) {
    const s = typeof value === "string" ? value : (value as string[]).join(",");
    const bytes = Buffer.from(s, "utf8");
    return { type: 2, bytes, n: bytes.length };
  }
  const nums = (Array.isArray(value) ? value : [value]).map(Number);
  let type: number;
  if (TYPED_ATTRS.has(key) && varType !== undefined && varType !== "char" && varType !== "string") {
    type = ncTypeOf(varType);
  } else if (nums.every((x) => Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)) {
    type = 4;
  } else {
    type = 6;
  }
  if (type > 6 && version !== 5) {
    throw new NetcdfError("INVALID_WRITE", `attribute '${key}' needs format 'cdf5'`, {
      file: path,
    });
  }
  const size = NC_TYPES[type].size;
  const b = Buffer.alloc(nums.length * size);
  nums.forEach((x, i) => {
    const at = i * size;
    switch (type) {
      case 1:
        b.writeInt8(x, at);
        break;
      case 3:
        b.writeInt16BE(x, at);
        break;
      case 4:
        b.writeInt32BE(x, at);
        break;
      case 5:
        b.writeFloatBE(x, at);
        break;
      case 6:
        b.writeDoubleBE(x, at);
        break;
      case 7:
        b.writeUInt8(x, at);
        break;
      case 8:
        b.writeUInt16BE(x, at);
        break;
      case 9:
        b.writeUInt32BE(x, at);
        break;
      case 10:
        b.writeBigInt64BE(BigInt(x), at);
        break;
      default:
        b.writeBigUInt64BE(BigInt(x), at);
    }
  });
  return { type, bytes: b, n: nums.length };
}
