import { type Attrs, type Coordinate, DataArray } from "@geoml/grid";
import { type BilinearOptions, bilinearWeights } from "./bilinear.js";
import { type ConservativeOptions, conservativeWeights } from "./conservative.js";
import { RegridError } from "./errors.js";
import { gridOf, gridSize, type SphericalGrid } from "./grid.js";
import { nearestWeights } from "./nearest.js";
import { applyWeights, checkSourceSize, type RegridMethod, type RemapWeights } from "./weights.js";

const METHODS: readonly RegridMethod[] = ["nearest", "bilinear", "conservative"];

/** Options of {@link computeWeights}. */
export interface WeightOptions extends ConservativeOptions, BilinearOptions {
  /** `nearest`, `bilinear` or `conservative`. */
  method: RegridMethod;
}

/**
 * Remapping weights from `source` to a rectilinear `target`, computed once and applied to
 * any number of fields on the source grid ({@link Regridder}).
 *
 * @throws RegridError `INVALID_ARGUMENT` for an unknown method, `INVALID_GRID` for unusable grids
 */
export function computeWeights(
  source: SphericalGrid,
  target: SphericalGrid,
  options: WeightOptions,
): RemapWeights {
  const method = options?.method;
  if (!METHODS.includes(method)) {
    throw new RegridError(
      "INVALID_ARGUMENT",
      `method must be one of ${METHODS.join(", ")}; got '${String(method)}'`,
    );
  }
  if (target.kind !== "rectilinear") {
    throw new RegridError("INVALID_GRID", "the target grid must be rectilinear (1-D lat and lon)");
  }
  if (method === "nearest") return nearestWeights(source, target);
  if (method === "bilinear") return bilinearWeights(source, target, options);
  return conservativeWeights(source, target, options);
}

/** Options of {@link Regridder.regrid}. */
export interface ApplyOptions {
  /**
   * Smallest fraction of a target cell that must be covered by valid sources (0–1);
   * below it the target is NaN. Default 0 (any valid overlap is enough), as CDO.
   */
  minCoverage?: number;
}

/** A regridded field and the fraction of each target cell covered by valid sources. */
export interface RegridResult {
  /** The field on the target grid (float32 if the input was float32, else float64). */
  data: DataArray;
  /**
   * Valid fraction per target cell and step (`valid_fraction`): for conservative weights
   * the share of the cell's area covered by valid source cells; otherwise 1 where a value
   * was produced and 0 where not.
   */
  fraction: DataArray;
}

/**
 * Weights between two grids, computed once, applied to every time step of any field on
 * the source grid — like xESMF's `Regridder` or CDO's `gen*` + `remap`.
 */
export class Regridder {
  /** Source grid. */
  readonly source: SphericalGrid;
  /** Target grid. */
  readonly target: SphericalGrid;
  /** The sparse weight matrix. */
  readonly weights: RemapWeights;

  /**
   * @param weights - precomputed weights (e.g. read from a SCRIP file); computed from `options` otherwise
   * @throws RegridError as {@link computeWeights}; `GRID_MISMATCH` when given weights do not fit the grids
   */
  constructor(
    source: SphericalGrid,
    target: SphericalGrid,
    options: WeightOptions | { weights: RemapWeights },
  ) {
    this.source = source;
    this.target = target;
    if ("weights" in options && options.weights !== undefined) {
      const w = options.weights;
      checkSourceSize(w, gridSize(source));
      if (w.targetSize !== gridSize(target)) {
        throw new RegridError(
          "GRID_MISMATCH",
          `weights are for ${w.targetSize} target cells but the target grid has ${gridSize(target)}`,
        );
      }
      this.weights = w;
    } else {
      this.weights = computeWeights(source, target, options as WeightOptions);
    }
  }

  /** Method of the weights. */
  get method(): RegridMethod {
    return this.weights.method;
  }

  /**
   * Regrid `a`, whose last two dims are the source grid's; leading dims (time, level…)
   * are kept and each of their steps is regridded with the same weights. Missing values
   * (NaN) may change from step to step.
   *
   * @throws RegridError `GRID_MISMATCH` when `a` is not on the source grid; `INVALID_ARGUMENT` for a bad option
   */
  regrid(a: DataArray, options: ApplyOptions = {}): DataArray {
    return this.run(a, options, false).data;
  }

  /** As {@link Regridder.regrid}, with the valid fraction of every target cell. */
  regridWithFraction(a: DataArray, options: ApplyOptions = {}): RegridResult {
    const r = this.run(a, options, true);
    return { data: r.data, fraction: r.fraction as DataArray };
  }

  private run(
    a: DataArray,
    options: ApplyOptions,
    withFraction: boolean,
  ): { data: DataArray; fraction?: DataArray } {
    const minCoverage = options.minCoverage ?? 0;
    if (typeof minCoverage !== "number" || !(minCoverage >= 0 && minCoverage <= 1)) {
      throw new RegridError(
        "INVALID_ARGUMENT",
        `minCoverage must be a number in [0, 1], got ${String(minCoverage)}`,
        { variable: a.name },
      );
    }
    const n = a.dims.length;
    if (n < 2 || a.shape[n - 2] !== this.source.ny || a.shape[n - 1] !== this.source.nx) {
      throw new RegridError(
        "GRID_MISMATCH",
        `last two dims have shape [${a.shape.slice(-2).join(", ")}], expected [${this.source.ny}, ${this.source.nx}] of the source grid`,
        { variable: a.name },
      );
    }
    const ns = this.source.ny * this.source.nx;
    const nt = this.target.ny * this.target.nx;
    const steps = a.size / ns;
    const src =
      a.data instanceof Float32Array || a.data instanceof Float64Array ? a.data : a.toFloat64();
    const out =
      src instanceof Float32Array ? new Float32Array(steps * nt) : new Float64Array(steps * nt);
    const frac = new Float64Array(withFraction ? steps * nt : 0);
    const stepOut = new Float64Array(nt);
    const stepFrac = new Float64Array(nt);
    for (let k = 0; k < steps; k++) {
      applyWeights(
        this.weights,
        src.subarray(k * ns, (k + 1) * ns),
        stepOut,
        stepFrac,
        minCoverage,
      );
      out.set(stepOut, k * nt);
      if (withFraction) frac.set(stepFrac, k * nt);
    }
    const lead = a.dims.slice(0, n - 2);
    const [ydim, xdim] = this.target.dims;
    if (lead.includes(ydim) || lead.includes(xdim)) {
      throw new RegridError(
        "GRID_MISMATCH",
        `target dims (${ydim}, ${xdim}) clash with the array's other dims (${lead.join(", ")})`,
        { variable: a.name },
      );
    }
    const coords: Record<string, Coordinate> = {};
    for (const [name, c] of Object.entries(a.coords)) {
      if (c.dims.every((d) => lead.includes(d))) coords[name] = c;
    }
    const names = this.target.names ?? { lat: ydim, lon: xdim };
    coords[names.lat] = {
      dims: [ydim],
      values: this.target.lat,
      attrs: this.target.attrs?.lat ?? { units: "degrees_north", standard_name: "latitude" },
    };
    coords[names.lon] = {
      dims: [xdim],
      values: this.target.lon,
      attrs: this.target.attrs?.lon ?? { units: "degrees_east", standard_name: "longitude" },
    };
    const dims = [...lead, ydim, xdim];
    const shape = [...a.shape.slice(0, n - 2), this.target.ny, this.target.nx];
    const attrs: Attrs = { ...a.attrs };
    delete attrs.coordinates;
    const data = new DataArray({ name: a.name, dims, shape, data: out, coords, attrs });
    if (!withFraction) return { data };
    const fraction = new DataArray({
      name: "valid_fraction",
      dims,
      shape,
      data: frac,
      coords,
      attrs: {
        long_name: `fraction of the target cell covered by valid ${a.name}`,
        units: "1",
      },
    });
    return { data, fraction };
  }
}

/**
 * Regrid `a` (its grid read from its own coordinates; cell bounds computed unless
 * `sourceGrid` is given with them) onto `target` in one call. To regrid many fields or
 * files on the same grids, build a {@link Regridder} once instead.
 *
 * @throws RegridError as {@link Regridder}
 */
export function regrid(
  a: DataArray,
  target: SphericalGrid,
  options: WeightOptions & ApplyOptions & { sourceGrid?: SphericalGrid },
): DataArray {
  const source = options.sourceGrid ?? gridOf(a);
  return new Regridder(source, target, options).regrid(a, options);
}
