/**
 * Reductions over a lazily opened variable that may not fit in memory: the variable is
 * read slab by slab along its outermost dimension (at most `slabElements` values at a
 * time) and partial results are merged — counts and sums add, minima and maxima compare,
 * means and variances combine with Chan's parallel formula (no E[x²] − E[x]²
 * cancellation). Reductions that keep the outermost dim work slab by slab for every op.
 */
import { checkDims, checkInteger, checkOptions, describe } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import type { Dataset } from "./dataset.js";
import { GridError } from "./errors.js";
import {
  checkReduce,
  type ReduceOptions,
  type Reduction,
  reduce,
  reducedAttrs,
} from "./reductions.js";
import { isel } from "./select.js";

/** Options of {@link reduceLazy}. */
export interface LazyReduceOptions extends ReduceOptions {
  /** Largest slab read at once, in elements (default 4 Mi); one outermost position is the minimum. */
  slabElements?: number;
}

const MERGEABLE = new Set<Reduction>(["mean", "sum", "count", "min", "max", "std", "var", "prod"]);

/**
 * Reduce variable `name` of a lazy dataset over `dims` (CF-decoded), reading it slab by slab
 * along its outermost dim so memory stays bounded by `slabElements` plus the result.
 * Same ops and options as {@link reduce}; when the outermost dim is reduced, the op must be
 * one that merges across slabs (mean, sum, count, min, max, std, var, prod).
 *
 * @throws GridError `INVALID_ARGUMENT` (unknown op/option, op that cannot stream), `UNKNOWN_DIMENSION`
 */
export async function reduceLazy(
  ds: Dataset,
  name: string,
  dims: readonly string[] | string | undefined,
  op: Reduction,
  options: LazyReduceOptions = {},
): Promise<DataArray> {
  const o = checkOptions("reduceLazy", "options", options, [
    "weights",
    "ddof",
    "q",
    "slabElements",
  ]);
  const { slabElements, ...reduceOptions } = o as LazyReduceOptions;
  const p = checkReduce("reduceLazy", op, reduceOptions);
  const v = ds.variable(name);
  const rdims = dims === undefined ? [...v.dims] : checkDims("reduceLazy", "dims", dims);
  for (const d of rdims) {
    if (!v.dims.includes(d)) {
      throw new GridError(
        "UNKNOWN_DIMENSION",
        `reduceLazy: no dimension '${d}' (dims are ${v.dims.join(", ")})`,
        { file: ds.path, variable: name },
      );
    }
  }
  const budget =
    slabElements === undefined
      ? 4 * 1024 * 1024
      : checkInteger("reduceLazy", "options.slabElements", slabElements, 1);
  if (v.dims.length === 0) return reduce(await ds.read(name), rdims, p.op, reduceOptions);
  const dim0 = v.dims[0];
  const inner = v.shape.slice(1).reduce((x, y) => x * y, 1);
  const step = Math.max(1, Math.floor(budget / Math.max(inner, 1)));
  const n0 = v.shape[0];
  const weights = reduceOptions.weights;
  const weightsFor = (start: number, stop: number) =>
    weights === undefined || !weights.dims.includes(dim0)
      ? weights
      : isel(weights, { [dim0]: { start, stop } });
  if (!rdims.includes(dim0)) {
    // The outermost dim is kept: every slab's result is a slice of the answer.
    const parts: DataArray[] = [];
    for (let s = 0; s < n0; s += step) {
      const slab = await ds.read(name, {
        isel: { [dim0]: { start: s, stop: Math.min(n0, s + step) } },
      });
      const w = weightsFor(s, Math.min(n0, s + step));
      parts.push(reduce(slab, rdims, p.op, { ...reduceOptions, ...(w ? { weights: w } : {}) }));
    }
    return stitch(parts, dim0);
  }
  if (!MERGEABLE.has(p.op)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `reduceLazy: "${p.op}" over the outermost dim '${dim0}' cannot be merged across slabs; use mean, sum, count, min, max, std, var or prod, or read the variable whole`,
    );
  }
  let state:
    | {
        count: Float64Array;
        w: Float64Array;
        mean: Float64Array;
        m2: Float64Array;
        ext: Float64Array;
      }
    | undefined;
  let template: DataArray | undefined;
  for (let s = 0; s < n0; s += step) {
    const stop = Math.min(n0, s + step);
    const slab = await ds.read(name, { isel: { [dim0]: { start: s, stop } } });
    const w = weightsFor(s, stop);
    const wo = w ? { weights: w } : {};
    const count = reduce(slab, rdims, "count").data as Float64Array;
    let sw = count;
    if (w) {
      const valid = slab.withData(
        Float64Array.from(slab.toFloat64(), (x) => (Number.isNaN(x) ? Number.NaN : 1)),
        { attrs: {} },
      );
      sw = reduce(valid, rdims, "sum", wo).data as Float64Array;
    }
    const ext =
      p.op === "min" || p.op === "max" || p.op === "prod"
        ? Float64Array.from(reduce(slab, rdims, p.op).data as ArrayLike<number>)
        : undefined;
    const mean = ext
      ? undefined
      : Float64Array.from(reduce(slab, rdims, "mean", wo).data as ArrayLike<number>);
    const m2 =
      p.op === "std" || p.op === "var"
        ? Float64Array.from(reduce(slab, rdims, "var", wo).data as ArrayLike<number>, (x, i) =>
            Number.isNaN(x) ? 0 : x * sw[i],
          )
        : undefined;
    if (template === undefined)
      template = reduce(isel(slab, { [dim0]: { start: 0, stop: 1 } }), rdims, "count");
    if (state === undefined) {
      const k = count.length;
      state = {
        count: new Float64Array(k),
        w: new Float64Array(k),
        mean: new Float64Array(k),
        m2: new Float64Array(k),
        ext: new Float64Array(k).fill(p.op === "prod" ? 1 : Number.NaN),
      };
    }
    for (let i = 0; i < count.length; i++) {
      if (count[i] === 0) continue;
      if (ext) {
        const e = ext[i];
        const cur = state.ext[i];
        state.ext[i] =
          p.op === "prod"
            ? cur * e
            : Number.isNaN(cur) || (p.op === "max" ? e > cur : e < cur)
              ? e
              : cur;
      } else {
        // Chan et al.: merge (W_a, mean_a, M2_a) with (W_b, mean_b, M2_b).
        const wa = state.w[i];
        const wb = sw[i];
        const W = wa + wb;
        const delta = mean![i] - state.mean[i];
        state.mean[i] = wa === 0 ? mean![i] : state.mean[i] + (delta * wb) / W;
        if (m2) state.m2[i] += m2[i] + (wa === 0 ? 0 : (delta * delta * wa * wb) / W);
        state.w[i] = W;
      }
      state.count[i] += count[i];
    }
  }
  if (state === undefined || template === undefined) {
    throw new GridError("INVALID_ARGUMENT", `reduceLazy: '${name}' is empty`, {
      file: ds.path,
      variable: name,
    });
  }
  const k = state.count.length;
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const c = state.count[i];
    switch (p.op) {
      case "count":
        out[i] = c;
        break;
      case "sum":
        out[i] = state.mean[i] * state.w[i];
        break;
      case "mean":
        out[i] = c > 0 ? state.mean[i] : Number.NaN;
        break;
      case "min":
      case "max":
      case "prod":
        out[i] = state.ext[i];
        break;
      default: {
        const denom = weights ? state.w[i] : c - p.ddof;
        const vv = c > 0 && denom > 0 ? state.m2[i] / denom : Number.NaN;
        out[i] = p.op === "std" ? Math.sqrt(vv) : vv;
      }
    }
  }
  const f32 = v.dtype === "float32" && !["count"].includes(p.op);
  const attrsSource = await ds.read(name, {
    isel: Object.fromEntries(v.dims.map((d) => [d, { start: 0, stop: 1 }])),
    coords: false,
  });
  return new DataArray({
    name,
    dims: [...template.dims],
    shape: [...template.shape],
    data: f32 ? Float32Array.from(out) : out,
    coords: template.coords as Record<string, Coordinate>,
    attrs: reducedAttrs(attrsSource.attrs, rdims, p.op),
  });
}

function stitch(parts: DataArray[], dim: string): DataArray {
  const first = parts[0];
  if (parts.length === 1) return first;
  const axis = first.axis(dim);
  if (axis !== 0)
    throw new GridError(
      "INVALID_ARGUMENT",
      `reduceLazy: internal layout error on '${describe(dim)}'`,
    );
  const size = parts.reduce((s, p) => s + p.size, 0);
  const out = first.data instanceof Float32Array ? new Float32Array(size) : new Float64Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p.data as ArrayLike<number>, off);
    off += p.size;
  }
  const c = first.coord(dim);
  const coords: Record<string, Coordinate> = { ...first.coords };
  if (c !== undefined) {
    const all = parts.map((p) => p.coord(dim)!);
    const key = Object.keys(first.coords).find((k) => first.coords[k] === c) ?? dim;
    coords[key] = {
      dims: [dim],
      values: Float64Array.from(all.flatMap((x) => Array.from(x.values as Float64Array))),
      attrs: c.attrs,
      ...(c.times ? { times: all.flatMap((x) => x.times ?? []) } : {}),
    };
  }
  const n = parts.reduce((s, p) => s + p.shape[0], 0);
  return new DataArray({
    name: first.name,
    dims: [...first.dims],
    shape: [n, ...first.shape.slice(1)],
    data: out,
    coords,
    attrs: { ...first.attrs },
  });
}
