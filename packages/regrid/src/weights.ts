import { RegridError } from "./errors.js";

/** Regridding methods. */
export type RegridMethod = "nearest" | "bilinear" | "conservative";

/**
 * How a target cell combines its sources when some are missing (NaN):
 * - `ALL`: NaN if any source with a nonzero weight is NaN (bilinear, nearest);
 * - `RENORMALIZE`: weighted mean of the valid sources (conservative with `fracarea`,
 *   and the distance-weighted fallback of bilinear near the poles);
 * - `SUM`: weighted sum of the valid sources (conservative with `destarea`).
 */
export const RULE_ALL = 0;
/** See {@link RULE_ALL}. */
export const RULE_RENORMALIZE = 1;
/** See {@link RULE_ALL}. */
export const RULE_SUM = 2;

/**
 * Remapping weights as a sparse matrix in compressed rows: target cell `t` takes
 * `Σ weights[k] · source[sources[k]]` over `k` in `rowStart[t] … rowStart[t+1]`.
 * Computed once for a pair of grids and applied to every time step; masks are handled
 * when applying, per step, by `rule`.
 */
export interface RemapWeights {
  /** Method the weights implement. */
  method: RegridMethod;
  /** Number of source and target cells. */
  sourceSize: number;
  targetSize: number;
  /** Row pointers, `targetSize + 1` entries. */
  rowStart: Int32Array;
  /** Source cell (row-major index) of each link. */
  sources: Int32Array;
  /** Weight of each link. For conservative weights: overlap area / target cell area. */
  weights: Float64Array;
  /** Combination rule of each target cell ({@link RULE_ALL}, …). */
  rule: Uint8Array;
}

/** Build compressed rows from unordered links. */
export function fromLinks(
  method: RegridMethod,
  sourceSize: number,
  targetSize: number,
  links: { target: ArrayLike<number>; source: ArrayLike<number>; weight: ArrayLike<number> },
  rule: Uint8Array | number,
): RemapWeights {
  const n = links.target.length;
  const count = new Int32Array(targetSize + 1);
  for (let k = 0; k < n; k++) {
    const t = links.target[k];
    const s = links.source[k];
    if (!(t >= 0 && t < targetSize && s >= 0 && s < sourceSize)) {
      throw new RegridError(
        "INVALID_WEIGHTS",
        `link ${k} joins source ${s} to target ${t}, outside ${sourceSize} sources / ${targetSize} targets`,
      );
    }
    count[t + 1]++;
  }
  for (let t = 0; t < targetSize; t++) count[t + 1] += count[t];
  const rowStart = count.slice();
  const fill = count.slice(0, targetSize);
  const sources = new Int32Array(n);
  const weights = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const pos = fill[links.target[k]]++;
    sources[pos] = links.source[k];
    weights[pos] = links.weight[k];
  }
  const r =
    typeof rule === "number" ? new Uint8Array(targetSize).fill(rule) : Uint8Array.from(rule);
  return { method, sourceSize, targetSize, rowStart, sources, weights, rule: r };
}

/**
 * Apply weights to one field (a 2-D slice, row-major), writing the result and, if asked,
 * the fraction of each target cell covered by valid sources (for conservative weights the
 * valid-area fraction; for others 1 where a value was produced, else 0).
 *
 * @param minCoverage - a target cell whose valid fraction is below this becomes NaN
 */
export function applyWeights(
  w: RemapWeights,
  src: ArrayLike<number>,
  out: { length: number; [i: number]: number },
  fraction?: Float64Array,
  minCoverage = 0,
): void {
  const { rowStart, sources, weights, rule } = w;
  for (let t = 0; t < w.targetSize; t++) {
    const a = rowStart[t];
    const b = rowStart[t + 1];
    let sw = 0;
    let swx = 0;
    let bad = false;
    for (let k = a; k < b; k++) {
      const wk = weights[k];
      const x = src[sources[k]];
      if (!Number.isNaN(x)) {
        sw += wk;
        swx += wk * x;
      } else if (wk !== 0) bad = true;
    }
    const r = rule[t];
    let v: number;
    let f: number;
    if (r === RULE_ALL) {
      v = bad || b === a ? Number.NaN : swx;
      f = bad || b === a ? 0 : 1;
    } else {
      f = sw;
      v = sw > 0 ? (r === RULE_RENORMALIZE ? swx / sw : swx) : Number.NaN;
      if (w.method !== "conservative") f = sw > 0 ? 1 : 0;
    }
    if (f < minCoverage || f === 0) v = Number.NaN;
    out[t] = v;
    if (fraction !== undefined) fraction[t] = f;
  }
}

/** Check that a weight matrix fits a source of `size` cells. */
export function checkSourceSize(w: RemapWeights, size: number, variable?: string): void {
  if (w.sourceSize !== size) {
    throw new RegridError(
      "GRID_MISMATCH",
      `weights are for ${w.sourceSize} source cells but the field has ${size}`,
      variable === undefined ? {} : { variable },
    );
  }
}
