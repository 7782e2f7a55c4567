import { isAbsolute, resolve } from "node:path";
import { type Attrs, DTYPE_BYTES, type DType, sizeOf } from "@geoml/grid";
import { NetcdfError } from "../errors.js";
import type { RawVariable, WriteOptions } from "../nc3/writer.js";
import { hdf5Call } from "./reader.js";

/** Default chunks hold about this many bytes (netCDF-C aims at a few MiB at most). */
const CHUNK_BYTES = 1 << 20;

/** One variable as the HDF5 worker writes it. */
interface WriteVariable {
  name: string;
  dims: string[];
  shape: number[];
  dtype: DType;
  attrs: Attrs;
  data: ArrayBufferView;
  chunks?: number[];
  deflate: number;
}

/**
 * Write prepared variables (stored values and final attributes) as NetCDF-4: HDF5 through
 * h5wasm, in the HDF5 worker. Dimensions become HDF5 dimension scales (a coordinate variable
 * is its dimension's scale; other dimensions get netCDF-C's placeholder scale), the unlimited
 * dimension is extensible, and data are chunked (when unlimited or compressed, or when asked)
 * and deflated. Variable and dimension names with `/` are written inside groups
 * (`"grp1/T"`).
 *
 * @throws NetcdfError `INVALID_WRITE` for bad encodings, `UNSUPPORTED`, `IO_ERROR`
 */
export async function writeNetcdf4(
  path: string,
  dims: Map<string, number>,
  vars: RawVariable[],
  options: WriteOptions,
): Promise<void> {
  const unlimited = options.unlimited;
  if (unlimited !== undefined && !dims.has(unlimited)) {
    throw new NetcdfError("INVALID_WRITE", `unlimited dimension '${unlimited}' is not used`, {
      file: path,
    });
  }
  const level = (x: unknown, variable?: string): number => {
    if (x === undefined) return 0;
    if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > 9) {
      throw new NetcdfError("INVALID_WRITE", `deflate must be an integer 0–9, got ${String(x)}`, {
        file: path,
        variable,
      });
    }
    return x;
  };
  const defaultLevel = level(options.deflate);
  const shuffled = Object.entries(options.encoding ?? {}).find(
    ([, e]) => (e as { shuffle?: unknown }).shuffle,
  );
  if (shuffled !== undefined) {
    throw new NetcdfError(
      "UNSUPPORTED",
      "the shuffle filter cannot be written: h5wasm 0.10 sets one HDF5 filter per variable (deflate)",
      { file: path, variable: shuffled[0] },
    );
  }
  const out: WriteVariable[] = vars.map((v) => {
    const ctx = { file: path, variable: v.name };
    if (v.dtype === "string" || v.dtype === "char" || Array.isArray(v.data)) {
      throw new NetcdfError("INVALID_WRITE", "text variables are not supported", ctx);
    }
    const shape = v.dims.map((d) => dims.get(d)!);
    if (unlimited !== undefined && v.dims.includes(unlimited) && v.dims[0] !== unlimited) {
      throw new NetcdfError("INVALID_WRITE", `'${unlimited}' must be the first dimension`, ctx);
    }
    const enc = options.encoding?.[v.name];
    const deflate = enc?.deflate === undefined ? defaultLevel : level(enc.deflate, v.name);
    const extensible = unlimited !== undefined && v.dims[0] === unlimited;
    let chunks = enc?.chunks;
    if (chunks !== undefined) {
      if (
        !Array.isArray(chunks) ||
        chunks.length !== shape.length ||
        chunks.some((c) => !Number.isInteger(c) || c < 1)
      ) {
        throw new NetcdfError(
          "INVALID_WRITE",
          `chunks must be ${shape.length} positive integers, got ${JSON.stringify(chunks)}`,
          ctx,
        );
      }
      const tooBig = chunks.findIndex((c, i) => c > shape[i] && !(extensible && i === 0));
      if (tooBig >= 0) {
        throw new NetcdfError(
          "INVALID_WRITE",
          `chunk length ${chunks[tooBig]} exceeds dimension '${v.dims[tooBig]}' (${shape[tooBig]})`,
          ctx,
        );
      }
      if (shape.length === 0) chunks = undefined;
    } else if ((extensible || deflate > 0) && shape.length > 0) {
      chunks = defaultChunks(shape, DTYPE_BYTES[v.dtype], extensible);
    }
    return {
      name: v.name,
      dims: v.dims,
      shape,
      dtype: v.dtype,
      attrs: v.attrs,
      data: v.data as ArrayBufferView,
      ...(chunks !== undefined ? { chunks: [...chunks] } : {}),
      deflate: chunks === undefined ? 0 : deflate,
    };
  });
  // Scalars cannot be chunked, so cannot be deflated: the file-wide level skips them, an
  // explicit per-variable level is an error.
  for (const v of out) {
    const asked = options.encoding?.[v.name]?.deflate;
    if (v.shape.length === 0 && asked !== undefined && asked > 0) {
      throw new NetcdfError("INVALID_WRITE", "a scalar variable cannot be deflated", {
        file: path,
        variable: v.name,
      });
    }
  }
  const abs = isAbsolute(path) ? path : resolve(path);
  const bytes = out.reduce((n, v) => n + v.data.byteLength, 0);
  try {
    await hdf5Call(
      {
        op: "write",
        path: abs,
        dims: [...dims].map(([name, length]) => ({ name, length, unlimited: name === unlimited })),
        vars: out,
        attrs: options.attrs ?? {},
      },
      20_000 + Math.ceil(bytes / 10_000_000) * 1000,
    );
  } catch (e) {
    const err = e as Error & { code?: string };
    throw new NetcdfError(
      err.code === "INVALID_WRITE" ? "INVALID_WRITE" : "IO_ERROR",
      `cannot write NetCDF-4: ${err.message}`,
      { file: path },
    );
  }
}

/**
 * A chunk shape: the whole variable, one step along an unlimited dimension, then halved along
 * the outermost dimensions until it holds about {@link CHUNK_BYTES}.
 */
function defaultChunks(shape: number[], itemBytes: number, extensible: boolean): number[] {
  const c = shape.map((n, i) => Math.max(1, i === 0 && extensible ? 1 : n));
  for (let i = 0; i < c.length; i++) {
    while (c[i] > 1 && sizeOf(c) * itemBytes > CHUNK_BYTES) c[i] = Math.ceil(c[i] / 2);
  }
  return c;
}
