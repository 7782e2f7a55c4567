import type { Attrs, AttrValue, DType } from "@geoml/grid";
import { ZarrError } from "./errors.js";

/** One array's metadata, checked and normalised from v2 (`.zarray` + `.zattrs`) or v3 (`zarr.json`). */
export interface ArrayMeta {
  /** Path of the array inside the store, without leading `/` (`sst`, `grp/t`). */
  readonly path: string;
  readonly format: 2 | 3;
  readonly shape: number[];
  readonly chunks: number[];
  /** The zarrita data type (`float32`, `v2:U8`, `bool`, …). */
  readonly zarrDtype: string;
  /** The dtype the grid sees. */
  readonly dtype: DType;
  /** Bytes of one decoded element (strings: an estimate used for limits). */
  readonly itemSize: number;
  readonly dimensionNames?: string[];
  /** Raw JSON attributes. */
  readonly attributes: Record<string, unknown>;
  /** Stored fill value (v2 `fill_value`, v3 `fill_value`), null when none. */
  readonly fillValue: unknown;
  /** Names of the byte compressors used (`numcodecs.blosc`, `gzip`, …), for guards. */
  readonly compressors: string[];
  /** The v3 inner chunk shape when the array is sharded. */
  readonly innerChunks?: number[];
  /** The metadata exactly as stored. */
  readonly raw: Record<string, unknown>;
}

const NUMERIC: Record<string, [DType, number]> = {
  int8: ["int8", 1],
  uint8: ["uint8", 1],
  int16: ["int16", 2],
  uint16: ["uint16", 2],
  int32: ["int32", 4],
  uint32: ["uint32", 4],
  int64: ["int64", 8],
  uint64: ["uint64", 8],
  float32: ["float32", 4],
  float64: ["float64", 8],
  bool: ["uint8", 1],
};

const V2_KIND: Record<string, string> = { i: "int", u: "uint", f: "float" };
const MAX_RANK = 32;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(path: string, ctx: { file?: string }, message: string): never {
  throw new ZarrError("CORRUPT_METADATA", message, { file: ctx.file, variable: path || "/" });
}

function intList(
  v: unknown,
  what: string,
  path: string,
  ctx: { file?: string },
  min: number,
): number[] {
  if (!Array.isArray(v) || v.length > MAX_RANK) {
    fail(
      path,
      ctx,
      `${what} must be a list of at most ${MAX_RANK} integers, got ${JSON.stringify(v)?.slice(0, 80)}`,
    );
  }
  for (const x of v) {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < min) {
      fail(path, ctx, `${what} must hold integers ≥ ${min}, got ${JSON.stringify(v).slice(0, 80)}`);
    }
  }
  return v as number[];
}

/** The grid dtype and element size of a zarrita data type, or an error naming the array. */
function dtypeOf(zarrDtype: string, path: string, ctx: { file?: string }): [DType, number] {
  const n = NUMERIC[zarrDtype];
  if (n !== undefined) return n;
  if (zarrDtype === "string" || zarrDtype === "v2:object") return ["string", 16];
  const m = /^v2:([US])(\d+)$/.exec(zarrDtype);
  if (m !== null) return ["string", Number(m[2]) * (m[1] === "U" ? 4 : 1)];
  throw new ZarrError("UNSUPPORTED", `data type '${zarrDtype}' is not supported`, {
    file: ctx.file,
    variable: path,
  });
}

/** zarrita's name for a v2 NumPy dtype string (`<f4` → `float32`, `|b1` → `bool`). */
export function v2DtypeName(dtype: unknown, path: string, ctx: { file?: string }): string {
  if (typeof dtype !== "string") {
    if (Array.isArray(dtype)) {
      throw new ZarrError("UNSUPPORTED", "structured (record) dtypes are not supported", {
        file: ctx.file,
        variable: path,
      });
    }
    fail(path, ctx, `.zarray dtype must be a string, got ${JSON.stringify(dtype)}`);
  }
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(dtype);
  if (m === null) {
    if (dtype === "|O") return "v2:object";
    throw new ZarrError("UNSUPPORTED", `dtype '${dtype}' is not supported`, {
      file: ctx.file,
      variable: path,
    });
  }
  const [, , kind, size] = m;
  if (kind === "b" && size === "1") return "bool";
  if (kind === "U" || kind === "S") return `v2:${kind}${size}`;
  const base = V2_KIND[kind];
  if (base === undefined) {
    throw new ZarrError("UNSUPPORTED", `dtype '${dtype}' is not supported`, {
      file: ctx.file,
      variable: path,
    });
  }
  return `${base}${Number(size) * 8}`;
}

function codecName(c: unknown, path: string, ctx: { file?: string }): string {
  if (!isObject(c)) fail(path, ctx, `codec entry must be an object, got ${JSON.stringify(c)}`);
  const name = c.name ?? c.id;
  if (typeof name !== "string")
    fail(path, ctx, `codec entry without a name: ${JSON.stringify(c).slice(0, 80)}`);
  return name;
}

/** Check and normalise a v2 array's `.zarray` and `.zattrs`. */
export function arrayMetaV2(
  path: string,
  zarray: unknown,
  zattrs: unknown,
  ctx: { file?: string },
): ArrayMeta {
  if (!isObject(zarray)) fail(path, ctx, ".zarray is not a JSON object");
  if (zarray.zarr_format !== 2)
    fail(path, ctx, `.zarray zarr_format must be 2, got ${JSON.stringify(zarray.zarr_format)}`);
  const attributes = zattrs === undefined ? {} : zattrs;
  if (!isObject(attributes)) fail(path, ctx, ".zattrs is not a JSON object");
  const shape = intList(zarray.shape, "shape", path, ctx, 0);
  const chunks = intList(zarray.chunks, "chunks", path, ctx, 1);
  if (chunks.length !== shape.length)
    fail(path, ctx, `chunks ${JSON.stringify(chunks)} do not match shape ${JSON.stringify(shape)}`);
  if (zarray.order !== "C" && zarray.order !== "F")
    fail(path, ctx, `order must be "C" or "F", got ${JSON.stringify(zarray.order)}`);
  const zarrDtype = v2DtypeName(zarray.dtype, path, ctx);
  const [dtype, itemSize] = dtypeOf(zarrDtype, path, ctx);
  const compressors: string[] = [];
  if (zarray.compressor !== null && zarray.compressor !== undefined) {
    compressors.push(`numcodecs.${codecName(zarray.compressor, path, ctx)}`);
  }
  if (zarray.filters !== null && zarray.filters !== undefined) {
    if (!Array.isArray(zarray.filters)) fail(path, ctx, "filters must be a list or null");
    for (const f of zarray.filters) compressors.push(`numcodecs.${codecName(f, path, ctx)}`);
  }
  if (
    zarray.dimension_separator !== undefined &&
    zarray.dimension_separator !== "." &&
    zarray.dimension_separator !== "/"
  ) {
    fail(
      path,
      ctx,
      `dimension_separator must be "." or "/", got ${JSON.stringify(zarray.dimension_separator)}`,
    );
  }
  const dimsAttr = attributes._ARRAY_DIMENSIONS;
  let dimensionNames: string[] | undefined;
  if (dimsAttr !== undefined) {
    if (
      !Array.isArray(dimsAttr) ||
      dimsAttr.length !== shape.length ||
      !dimsAttr.every((d) => typeof d === "string")
    ) {
      fail(
        path,
        ctx,
        `_ARRAY_DIMENSIONS ${JSON.stringify(dimsAttr).slice(0, 80)} does not name the ${shape.length} dimensions`,
      );
    }
    dimensionNames = dimsAttr as string[];
  }
  return {
    path,
    format: 2,
    shape,
    chunks,
    zarrDtype,
    dtype,
    itemSize,
    dimensionNames,
    attributes,
    fillValue: zarray.fill_value ?? null,
    compressors,
    raw: zarray,
  };
}

/** Check and normalise a v3 array's `zarr.json`. */
export function arrayMetaV3(
  path: string,
  meta: Record<string, unknown>,
  ctx: { file?: string },
): ArrayMeta {
  const shape = intList(meta.shape, "shape", path, ctx, 0);
  const grid = meta.chunk_grid;
  if (!isObject(grid) || grid.name !== "regular" || !isObject(grid.configuration)) {
    throw new ZarrError(
      "UNSUPPORTED",
      `chunk_grid ${JSON.stringify(grid)?.slice(0, 80)} is not supported (only "regular")`,
      {
        file: ctx.file,
        variable: path,
      },
    );
  }
  const chunks = intList(grid.configuration.chunk_shape, "chunk_shape", path, ctx, 1);
  if (chunks.length !== shape.length)
    fail(
      path,
      ctx,
      `chunk_shape ${JSON.stringify(chunks)} does not match shape ${JSON.stringify(shape)}`,
    );
  if (typeof meta.data_type !== "string") {
    throw new ZarrError(
      "UNSUPPORTED",
      `data_type ${JSON.stringify(meta.data_type)?.slice(0, 80)} is not supported`,
      {
        file: ctx.file,
        variable: path,
      },
    );
  }
  const zarrDtype = meta.data_type;
  const [dtype, itemSize] = dtypeOf(zarrDtype, path, ctx);
  if (!Array.isArray(meta.codecs) || meta.codecs.length === 0)
    fail(path, ctx, "codecs must be a non-empty list");
  const compressors: string[] = [];
  let innerChunks: number[] | undefined;
  for (const c of meta.codecs) {
    const name = codecName(c, path, ctx);
    compressors.push(name);
    if (name === "sharding_indexed") {
      const conf = (c as Record<string, unknown>).configuration;
      if (!isObject(conf)) fail(path, ctx, "sharding_indexed without configuration");
      innerChunks = intList(conf.chunk_shape, "sharding chunk_shape", path, ctx, 1);
      if (innerChunks.length !== shape.length || innerChunks.some((n, i) => chunks[i] % n !== 0)) {
        fail(
          path,
          ctx,
          `inner chunk shape ${JSON.stringify(innerChunks)} does not divide the shard shape ${JSON.stringify(chunks)}`,
        );
      }
      if (Array.isArray(conf.codecs))
        for (const ic of conf.codecs) compressors.push(codecName(ic, path, ctx));
    }
  }
  const attributes = meta.attributes ?? {};
  if (!isObject(attributes)) fail(path, ctx, "attributes is not a JSON object");
  let dimensionNames: string[] | undefined;
  const dn = meta.dimension_names;
  if (dn !== undefined && dn !== null) {
    if (!Array.isArray(dn) || dn.length !== shape.length) {
      fail(
        path,
        ctx,
        `dimension_names ${JSON.stringify(dn).slice(0, 80)} does not name the ${shape.length} dimensions`,
      );
    }
    if (dn.every((d) => typeof d === "string")) dimensionNames = dn as string[];
  }
  return {
    path,
    format: 3,
    shape,
    chunks,
    zarrDtype,
    dtype,
    itemSize,
    dimensionNames,
    attributes,
    fillValue: meta.fill_value ?? null,
    compressors,
    innerChunks,
    raw: meta,
  };
}

const CF_NUMERIC = new Set([
  "_FillValue",
  "missing_value",
  "scale_factor",
  "add_offset",
  "valid_min",
  "valid_max",
  "valid_range",
]);

function specialNumber(v: unknown): unknown {
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  return v;
}

/**
 * JSON attributes as grid attributes: numbers, text and homogeneous lists pass through;
 * booleans become 0/1 (as netCDF stores them); anything else is kept as its JSON text.
 * The CF packing keys written as `"NaN"` (JSON has no NaN) become numbers again.
 */
export function toAttrs(attributes: Record<string, unknown>, skip: readonly string[] = []): Attrs {
  const out: Attrs = {};
  for (const [k, raw] of Object.entries(attributes)) {
    if (skip.includes(k) || raw === null || raw === undefined) continue;
    const v = CF_NUMERIC.has(k)
      ? Array.isArray(raw)
        ? raw.map(specialNumber)
        : specialNumber(raw)
      : raw;
    let a: AttrValue;
    if (typeof v === "number" || typeof v === "string") a = v;
    else if (typeof v === "boolean") a = v ? 1 : 0;
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number"))
      a = v as number[];
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"))
      a = v as string[];
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "boolean"))
      a = v.map((x) => (x ? 1 : 0));
    else a = JSON.stringify(v);
    out[k] = a;
  }
  return out;
}
