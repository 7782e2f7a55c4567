import { type Attrs, type Coordinate, DataArray, Dataset } from "@geoml/grid";
import type { BlockTask } from "./block-task.js";
import { BatchError } from "./errors.js";
import { type ChunkResult, fitChunk } from "./fit-chunk.js";
import { arraySource, datasetSource, type GridSource, type RowRange } from "./grid-source.js";
import { type CellModel, type FitSpec, prepareModel } from "./model.js";
import { checkThreads, sharedPool } from "./pool.js";
import { timeFeatures } from "./time-features.js";

function asFloat(v: ArrayLike<number>): Float32Array | Float64Array {
  return v instanceof Float32Array || v instanceof Float64Array ? v : Float64Array.from(v);
}

/** Options of {@link fitAlong}. */
export interface FitAlongOptions extends FitSpec {
  /** Dimension to fit along; default `"time"`. */
  along?: string;
  /** Variable to fit when `source` is a dataset; default the formula's left side. */
  variable?: string;
  /** Other grid variables the formula uses, when `source` is an array. */
  covariates?: readonly DataArray[];
  /** About how many cells to hold in memory at once (rounded to whole rows); default 65536. */
  chunkCells?: number;
  /** Worker threads (default 1: this thread). Chunks then shrink so every thread has work. */
  workers?: number;
  /** Called after each chunk with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Per-cell results, each a labelled array on the input's grid. */
export interface FitAlongResult {
  /** Coefficients, dims `(term, …cell dims)`; `term` holds the formula's column labels. */
  coef: DataArray;
  /** Standard errors, like `coef`. */
  se: DataArray;
  /** Valid steps per cell (0 for a cell with none). */
  nobs: DataArray;
  /** Deviance per cell (the residual sum of squares for Gaussian). */
  deviance: DataArray;
  /** Dispersion per cell: Pearson χ²/(n−p) where the family estimates it, 1 otherwise. */
  scale: DataArray;
}

/** Rows per chunk for about `chunkCells` cells. */
export function chunkRanges(rows: number, rowCells: number, chunkCells = 65536): RowRange[] {
  if (!Number.isInteger(chunkCells) || chunkCells < 1) {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `chunkCells must be a positive integer, got ${chunkCells}`,
    );
  }
  const per = Math.max(1, Math.floor(chunkCells / Math.max(1, rowCells)));
  const out: RowRange[] = [];
  for (let s = 0; s < rows; s += per) out.push({ start: s, stop: Math.min(rows, s + per) });
  return out;
}

/**
 * Fit a model to every cell of a grid along one dimension (usually time): one GLM per
 * cell on that cell's own valid steps, for a whole archive at once. The formula reads the
 * variable, `t` (decimal years since the first step), `year`, `month` (1–12), `doy`, other
 * variables on the same grid, and `pi`:
 *
 * `fitAlong(ds, { formula: "sst ~ t + cos(2*pi*month/12) + sin(2*pi*month/12)" })`
 *
 * Gaussian with the identity link solves masked normal equations for all cells at once;
 * any other family/link runs IRLS on all cells of a chunk at once. Cells with fewer valid
 * steps than terms or a singular design get NaN, with `nobs` saying how many steps they had.
 * Data are read in chunks of whole rows of cells × all steps.
 *
 * @param source - a DataArray, a lazily opened Dataset, or many files from `openMfDataset`
 * @throws BatchError for a bad formula, family, variable or dimension (naming it)
 */
export async function fitAlong(
  source: DataArray | Dataset,
  options: FitAlongOptions,
): Promise<FitAlongResult> {
  const along = options.along ?? "time";
  const { grid, model } = await openRun(source, options, along);
  const workers = checkThreads(options.workers ?? 1);
  let cells = options.chunkCells ?? 65536;
  // Four chunks per thread keep both threads busy to the end.
  if (workers > 1) cells = Math.min(cells, Math.ceil((grid.rows * grid.rowCells) / (4 * workers)));
  const ranges = chunkRanges(grid.rows, grid.rowCells, cells);
  const parts: { range: RowRange; result: ChunkResult }[] = [];
  if (workers === 1) {
    for (const range of ranges) {
      const block = await grid.read(range, model.covariates);
      parts.push({ range, result: fitChunk(model, block.y, block.C, block.covariates) });
      options.onProgress?.(parts.length, ranges.length);
    }
    return assemble(grid, model, parts);
  }
  const pool = sharedPool(workers);
  {
    const times = grid.alongCoord!.times!;
    await Promise.all(
      ranges.map(async (range) => {
        const block = await grid.read(range, model.covariates);
        const task: BlockTask = {
          kind: "block",
          spec: model.spec,
          times,
          C: block.C,
          y: asFloat(block.y),
          covariates: Object.fromEntries(
            Object.entries(block.covariates).map(([k, v]) => [k, asFloat(v)]),
          ),
        };
        parts.push({ range, result: (await pool.run(task)) as ChunkResult });
        options.onProgress?.(parts.length, ranges.length);
      }),
    );
  }
  return assemble(grid, model, parts);
}

/** The grid and the prepared model of a run. */
export async function openRun(
  source: DataArray | Dataset,
  spec: FitSpec & { variable?: string; covariates?: readonly DataArray[] },
  along: string,
): Promise<{ grid: GridSource; model: CellModel }> {
  if (typeof along !== "string" || along === "") {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `along must be a dimension name, got ${String(along)}`,
    );
  }
  const response = /^\s*([^~]+?)\s*~/.exec(String(spec?.formula ?? ""))?.[1];
  let grid: GridSource;
  if (source instanceof DataArray) {
    if (response !== undefined && response !== source.name) {
      throw new BatchError(
        "FORMULA",
        `formula "${spec.formula}" models '${response}' but the array is '${source.name}'`,
      );
    }
    grid = arraySource(source, along, spec.covariates);
  } else if (source instanceof Dataset) {
    grid = await datasetSource(source, spec.variable ?? response ?? "", along);
  } else {
    throw new BatchError("INVALID_ARGUMENT", "source must be a DataArray or a Dataset");
  }
  const model = prepareModel(spec, timeFeatures(grid.alongCoord, along));
  if (model.response !== grid.name) {
    throw new BatchError(
      "FORMULA",
      `formula "${spec.formula}" models '${model.response}' but the variable is '${grid.name}'`,
    );
  }
  return { grid, model };
}

/** Put chunk results on the grid as labelled arrays. */
export function assemble(
  grid: GridSource,
  model: CellModel,
  parts: readonly { range: RowRange; result: ChunkResult }[],
): FitAlongResult {
  const C = grid.rows * grid.rowCells;
  const p = model.p;
  const coef = new Float64Array(p * C).fill(Number.NaN);
  const se = new Float64Array(p * C).fill(Number.NaN);
  const nobs = new Int32Array(C);
  const deviance = new Float64Array(C).fill(Number.NaN);
  const scale = new Float64Array(C).fill(Number.NaN);
  for (const { range, result: r } of parts) {
    const off = range.start * grid.rowCells;
    if (r.p !== p || r.C !== (range.stop - range.start) * grid.rowCells) {
      throw new BatchError("BAD_PART", `chunk ${range.start}–${range.stop} has the wrong size`);
    }
    for (let j = 0; j < p; j++) {
      coef.set(r.coef.subarray(j * r.C, (j + 1) * r.C), j * C + off);
      se.set(r.se.subarray(j * r.C, (j + 1) * r.C), j * C + off);
    }
    for (let c = 0; c < r.C; c++) nobs[off + c] = r.nobs[c];
    deviance.set(r.deviance, off);
    scale.set(r.scale, off);
  }
  const cellDims = [...grid.cellDims];
  const coords: Record<string, Coordinate> = { ...grid.cellCoords };
  const termCoords: Record<string, Coordinate> = {
    term: { dims: ["term"], values: [...model.terms], attrs: { long_name: "model term" } },
    ...coords,
  };
  const spec = model.spec;
  const about: Attrs = {
    formula: spec.formula,
    family: model.family.name,
    link: model.family.link.name,
  };
  const termArray = (name: string, data: Float64Array, longName: string) =>
    new DataArray({
      name,
      dims: ["term", ...cellDims],
      shape: [p, ...grid.cellShape],
      data,
      coords: termCoords,
      attrs: { long_name: longName, ...about },
    });
  const cellArray = (name: string, data: Float64Array | Int32Array, longName: string) =>
    new DataArray({
      name,
      dims: cellDims,
      shape: [...grid.cellShape],
      data,
      coords,
      attrs: { long_name: longName },
    });
  return {
    coef: termArray("coef", coef, `coefficients of ${grid.name} along ${grid.along}`),
    se: termArray("se", se, "standard errors of the coefficients"),
    nobs: cellArray("nobs", nobs, "valid steps used per cell"),
    deviance: cellArray("deviance", deviance, "deviance per cell"),
    scale: cellArray("scale", scale, "dispersion (scale) per cell"),
  };
}
