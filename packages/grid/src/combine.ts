/**
 * Combining in-memory arrays by label: `concat` along a dimension and `merge` of several
 * variables onto common labels. Both align the other dimensions through the same path as
 * binary operations (exact by default).
 */
import { alignPair, checkJoin, type Join } from "./align.js";
import { describe } from "./args.js";
import { transpose } from "./coords-ops.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { GridError } from "./errors.js";
import { numeric } from "./reduce-engine.js";
import { encodeTime, isTimeUnits } from "./time.js";
import { attrString } from "./types.js";

/** Options of {@link concat}. */
export interface ConcatOptions {
  /** How labels of the other dims combine (default `"exact"`). */
  join?: Join;
}

/**
 * Concatenate arrays along `dim` (xarray's `xr.concat`): an existing dim (e.g. two decades
 * of monthly data) or a new leading one. Labels of `dim` are concatenated (times are
 * re-encoded in the first array's units); the other dims are aligned by label.
 * float32 stays float32 when every input is float32. Attributes come from the first array.
 *
 * @throws GridError `INVALID_ARGUMENT`, `SHAPE_MISMATCH`
 */
export function concat(
  arrays: readonly DataArray[],
  dim: string,
  options: ConcatOptions = {},
): DataArray {
  const join = checkJoin("concat", options);
  if (
    !Array.isArray(arrays) ||
    arrays.length === 0 ||
    arrays.some((a) => !(a instanceof DataArray))
  ) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `concat: arrays must be a non-empty list of DataArrays; got ${describe(arrays)}`,
    );
  }
  if (typeof dim !== "string")
    throw new GridError("INVALID_ARGUMENT", `concat: dim must be a name; got ${describe(dim)}`);
  const existing = arrays[0].dims.includes(dim);
  let parts: DataArray[] = arrays.map((a: DataArray) => {
    if (a.dims.includes(dim) !== existing) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `concat: '${a.name}' ${existing ? "lacks" : "has"} dim '${dim}' unlike '${arrays[0].name}'`,
      );
    }
    return existing
      ? a
      : new DataArray({
          name: a.name,
          dims: [dim, ...a.dims],
          shape: [1, ...a.shape],
          data: a.data,
          coords: { ...a.coords },
          attrs: { ...a.attrs },
        });
  });
  // Align every part with the first on the other dims (the concat dim is excluded by renaming it away).
  const first = parts[0];
  const others = first.dims.filter((d) => d !== dim);
  parts = parts.map((p, k) => {
    if (k === 0) return p;
    const extra = p.dims.filter((d) => d !== dim && !others.includes(d));
    if (extra.length > 0 || p.ndim !== first.ndim) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `concat: '${p.name}' has dims (${p.dims.join(", ")}), expected (${first.dims.join(", ")})`,
      );
    }
    return transpose(p, ...first.dims);
  });
  if (join !== "exact" || parts.length > 1) {
    let ref = stripDim(parts[0], dim);
    for (let k = 1; k < parts.length; k++)
      ref = alignPair("concat", ref, stripDim(parts[k], dim), join)[0];
    parts = parts.map((p) => alignOthers(p, ref, join));
  }
  const axis = parts[0].axis(dim);
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  const size = shape.reduce((x, y) => x * y, 1);
  const f32 = parts.every((p) => p.data instanceof Float32Array);
  const out = f32 ? new Float32Array(size) : new Float64Array(size);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  let offset = 0;
  for (const p of parts) {
    const x = numeric(p.data, "concat");
    const n = p.shape[axis];
    for (let o = 0; o < outer; o++) {
      const src = o * n * inner;
      const dst = (o * shape[axis] + offset) * inner;
      for (let i = 0; i < n * inner; i++) out[dst + i] = x[src + i];
    }
    offset += n;
  }
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(parts[0].coords)) if (!c.dims.includes(dim)) coords[k] = c;
  const c0 = parts[0].coord(dim);
  if (c0 !== undefined)
    coords[dim] = concatCoord(
      parts.map((p) => p.coord(dim)),
      dim,
    );
  return new DataArray({
    name: parts[0].name,
    dims: [...parts[0].dims],
    shape,
    data: out,
    coords,
    attrs: { ...arrays[0].attrs },
  });
}

function stripDim(a: DataArray, dim: string): DataArray {
  // A template without `dim`: the first position along it, for aligning the other dims.
  const axis = a.axis(dim);
  const keep = a.dims.map((_, i) => i !== axis);
  const shape = a.shape.filter((_, i) => i !== axis);
  const size = shape.reduce((x, y) => x * y, 1);
  const coords: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(a.coords)) if (!c.dims.includes(dim)) coords[k] = c;
  return new DataArray({
    name: a.name,
    dims: a.dims.filter((_, i) => keep[i]),
    shape,
    data: new Float64Array(size),
    coords,
  });
}

function alignOthers(p: DataArray, ref: DataArray, join: Join): DataArray {
  // Reindex p onto ref's labels for every dim but `dim` ("left" join on the joined template).
  const [, aligned] = alignPair("concat", ref, p, join === "exact" ? "exact" : "left");
  return aligned;
}

function concatCoord(cs: Array<Coordinate | undefined>, dim: string): Coordinate {
  if (cs.some((c) => c === undefined))
    throw new GridError("SHAPE_MISMATCH", `concat: some arrays have no '${dim}' labels`);
  const first = cs[0]!;
  if (Array.isArray(first.values)) {
    return {
      dims: [dim],
      values: cs.flatMap((c) => c!.values as string[]),
      attrs: { ...first.attrs },
    };
  }
  const units = first.attrs.units;
  const cal = attrString(first.attrs, "calendar");
  const values: number[] = [];
  const times = first.times !== undefined ? ([] as NonNullable<Coordinate["times"]>) : undefined;
  for (const c of cs) {
    const sameUnits = c!.attrs.units === units;
    if (!sameUnits && times !== undefined && c!.times !== undefined && isTimeUnits(units)) {
      for (const t of c!.times) values.push(encodeTime(t, units, cal));
    } else values.push(...(c!.values as Float64Array));
    if (times !== undefined) {
      if (c!.times === undefined)
        throw new GridError("SHAPE_MISMATCH", `concat: '${dim}' mixes dates and plain numbers`);
      times.push(...c!.times);
    }
  }
  const out: Coordinate = {
    dims: [dim],
    values: Float64Array.from(values),
    attrs: { ...first.attrs },
  };
  if (times !== undefined) out.times = times;
  return out;
}

/**
 * Put several arrays on common labels (xarray's `xr.merge` for DataArrays): every pair is
 * aligned by label with `join` (default `"exact"`), and the result maps each name to its
 * aligned array — ready for {@link toTable} or `Dataset.fromDataArrays`.
 *
 * @throws GridError `INVALID_ARGUMENT` (repeated names), `SHAPE_MISMATCH`
 */
export function merge(
  arrays: readonly DataArray[],
  options: { join?: Join } = {},
): Record<string, DataArray> {
  const join = checkJoin("merge", options);
  if (!Array.isArray(arrays) || arrays.some((a) => !(a instanceof DataArray))) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `merge: arrays must be a list of DataArrays; got ${describe(arrays)}`,
    );
  }
  const names = new Set<string>();
  for (const a of arrays) {
    if (names.has(a.name))
      throw new GridError("INVALID_ARGUMENT", `merge: two arrays are named '${a.name}'`);
    names.add(a.name);
  }
  const cur = [...arrays];
  // Two passes: the first settles the joined labels, the second brings every array onto them.
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < cur.length; i++)
      for (let j = i + 1; j < cur.length; j++)
        [cur[i], cur[j]] = alignPair("merge", cur[i], cur[j], join);
  }
  return Object.fromEntries(cur.map((a) => [a.name, a]));
}
