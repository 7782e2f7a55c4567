import { stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import {
  type ArrayData,
  type Attrs,
  type AttrValue,
  allocate,
  type DatasetSource,
  type DType,
  type PartVisitor,
  resolveHyperslab,
  sizeOf,
  type TypedArray,
  type VariableSource,
} from "@geoml/grid";
import type * as H5 from "h5wasm";
import { NetcdfError } from "../errors.js";

type H5Module = typeof import("h5wasm/node");
type H5Runtime = typeof H5.Module;
let h5: Promise<H5Module> | undefined;
let runtime: H5Runtime | undefined;

// The Node build of h5wasm mounts the host file system with Emscripten's NODERAWFS, so
// HDF5 reads the file through ordinary positioned reads: nothing is copied into the
// wasm heap up front, and a hyperslab costs only the chunks it touches.
async function library(): Promise<H5Module> {
  h5 ??= (async () => {
    const mod = await import("h5wasm/node");
    const Module = await mod.ready;
    // Turn HDF5's stderr error stacks into exceptions we can type.
    Module.activate_throwing_error_handler();
    runtime = Module;
    return mod;
  })();
  return h5;
}

/** Bytes of one hyperslab piece requested from HDF5; bounds the wasm heap during reads. */
const SLAB_BYTES = 64 * 1024 * 1024;

/** Attributes that carry HDF5/NetCDF-4 bookkeeping, not user metadata. */
const HIDDEN_ATTRS = new Set([
  "CLASS",
  "NAME",
  "REFERENCE_LIST",
  "DIMENSION_LIST",
  "_Netcdf4Dimid",
  "_Netcdf4Coordinates",
  "_NCProperties",
  "_nc3_strict",
  "_SuperblockVersion",
  "_IsNetcdf4",
]);

/** Options of {@link openNetcdf4}. */
export interface Netcdf4Options {
  /** Group to open, e.g. `"grp1"` or `"/forecast/surface"`; default the root group. */
  group?: string;
}

/**
 * Open a NetCDF-4 (HDF5) file lazily through h5wasm: dimensions come from HDF5 dimension
 * scales, variables from datasets; reading a hyperslab decompresses only the chunks it
 * overlaps (deflate, shuffle, fletcher32 are built into the HDF5 library).
 *
 * @throws NetcdfError `BAD_MAGIC`, `TRUNCATED`, `CORRUPT_HEADER`, `IO_ERROR`
 */
export async function openNetcdf4(
  path: string,
  options: Netcdf4Options = {},
): Promise<DatasetSource> {
  const mod = await library();
  const abs = isAbsolute(path) ? path : resolve(path);
  try {
    await stat(abs);
  } catch (e) {
    throw new NetcdfError("IO_ERROR", `cannot open: ${(e as Error).message}`, { file: path });
  }
  let file: H5.File;
  try {
    file = new mod.File(abs, "r");
  } catch (e) {
    throw hdf5Error(e, path);
  }
  try {
    return buildSource(mod, file, path, options.group ?? "/");
  } catch (e) {
    file.close();
    throw e instanceof NetcdfError ? e : hdf5Error(e, path);
  }
}

function hdf5Error(e: unknown, file: string, variable?: string): NetcdfError {
  const text = String((e as Error)?.message ?? e);
  const minors = [...text.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const last = minors.at(-1) ?? text.split("\n")[0];
  const code = /truncat/i.test(text)
    ? "TRUNCATED"
    : /signature not found|Not an HDF5 file/i.test(text)
      ? "BAD_MAGIC"
      : "CORRUPT_HEADER";
  return new NetcdfError(code, `HDF5: ${last}`, { file, variable });
}

function buildSource(mod: H5Module, file: H5.File, path: string, groupPath: string): DatasetSource {
  const group = groupPath === "/" ? file : file.get(groupPath);
  if (!(group instanceof mod.Group)) {
    throw new NetcdfError("UNSUPPORTED", `no group '${groupPath}'`, { file: path });
  }
  const dims: Record<string, number> = {};
  const unlimited: string[] = [];
  const variables: VariableSource[] = [];
  for (const key of group.keys()) {
    const entity = group.get(key);
    if (!(entity instanceof mod.Dataset)) continue;
    const meta = entity.metadata;
    const shape = (entity.shape ?? []).map(Number);
    const rawAttrs = entity.attrs;
    const isScale = attrText(rawAttrs.CLASS) === "DIMENSION_SCALE";
    if (isScale) {
      dims[key] = shape[0] ?? 0;
      if (meta.maxshape?.[0] !== undefined && meta.maxshape[0] > 2 ** 53) unlimited.push(key);
      // Dimensions without a coordinate variable are stored as scales carrying this NAME.
      if (
        attrText(rawAttrs.NAME)?.startsWith("This is a netCDF dimension but not a netCDF variable")
      ) {
        continue;
      }
    }
    const dtype = dtypeOfMetadata(meta);
    if (dtype === undefined) continue; // compound, enum, opaque: not representable as a grid
    const vdims = shape.map((n, i) => {
      if (isScale && i === 0) return key;
      const scales = entity.get_attached_scales(i);
      if (scales.length > 0) return scales[0].split("/").at(-1)!;
      const phony = `phony_dim_${i}_${n}`;
      dims[phony] ??= n;
      return phony;
    });
    for (let i = 0; i < vdims.length; i++) dims[vdims[i]] ??= shape[i];
    variables.push(
      variableSource(entity, key, vdims, shape, dtype, meta, readAttrs(rawAttrs), path),
    );
  }
  return {
    format: "netcdf4",
    path,
    dims,
    unlimitedDims: unlimited,
    attrs: readAttrs(group.attrs),
    variables,
    close: async () => {
      file.close();
    },
  };
}

function variableSource(
  ds: H5.Dataset,
  name: string,
  dims: string[],
  shape: number[],
  dtype: DType,
  meta: H5.Metadata,
  attrs: Attrs,
  path: string,
): VariableSource {
  const ctx = { file: path, variable: name };
  const itemSize = dtype === "string" ? 0 : meta.size;
  return {
    name,
    dims,
    shape,
    dtype,
    attrs,
    ...(meta.chunks ? { chunks: meta.chunks.map(Number) } : {}),
    async read(start, count, onPart) {
      const [s, c] = resolveHyperslab(shape, start, count, ctx);
      const n = sizeOf(c);
      const out: ArrayData =
        dtype === "string" ? new Array<string>(n) : allocate(dtype as Exclude<DType, "string">, n);
      if (n === 0) return out;
      if (shape.length === 0) return toArray(ds.value, dtype, meta, out);
      // Split along the outermost axis so HDF5's output buffer stays bounded; align the
      // split to the chunk shape so no chunk is decompressed twice.
      const rowElems = n / c[0];
      const chunk0 = meta.chunks?.[0] ?? 1;
      let rowsPerSlab = Math.max(
        1,
        Math.floor(SLAB_BYTES / Math.max(1, rowElems * (itemSize || 64))),
      );
      if (rowsPerSlab > chunk0) rowsPerSlab -= rowsPerSlab % chunk0;
      if (dtype !== "string" && runtime !== undefined && !Array.isArray(out)) {
        await readDirect(runtime, ds, s, c, rowsPerSlab, rowElems, out, meta, ctx, onPart);
        return out;
      }
      for (let r = 0; r < c[0]; r += rowsPerSlab) {
        const rows = Math.min(rowsPerSlab, c[0] - r);
        const ranges = c.map((ci, i) =>
          i === 0 ? [s[0] + r, s[0] + r + rows] : [s[i], s[i] + ci],
        ) as Array<[number, number]>;
        let part: unknown;
        try {
          part = ds.slice(ranges);
        } catch (e) {
          throw hdf5Error(e, path, name);
        }
        copyInto(part, dtype, meta, out, r * rowElems, rows * rowElems, ctx);
      }
      return out;
    },
  };
}

/**
 * Numeric hyperslab read with one reusable wasm buffer: HDF5 writes each slab into it and
 * we copy once into the output (h5wasm's `slice` would copy twice more per slab).
 */
async function readDirect(
  M: H5Runtime,
  ds: H5.Dataset,
  start: number[],
  count: number[],
  rowsPerSlab: number,
  rowElems: number,
  out: TypedArray,
  meta: H5.Metadata,
  ctx: { file: string; variable: string },
  onPart?: PartVisitor,
): Promise<void> {
  const size = out.BYTES_PER_ELEMENT;
  const slabBytes = Math.min(rowsPerSlab, count[0]) * rowElems * size;
  const ptr = M._malloc(slabBytes);
  if (ptr === 0) {
    throw new NetcdfError(
      "UNSUPPORTED",
      `cannot allocate ${slabBytes} bytes in the HDF5 heap`,
      ctx,
    );
  }
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  try {
    for (let r = 0; r < count[0]; r += rowsPerSlab) {
      const rows = Math.min(rowsPerSlab, count[0] - r);
      const offset = start.map((x, i) => BigInt(i === 0 ? x + r : x));
      const cnt = count.map((x, i) => BigInt(i === 0 ? rows : x));
      const strides = count.map(() => 1n);
      try {
        M.get_dataset_data(ds.file_id, ds.path, cnt, offset, strides, BigInt(ptr));
      } catch (e) {
        throw hdf5Error(e, ctx.file, ctx.variable);
      }
      const nbytes = rows * rowElems * size;
      const at = r * rowElems * size;
      // HEAPU8 is re-created when the wasm memory grows, so fetch it after the read.
      outBytes.set(M.HEAPU8.subarray(ptr, ptr + nbytes), at);
      if (meta.littleEndian === false) swapBytes(outBytes.subarray(at, at + nbytes), size);
      onPart?.(out.subarray(r * rowElems, (r + rows) * rowElems));
    }
  } finally {
    M._free(ptr);
  }
}

function swapBytes(bytes: Uint8Array, size: number): void {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 2) b.swap16();
  else if (size === 4) b.swap32();
  else if (size === 8) b.swap64();
}

function toArray(value: unknown, dtype: DType, meta: H5.Metadata, out: ArrayData): ArrayData {
  copyInto(
    Array.isArray(value) || ArrayBuffer.isView(value) ? value : [value],
    dtype,
    meta,
    out,
    0,
    1,
    {},
  );
  return out;
}

function copyInto(
  part: unknown,
  dtype: DType,
  meta: H5.Metadata,
  out: ArrayData,
  at: number,
  n: number,
  ctx: { file?: string; variable?: string },
): void {
  if (Array.isArray(out)) {
    const src = (Array.isArray(part) ? part : [part]) as unknown[];
    for (let i = 0; i < n; i++) out[at + i] = String(src[i] ?? "");
    return;
  }
  if (!ArrayBuffer.isView(part) || (part as unknown as ArrayLike<unknown>).length !== n) {
    throw new NetcdfError(
      "CORRUPT_HEADER",
      `HDF5 returned ${describe(part)} for ${n} ${dtype} values`,
      ctx,
    );
  }
  const src = part as unknown as TypedArray;
  if (src.BYTES_PER_ELEMENT === out.BYTES_PER_ELEMENT && src.constructor === out.constructor) {
    (out as Float64Array).set(src as unknown as Float64Array, at);
  } else {
    // Same width, different view (e.g. a big-endian dataset delivered as raw bytes).
    const bytes = new Uint8Array(src.buffer, src.byteOffset, n * out.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer, out.byteOffset + at * out.BYTES_PER_ELEMENT, bytes.length).set(
      bytes,
    );
  }
  if (meta.littleEndian === false && out.BYTES_PER_ELEMENT > 1) {
    const b = Buffer.from(
      out.buffer,
      out.byteOffset + at * out.BYTES_PER_ELEMENT,
      n * out.BYTES_PER_ELEMENT,
    );
    if (out.BYTES_PER_ELEMENT === 2) b.swap16();
    else if (out.BYTES_PER_ELEMENT === 4) b.swap32();
    else b.swap64();
  }
}

function describe(x: unknown): string {
  if (ArrayBuffer.isView(x))
    return `${x.constructor.name}(${(x as unknown as ArrayLike<unknown>).length})`;
  return typeof x;
}

function dtypeOfMetadata(meta: H5.Metadata): DType | undefined {
  // HDF5 type classes: 0 integer, 1 float, 3 string.
  if (meta.type === 0) {
    const sign = meta.signed ? "int" : "uint";
    if (![1, 2, 4, 8].includes(meta.size)) return undefined;
    return `${sign}${meta.size * 8}` as DType;
  }
  if (meta.type === 1) return meta.size === 4 ? "float32" : meta.size === 8 ? "float64" : undefined;
  if (meta.type === 3) return "string";
  return undefined;
}

function attrText(a: H5.Attribute | undefined): string | undefined {
  if (a === undefined) return undefined;
  try {
    const v = a.value;
    if (typeof v === "string") return v;
    if (Array.isArray(v) && typeof v[0] === "string") return v[0];
  } catch {
    return undefined;
  }
  return undefined;
}

function readAttrs(raw: Record<string, H5.Attribute>): Attrs {
  const out: Attrs = {};
  for (const [key, a] of Object.entries(raw)) {
    if (HIDDEN_ATTRS.has(key)) continue;
    let v: unknown;
    try {
      v = a.value;
    } catch {
      continue; // references, compound attributes: not CF metadata
    }
    const value = attrValue(v);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function attrValue(v: unknown): AttrValue | undefined {
  if (typeof v === "string" || typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (ArrayBuffer.isView(v)) {
    const arr = Array.from(v as unknown as ArrayLike<number | bigint>, Number);
    return arr.length === 1 ? arr[0] : arr;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "string")) return v.length === 1 ? v[0] : (v as string[]);
    if (v.every((x) => typeof x === "number" || typeof x === "bigint")) {
      const arr = v.map(Number);
      return arr.length === 1 ? arr[0] : arr;
    }
  }
  return undefined;
}
