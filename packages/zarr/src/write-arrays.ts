import {
  type Attrs,
  allocate,
  attrNumber,
  type DataArray,
  type Dataset,
  type TypedArray,
} from "@geoml/grid";
import { ZarrError } from "./errors.js";
import type { WritableZarrStore } from "./store.js";
import {
  copyRow,
  createZarr,
  type ZarrVariableEncoding,
  type ZarrWriteDType,
  type ZarrWriteOptions,
  type ZarrWriter,
} from "./write.js";
/**
 * Write arrays (decoded, NaN for missing) and their coordinates, or copy a whole
 * {@link Dataset} unchanged, as a Zarr store. `encoding: { sst: { dtype: "int16",
 * scale_factor: 0.01, _FillValue: -32767 } }` packs a variable as xarray does.
 *
 * @example
 * ```ts
 * await writeZarr("anomaly.zarr", [anomaly], { format: 2, encoding: { sst_anomaly: { dtype: "int16", scale_factor: 0.001 } } });
 * ```
 * @throws ZarrError `INVALID_WRITE`, `INVALID_ARGUMENT`
 */
export async function writeZarr(
  target: string | WritableZarrStore,
  data: readonly DataArray[] | Dataset,
  options: ZarrWriteOptions = {},
): Promise<void> {
  const isDataset =
    !Array.isArray(data) && data !== null && typeof data === "object" && "source" in data;
  // A copied dataset keeps its global attributes (the options' ones win).
  const attrs = isDataset
    ? { ...(data as Dataset).attrs, ...(options.attrs ?? {}) }
    : options.attrs;
  const w = await createZarr(target, { ...options, attrs });
  if (Array.isArray(data)) {
    await writeArrays(w, data as readonly DataArray[], options);
  } else if (isDataset) {
    await copyDataset(w, data as Dataset, options);
  } else {
    throw new ZarrError("INVALID_ARGUMENT", "data must be an array of DataArrays or a Dataset", {
      file: w.name,
    });
  }
  await w.close();
}

async function copyDataset(w: ZarrWriter, ds: Dataset, options: ZarrWriteOptions): Promise<void> {
  for (const v of ds.source.variables) {
    if (v.dtype === "string" || v.dtype === "char") {
      throw new ZarrError("INVALID_WRITE", `${v.dtype} variables are not supported by the writer`, {
        file: w.name,
        variable: v.name,
      });
    }
    const fill = attrNumber(v.attrs, "_FillValue");
    await w.defineVariable(v.name, {
      dims: v.dims,
      shape: v.shape,
      dtype: v.dtype,
      chunks: options.encoding?.[v.name]?.chunks,
      attrs: { ...v.attrs },
      fillValue: fill,
    });
    if (v.shape.length === 0) {
      await w.write(v.name, await v.read());
      continue;
    }
    // One slab of chunk rows at a time: memory stays bounded whatever the variable's size.
    const rows = w.chunksOf(v.name)[0];
    for (let at = 0; at < v.shape[0]; at += rows) {
      const start = v.shape.map((_, i) => (i === 0 ? at : 0));
      const count = v.shape.map((len, i) => (i === 0 ? Math.min(rows, len - at) : len));
      await w.write(v.name, await v.read(start, count), start, count);
    }
  }
}

async function writeArrays(
  w: ZarrWriter,
  arrays: readonly DataArray[],
  options: ZarrWriteOptions,
): Promise<void> {
  const done = new Set<string>();
  for (const a of arrays) {
    for (const [cname, c] of Object.entries(a.coords)) {
      if (done.has(cname)) continue;
      done.add(cname);
      if (Array.isArray(c.values)) {
        throw new ZarrError("INVALID_WRITE", "string coordinates are not supported by the writer", {
          file: w.name,
          variable: cname,
        });
      }
      const cshape = c.dims.map((d) => a.shape[a.dims.indexOf(d)]);
      await w.defineVariable(cname, {
        dims: c.dims,
        shape: cshape,
        dtype: "float64",
        attrs: { ...c.attrs },
      });
      await w.write(cname, c.values);
    }
  }
  for (const a of arrays) {
    if (done.has(a.name))
      throw new ZarrError("INVALID_WRITE", "two variables share this name", {
        file: w.name,
        variable: a.name,
      });
    done.add(a.name);
    if (Array.isArray(a.data)) {
      throw new ZarrError("INVALID_WRITE", "string variables are not supported by the writer", {
        file: w.name,
        variable: a.name,
      });
    }
    const enc = options.encoding?.[a.name] ?? {};
    const attrs: Attrs = { ...a.attrs };
    const extra = Object.entries(a.coords)
      .filter(([n, c]) => !(c.dims.length === 1 && c.dims[0] === n))
      .map(([n]) => n);
    if (extra.length > 0) attrs.coordinates = extra.join(" ");
    const packed = pack(a, enc, attrs, w.name);
    await w.defineVariable(a.name, {
      dims: a.dims,
      shape: a.shape,
      dtype: packed.dtype,
      chunks: enc.chunks,
      attrs,
      fillValue: packed.fill,
    });
    await w.write(a.name, packed.data);
  }
}

const INT_RANGE: Partial<Record<ZarrWriteDType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

function pack(
  a: DataArray,
  enc: ZarrVariableEncoding,
  attrs: Attrs,
  file: string,
): { dtype: ZarrWriteDType; data: TypedArray; fill: number | undefined } {
  const data = a.data as TypedArray;
  const src = (a.encoding.dtype as ZarrWriteDType | undefined) ?? undefined;
  const isFloatData = data instanceof Float32Array || data instanceof Float64Array;
  const dtype: ZarrWriteDType =
    enc.dtype ??
    (isFloatData
      ? data instanceof Float32Array
        ? "float32"
        : "float64"
      : (src ?? (dtypeName(data) as ZarrWriteDType)));
  const range = INT_RANGE[dtype];
  if (range === undefined) {
    // Float (or 64-bit integer) storage: values as they are, NaN stays NaN.
    if (enc.scale_factor !== undefined || enc.add_offset !== undefined) {
      throw new ZarrError(
        "INVALID_WRITE",
        `packing needs an integer dtype up to 32 bits, got ${dtype}`,
        { file, variable: a.name },
      );
    }
    const out = allocate(dtype, data.length) as TypedArray;
    copyRow(out, 0, data, 0, data.length, dtype === "int64" || dtype === "uint64");
    return { dtype, data: out, fill: enc._FillValue };
  }
  const scale = enc.scale_factor ?? 1;
  const offset = enc.add_offset ?? 0;
  if (!(Number.isFinite(scale) && scale !== 0 && Number.isFinite(offset))) {
    throw new ZarrError(
      "INVALID_WRITE",
      `scale_factor ${scale} / add_offset ${offset} must be finite, scale non-zero`,
      { file, variable: a.name },
    );
  }
  const needsFill = isFloatData && data.some((v) => Number.isNaN(v as number));
  const fill =
    enc._FillValue ?? (needsFill ? (dtype.startsWith("u") ? range[1] : range[0] + 1) : undefined);
  if (fill !== undefined && (fill < range[0] || fill > range[1] || !Number.isInteger(fill))) {
    throw new ZarrError("INVALID_WRITE", `_FillValue ${fill} does not fit ${dtype}`, {
      file,
      variable: a.name,
    });
  }
  const out = allocate(dtype, data.length) as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (Number.isNaN(v)) {
      if (fill === undefined)
        throw new ZarrError("INVALID_WRITE", `NaN at index ${i} but ${dtype} has no _FillValue`, {
          file,
          variable: a.name,
        });
      out[i] = fill;
      continue;
    }
    const p = Math.round((v - offset) / scale);
    if (p < range[0] || p > range[1] || p === fill) {
      throw new ZarrError(
        "INVALID_WRITE",
        `value ${v} at index ${i} packs to ${p}, outside ${dtype} or equal to the fill value`,
        { file, variable: a.name },
      );
    }
    out[i] = p;
  }
  if (enc.scale_factor !== undefined) attrs.scale_factor = scale;
  if (enc.add_offset !== undefined) attrs.add_offset = offset;
  if (fill !== undefined) attrs._FillValue = fill;
  return { dtype, data: out, fill };
}

function dtypeName(data: TypedArray): string {
  if (data instanceof Int8Array) return "int8";
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int16Array) return "int16";
  if (data instanceof Uint16Array) return "uint16";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint32Array) return "uint32";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof BigUint64Array) return "uint64";
  if (data instanceof Float32Array) return "float32";
  return "float64";
}
