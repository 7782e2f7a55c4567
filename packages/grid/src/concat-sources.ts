/**
 * Many opened files as one lazy dataset: the sources are joined along one dimension
 * (usually `time`) without reading any data. A read of a hyperslab visits only the files
 * it overlaps, one after another, so memory stays that of the hyperslab.
 */
import { GridError } from "./errors.js";
import { resolveHyperslab } from "./hyperslab.js";
import type { DatasetSource, VariableSource } from "./source.js";
import { type ArrayData, type Attrs, allocate, sizeOf, type TypedArray } from "./types.js";

/** Options of {@link concatSources}. */
export interface ConcatSourcesOptions {
  /**
   * Variables to use instead of the joined ones (same name), e.g. a time coordinate
   * re-encoded in one set of units when the files' units differ.
   */
  replace?: readonly VariableSource[];
  /** Format tag of the result; default `"concat"`. */
  format?: string;
}

/** Attributes that change what stored values mean: they must agree for raw values to be joined. */
const DECODING_ATTRS = ["scale_factor", "add_offset", "_FillValue", "missing_value", "_Unsigned"];

/**
 * Join `sources` along dimension `dim`, lazily. Variables that span `dim` are joined in
 * the given order; the others (grid coordinates, constants) are taken from the first
 * source. Every source must have the same variables with the same dims, dtypes, shapes
 * (apart from `dim`) and packing attributes — the first that differs is named in the error.
 * Coordinate *values* are not compared here (that needs reads); see `openMfDataset` in
 * `@geoml/io`, which checks them before joining.
 *
 * @throws GridError `INVALID_ARGUMENT` for no sources, `UNKNOWN_DIMENSION` when a source
 *   lacks `dim`, `SHAPE_MISMATCH` naming the file whose variables or shapes differ
 */
export function concatSources(
  sources: readonly DatasetSource[],
  dim: string,
  options: ConcatSourcesOptions = {},
): DatasetSource {
  if (sources.length === 0) {
    throw new GridError("INVALID_ARGUMENT", `nothing to join along '${dim}': no sources`);
  }
  const first = sources[0];
  for (const s of sources) {
    if (s.dims[dim] === undefined) {
      throw new GridError(
        "UNKNOWN_DIMENSION",
        `no dimension '${dim}' to join along (dims are ${Object.keys(s.dims).join(", ")})`,
        { file: s.path },
      );
    }
  }
  const names = first.variables.map((v) => v.name);
  for (const s of sources.slice(1)) checkSameVariables(first, s, dim);
  const replaced = new Map((options.replace ?? []).map((v) => [v.name, v]));
  const lengths = sources.map((s) => s.dims[dim]);
  const total = lengths.reduce((a, b) => a + b, 0);
  const variables = names.map((name) => {
    const r = replaced.get(name);
    if (r !== undefined) return r;
    const v0 = first.variables.find((v) => v.name === name)!;
    if (!v0.dims.includes(dim)) return v0;
    const parts = sources.map((s) => s.variables.find((v) => v.name === name)!);
    return joinedVariable(parts, v0.dims.indexOf(dim), lengths, total);
  });
  const dims: Record<string, number> = { ...first.dims, [dim]: total };
  return {
    format: options.format ?? "concat",
    ...(first.path !== undefined ? { path: `${first.path} (+${sources.length - 1} files)` } : {}),
    dims,
    ...(first.unlimitedDims !== undefined ? { unlimitedDims: first.unlimitedDims } : {}),
    attrs: first.attrs,
    variables,
    async close() {
      for (const s of sources) await s.close?.();
    },
  };
}

function checkSameVariables(first: DatasetSource, s: DatasetSource, dim: string): void {
  const ctx = { file: s.path };
  for (const [d, n] of Object.entries(first.dims)) {
    if (d === dim) continue;
    if (s.dims[d] !== n) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `dimension '${d}' has length ${s.dims[d] ?? "none"}, expected ${n} as in ${first.path ?? "the first file"}`,
        ctx,
      );
    }
  }
  const mine = new Map(s.variables.map((v) => [v.name, v]));
  for (const v0 of first.variables) {
    const v = mine.get(v0.name);
    if (v === undefined) {
      throw new GridError(
        "UNKNOWN_VARIABLE",
        `no variable '${v0.name}' (${first.path ?? "the first file"} has it)`,
        ctx,
      );
    }
    const vctx = { file: s.path, variable: v.name };
    if (v.dims.join() !== v0.dims.join() || v.dtype !== v0.dtype) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `is ${v.dtype}(${v.dims.join(", ")}), expected ${v0.dtype}(${v0.dims.join(", ")}) as in ${first.path ?? "the first file"}`,
        vctx,
      );
    }
    for (const key of DECODING_ATTRS) {
      if (!sameAttr(v.attrs, v0.attrs, key)) {
        throw new GridError(
          "SHAPE_MISMATCH",
          `attribute ${key} is ${String(v.attrs[key])}, expected ${String(v0.attrs[key])} as in ${first.path ?? "the first file"}`,
          vctx,
        );
      }
    }
  }
  for (const v of s.variables) {
    if (!first.variables.some((v0) => v0.name === v.name)) {
      throw new GridError(
        "UNKNOWN_VARIABLE",
        `has variable '${v.name}' that ${first.path ?? "the first file"} lacks`,
        ctx,
      );
    }
  }
}

function sameAttr(a: Attrs, b: Attrs, key: string): boolean {
  const x = a[key];
  const y = b[key];
  if (x === undefined || y === undefined) return x === y;
  return JSON.stringify(x, bigintText) === JSON.stringify(y, bigintText);
}

function bigintText(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

function joinedVariable(
  parts: readonly VariableSource[],
  axis: number,
  lengths: readonly number[],
  total: number,
): VariableSource {
  const v0 = parts[0];
  const shape = [...v0.shape];
  shape[axis] = total;
  const offsets: number[] = [];
  let at = 0;
  for (const n of lengths) {
    offsets.push(at);
    at += n;
  }
  return {
    name: v0.name,
    dims: v0.dims,
    shape,
    dtype: v0.dtype,
    attrs: v0.attrs,
    ...(v0.chunks !== undefined ? { chunks: v0.chunks } : {}),
    async read(start, count) {
      const [s, c] = resolveHyperslab(shape, start, count, { variable: v0.name });
      const n = sizeOf(c);
      const lo = s[axis];
      const hi = s[axis] + c[axis];
      // Files are read one after another: peak memory is the hyperslab plus one piece.
      let out: ArrayData | undefined;
      const outer = sizeOf(c.slice(0, axis));
      const inner = sizeOf(c.slice(axis + 1));
      for (let k = 0; k < parts.length; k++) {
        const a = Math.max(lo, offsets[k]);
        const b = Math.min(hi, offsets[k] + lengths[k]);
        if (a >= b) continue;
        const ps = [...s];
        const pc = [...c];
        ps[axis] = a - offsets[k];
        pc[axis] = b - a;
        const data = await parts[k].read(ps, pc);
        if (out === undefined) {
          out = Array.isArray(data)
            ? new Array<string>(n)
            : allocate(v0.dtype === "string" ? "uint8" : v0.dtype, n);
        }
        place(out, data, outer, inner, c[axis], a - lo, b - a);
      }
      return out ?? (v0.dtype === "string" ? [] : allocate(v0.dtype as "uint8", 0));
    },
  };
}

/** Copy a piece `[outer, len, inner]` into `out` `[outer, total, inner]` at offset `from` on the middle axis. */
function place(
  out: ArrayData,
  piece: ArrayData,
  outer: number,
  inner: number,
  total: number,
  from: number,
  len: number,
): void {
  const block = len * inner;
  for (let o = 0; o < outer; o++) {
    const src = o * block;
    const dst = (o * total + from) * inner;
    if (Array.isArray(out)) {
      for (let i = 0; i < block; i++) out[dst + i] = (piece as string[])[src + i];
    } else {
      (out as TypedArray).set((piece as TypedArray).subarray(src, src + block) as never, dst);
    }
  }
}
