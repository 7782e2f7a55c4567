import {
  type ArrayData,
  type Attrs,
  allocate,
  DTYPE_BYTES,
  type DType,
  sizeOf,
  stridesOf,
  type TypedArray,
} from "@geoml/grid";
import { type ChunkEncoder, type Compressor, chunkEncoder } from "./codecs.js";
import { ZarrError } from "./errors.js";
import { jsonBytes } from "./json.js";
import type { WritableZarrStore } from "./store.js";
/** Numeric dtypes the writer stores. */
export type ZarrWriteDType = Exclude<DType, "char" | "string">;

/** Options shared by {@link createZarr} and {@link writeZarr}. */
export interface ZarrCreateOptions {
  /** Zarr format: 3 (default) or 2 (what xarray and zarr-python 2 read). */
  format?: 2 | 3;
  /** Chunk compressor: default `"gzip"` for v3, `"zlib"` for v2; `"blosc"` (lz4 + shuffle) and `"none"` too. */
  compressor?: Compressor;
  /** Compression level (zlib/gzip 1–9, Blosc 1–9; default 5). */
  level?: number;
  /** Global attributes. */
  attrs?: Attrs;
  /** Write consolidated metadata on `close()` (default true): one request opens the store remotely. */
  consolidated?: boolean;
  /** Replace an existing store at the target (default false: refuse). */
  overwrite?: boolean;
}

/** A variable to create with {@link ZarrWriter.defineVariable}. */
export interface ZarrVariableSpec {
  /** Dimension names, outermost first. */
  dims: readonly string[];
  /** Length of each dimension. */
  shape: readonly number[];
  /** Stored element type. */
  dtype: ZarrWriteDType;
  /** Chunk length per dimension (default: whole trailing dimensions, about 1 Mi elements a chunk). */
  chunks?: readonly number[];
  /** Attributes (CF: `units`, `scale_factor`, `add_offset`, `_FillValue`, …). */
  attrs?: Attrs;
  /** Value of cells never written (and of `_FillValue` when packing); default NaN for floats, none for integers. */
  fillValue?: number;
}

/** Packing applied by {@link writeZarr} to one variable: store `round((v - add_offset) / scale_factor)` as `dtype`, NaN as `_FillValue`. */
export interface ZarrVariableEncoding {
  dtype?: ZarrWriteDType;
  scale_factor?: number;
  add_offset?: number;
  _FillValue?: number;
  chunks?: readonly number[];
}

/** Options of {@link writeZarr}. */
export interface ZarrWriteOptions extends ZarrCreateOptions {
  /** Per-variable packing and chunking, by variable name. */
  encoding?: Record<string, ZarrVariableEncoding>;
}

const V2_DTYPE: Record<ZarrWriteDType, string> = {
  int8: "|i1",
  uint8: "|u1",
  int16: "<i2",
  uint16: "<u2",
  int32: "<i4",
  uint32: "<u4",
  int64: "<i8",
  uint64: "<u8",
  float32: "<f4",
  float64: "<f8",
};
const TARGET_CHUNK = 1 << 20;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** @internal a variable the writer can write to */
export interface Defined {
  spec: ZarrVariableSpec;
  chunks: number[];
  fill: number | null;
  encoder: ChunkEncoder;
  meta: Record<string, unknown>;
  attrs: Record<string, unknown>;
}

/**
 * Writes a Zarr store incrementally: define variables, then write whole variables or
 * chunk-aligned regions (a batch job writes each tile as it finishes), then `close()` to
 * write the group metadata (consolidated by default). Regions never written read back as
 * the fill value.
 *
 * @example
 * ```ts
 * const w = await createZarr("out.zarr", { format: 3 });
 * await w.defineVariable("slope", { dims: ["lat", "lon"], shape: [180, 360], dtype: "float32", chunks: [90, 90] });
 * await w.write("slope", tile, [0, 90]); // a 90×90 tile at lat 0, lon 90
 * await w.close();
 * ```
 */
export class ZarrWriter {
  private readonly vars = new Map<string, Defined>();
  private readonly refused = new Map<string, ZarrError>();
  /** Metadata of arrays not written here, kept in the consolidated metadata. */
  private readonly kept = new Map<
    string,
    { meta: Record<string, unknown>; attrs: Record<string, unknown> }
  >();
  private closed = false;

  /** @internal use {@link createZarr} */
  constructor(
    readonly store: WritableZarrStore,
    readonly name: string,
    readonly format: 2 | 3,
    private readonly options: ZarrCreateOptions,
  ) {}

  /** @internal register an array that already exists in the store (see {@link openZarrWriter}) */
  adopt(
    name: string,
    defined:
      | Defined
      | { error: ZarrError; meta: Record<string, unknown>; attrs: Record<string, unknown> },
  ): void {
    if ("error" in defined) {
      this.refused.set(name, defined.error);
      this.kept.set(name, defined);
    } else this.vars.set(name, defined);
  }

  private err(message: string, variable?: string): ZarrError {
    return new ZarrError("INVALID_WRITE", message, { file: this.name, variable });
  }

  /**
   * Create array `name` (its metadata is written now).
   *
   * @throws ZarrError `INVALID_WRITE` for a bad name, shape, chunks or dtype, or a name already defined
   */
  async defineVariable(name: string, spec: ZarrVariableSpec): Promise<void> {
    if (this.closed) throw new ZarrError("CLOSED", "writer is closed", { file: this.name });
    if (typeof name !== "string" || !/^[^/\\.][^/\\]*$/.test(name) || name.startsWith("__")) {
      throw this.err(`variable name ${JSON.stringify(name)} is not a valid Zarr node name`);
    }
    if (this.vars.has(name)) throw this.err("variable is already defined", name);
    const { dims, shape, dtype } = spec ?? ({} as ZarrVariableSpec);
    if (V2_DTYPE[dtype] === undefined)
      throw this.err(
        `dtype must be one of ${Object.keys(V2_DTYPE).join(", ")}, got ${JSON.stringify(dtype)}`,
        name,
      );
    if (!Array.isArray(shape) || !shape.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw this.err(
        `shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`,
        name,
      );
    }
    if (
      !Array.isArray(dims) ||
      dims.length !== shape.length ||
      !dims.every((d) => typeof d === "string" && d.length > 0)
    ) {
      throw this.err(
        `dims must name each of the ${shape.length} dimensions, got ${JSON.stringify(dims)}`,
        name,
      );
    }
    const chunks = spec.chunks === undefined ? defaultChunks(shape) : [...spec.chunks];
    if (chunks.length !== shape.length || !chunks.every((c) => Number.isSafeInteger(c) && c >= 1)) {
      throw this.err(
        `chunks must hold one positive integer per dimension, got ${JSON.stringify(spec.chunks)}`,
        name,
      );
    }
    const isFloat = dtype === "float32" || dtype === "float64";
    const fill = spec.fillValue ?? (isFloat ? Number.NaN : null);
    if (fill !== null && typeof fill !== "number")
      throw this.err(`fillValue must be a number, got ${JSON.stringify(fill)}`, name);
    const compressor = this.options.compressor ?? (this.format === 3 ? "gzip" : "zlib");
    const encoder = await chunkEncoder(
      compressor,
      this.format,
      DTYPE_BYTES[dtype],
      this.options.level,
    );
    const attrs: Record<string, unknown> = { ...(spec.attrs ?? {}) };
    let meta: Record<string, unknown>;
    if (this.format === 2) {
      // xarray's layout: the fill value lives in .zarray only; dims in _ARRAY_DIMENSIONS.
      delete attrs._FillValue;
      attrs._ARRAY_DIMENSIONS = [...dims];
      meta = {
        zarr_format: 2,
        shape: [...shape],
        chunks,
        dtype: V2_DTYPE[dtype],
        compressor: encoder.meta,
        fill_value: fill,
        order: "C",
        filters: null,
        dimension_separator: ".",
      };
      await this.store.set(`/${name}/.zarray`, jsonBytes(meta));
      await this.store.set(`/${name}/.zattrs`, jsonBytes(attrs));
    } else {
      if (fill !== null && !Number.isNaN(fill)) attrs._FillValue = fill;
      const codecs: unknown[] = [{ name: "bytes", configuration: { endian: "little" } }];
      if (encoder.meta !== null) codecs.push(encoder.meta);
      meta = {
        zarr_format: 3,
        node_type: "array",
        shape: [...shape],
        data_type: dtype,
        chunk_grid: { name: "regular", configuration: { chunk_shape: chunks } },
        chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
        fill_value: fill ?? 0,
        codecs,
        attributes: attrs,
        dimension_names: [...dims],
      };
      await this.store.set(`/${name}/zarr.json`, jsonBytes(meta));
    }
    this.vars.set(name, {
      spec: { ...spec, dims: [...dims], shape: [...shape] },
      chunks,
      fill,
      encoder,
      meta,
      attrs,
    });
  }

  /** Chunk shape of a defined variable. */
  chunksOf(name: string): number[] {
    const v = this.vars.get(name);
    if (v === undefined) throw this.err("variable is not defined; call defineVariable first", name);
    return [...v.chunks];
  }

  /**
   * Write `data` (row-major, the variable's dtype or any numeric typed array) at `start`
   * (default the origin). The region must start on a chunk boundary and end on one or at the
   * array's edge, so every chunk is written whole and never read back.
   *
   * @throws ZarrError `INVALID_WRITE` for an unknown variable, a misaligned or out-of-range region, or a wrong length
   */
  async write(
    name: string,
    data: ArrayData,
    start?: readonly number[],
    count?: readonly number[],
  ): Promise<void> {
    if (this.closed) throw new ZarrError("CLOSED", "writer is closed", { file: this.name });
    const v = this.vars.get(name);
    const refused = this.refused.get(name);
    if (refused !== undefined) throw refused;
    if (v === undefined) throw this.err("variable is not defined; call defineVariable first", name);
    const { shape, dtype } = v.spec;
    const rank = shape.length;
    const s = start === undefined ? new Array<number>(rank).fill(0) : [...start];
    const c = count === undefined ? shape.map((n, i) => n - s[i]) : [...count];
    if (s.length !== rank || c.length !== rank) throw this.err(`region rank must be ${rank}`, name);
    for (let i = 0; i < rank; i++) {
      const end = s[i] + c[i];
      if (
        !Number.isInteger(s[i]) ||
        !Number.isInteger(c[i]) ||
        s[i] < 0 ||
        c[i] < 0 ||
        end > shape[i]
      ) {
        throw this.err(
          `region start ${s[i]} count ${c[i]} is outside dimension '${v.spec.dims[i]}' (length ${shape[i]})`,
          name,
        );
      }
      if (s[i] % v.chunks[i] !== 0 || (end % v.chunks[i] !== 0 && end !== shape[i])) {
        throw this.err(
          `region [${s[i]}, ${end}) on '${v.spec.dims[i]}' is not aligned to its chunks of ${v.chunks[i]}`,
          name,
        );
      }
    }
    if (Array.isArray(data) || !ArrayBuffer.isView(data))
      throw this.err("data must be a numeric typed array", name);
    if (data.length !== sizeOf(c))
      throw this.err(`data holds ${data.length} values; the region holds ${sizeOf(c)}`, name);
    if (!LITTLE_ENDIAN)
      throw new ZarrError("UNSUPPORTED", "writing on a big-endian host is not supported", {
        file: this.name,
      });
    const cells = sizeOf(v.chunks);
    const strides = stridesOf(c);
    const first = s.map((a, i) => a / v.chunks[i]);
    const nChunks = c.map((n, i) => Math.ceil(n / v.chunks[i]));
    const idx = new Array<number>(rank).fill(0);
    if (sizeOf(nChunks) === 0) return;
    const isBig = dtype === "int64" || dtype === "uint64";
    for (;;) {
      const chunk = allocate(dtype, cells) as TypedArray;
      if (v.fill !== null && v.fill !== 0)
        (chunk as { fill(x: unknown): void }).fill(isBig ? BigInt(v.fill) : v.fill);
      // Copy the part of the region inside this chunk, row by row of the innermost axis.
      const lo = idx.map((k, i) => k * v.chunks[i]);
      const ext = lo.map((l, i) => Math.min(v.chunks[i], c[i] - l));
      const rows = sizeOf(ext.slice(0, -1));
      const inner = rank === 0 ? 1 : ext[rank - 1];
      const rowIdx = new Array<number>(Math.max(0, rank - 1)).fill(0);
      for (let r = 0; r < rows; r++) {
        let src = rank === 0 ? 0 : lo[rank - 1];
        let dst = 0;
        const cs = stridesOf(v.chunks);
        for (let i = 0; i < rank - 1; i++) {
          src += (lo[i] + rowIdx[i]) * strides[i];
          dst += rowIdx[i] * cs[i];
        }
        copyRow(chunk, dst, data as TypedArray, src, inner, isBig);
        for (let i = rank - 2; i >= 0; i--) {
          if (++rowIdx[i] < ext[i]) break;
          rowIdx[i] = 0;
        }
      }
      const bytes = await v.encoder.encode(
        new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
      const key = chunkKey(
        this.format,
        name,
        idx.map((k, i) => first[i] + k),
      );
      await this.store.set(key, bytes);
      let axis = rank - 1;
      while (axis >= 0) {
        if (++idx[axis] < nChunks[axis]) break;
        idx[axis] = 0;
        axis--;
      }
      if (axis < 0) break;
    }
  }

  /** Write the group metadata (and consolidated metadata); the writer cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const attrs = { ...(this.options.attrs ?? {}) };
    const consolidated = this.options.consolidated ?? true;
    if (this.format === 2) {
      await this.store.set("/.zgroup", jsonBytes({ zarr_format: 2 }));
      await this.store.set("/.zattrs", jsonBytes(attrs));
      if (consolidated) {
        const metadata: Record<string, unknown> = {
          ".zgroup": { zarr_format: 2 },
          ".zattrs": attrs,
        };
        for (const [n, v] of [...this.kept, ...this.vars]) {
          metadata[`${n}/.zarray`] = v.meta;
          metadata[`${n}/.zattrs`] = v.attrs;
        }
        await this.store.set("/.zmetadata", jsonBytes({ zarr_consolidated_format: 1, metadata }));
      }
    } else {
      const root: Record<string, unknown> = {
        zarr_format: 3,
        node_type: "group",
        attributes: attrs,
      };
      if (consolidated) {
        root.consolidated_metadata = {
          kind: "inline",
          must_understand: false,
          metadata: Object.fromEntries([...this.kept, ...this.vars].map(([n, v]) => [n, v.meta])),
        };
      }
      await this.store.set("/zarr.json", jsonBytes(root));
    }
  }
}

function chunkKey(format: 2 | 3, name: string, coords: number[]): `/${string}` {
  if (format === 2) return `/${name}/${coords.length === 0 ? "0" : coords.join(".")}`;
  return `/${name}/c${coords.map((k) => `/${k}`).join("")}`;
}

/** Copy `n` values from `src` at `s` to `dst` at `d`, converting between element types. */
export function copyRow(
  dst: TypedArray,
  d: number,
  src: TypedArray,
  s: number,
  n: number,
  big: boolean,
): void {
  const sameKind =
    (dst instanceof BigInt64Array || dst instanceof BigUint64Array) ===
    (src instanceof BigInt64Array || src instanceof BigUint64Array);
  if (sameKind && dst.constructor === src.constructor) {
    (dst as Float64Array).set((src as Float64Array).subarray(s, s + n), d);
    return;
  }
  for (let k = 0; k < n; k++) {
    const v = src[s + k];
    (dst as unknown as { [i: number]: unknown })[d + k] = big
      ? BigInt(Math.round(Number(v)))
      : Number(v);
  }
}

function defaultChunks(shape: readonly number[]): number[] {
  const chunks = [...shape].map((n) => Math.max(1, n));
  for (let i = 0; i < chunks.length && sizeOf(chunks) > TARGET_CHUNK; i++) {
    const rest = sizeOf(chunks.slice(i + 1));
    chunks[i] = Math.max(1, Math.min(chunks[i], Math.floor(TARGET_CHUNK / rest)));
  }
  return chunks;
}

/** The store a writer writes to, and its name for messages. */
export async function resolveTarget(
  target: string | WritableZarrStore,
  overwrite: boolean,
  existing = false,
): Promise<[WritableZarrStore, string]> {
  if (typeof target === "string") {
    if (/^[a-z]+:\/\//i.test(target)) {
      throw new ZarrError(
        "INVALID_ARGUMENT",
        "the writer writes to a directory or a store object, not a URL",
        { file: target },
      );
    }
    const { FileSystemStore } = await import("./fs-store.js");
    const store = new FileSystemStore(target);
    if (existing) return [store, target];
    const found = (await store.list("/")).filter((e) =>
      ["zarr.json", ".zgroup", ".zarray"].includes(e),
    );
    if (found.length > 0) {
      if (!overwrite) {
        throw new ZarrError(
          "INVALID_WRITE",
          "a Zarr store already exists here; pass overwrite: true to replace it",
          { file: target },
        );
      }
      const { rm } = await import("node:fs/promises");
      await rm(target, { recursive: true, force: true });
    }
    return [store, target];
  }
  if (target === null || typeof target !== "object" || typeof target.set !== "function") {
    throw new ZarrError(
      "INVALID_ARGUMENT",
      "target must be a directory path or a store with set(key, bytes)",
    );
  }
  return [target, "(store)"];
}

/**
 * Start writing a Zarr store (v3 by default, v2 with `format: 2`) at a directory or into a
 * store object; see {@link ZarrWriter}.
 *
 * @throws ZarrError `INVALID_WRITE` when a store exists there and `overwrite` is not set
 */
export async function createZarr(
  target: string | WritableZarrStore,
  options: ZarrCreateOptions = {},
): Promise<ZarrWriter> {
  const format = options.format ?? 3;
  if (format !== 2 && format !== 3)
    throw new ZarrError("INVALID_ARGUMENT", `format must be 2 or 3, got ${JSON.stringify(format)}`);
  const [store, name] = await resolveTarget(target, options.overwrite ?? false);
  return new ZarrWriter(store, name, format, options);
}
