import {
  type ArrayData,
  type Attrs,
  attrString,
  type CFDatetime,
  concatSources,
  Dataset,
  dayNumber,
  decode,
  decodeTimes,
  encodeTime,
  isTimeUnits,
  parseCalendar,
  resolveHyperslab,
  sliceData,
  type VariableSource,
} from "@geoml/grid";
import { glob } from "tinyglobby";
import { IoError } from "./errors.js";
import { open } from "./open.js";

/** Options of {@link openMfDataset}. */
export interface OpenMfOptions {
  /** Dimension the files are joined along; default `"time"`. */
  concatDim?: string;
}

/** What one file contributes along the joined dimension. */
export interface MfPart {
  /** The file. */
  readonly path: string;
  /** Its number of steps along the joined dimension. */
  readonly length: number;
}

/**
 * Many files as one lazy dataset (see {@link openMfDataset}): a {@link Dataset} that also
 * knows its files, in the order they are joined.
 */
export class MfDataset extends Dataset {
  /** The files, ordered by their coordinate along the joined dimension. */
  readonly parts: readonly MfPart[];
  /** The joined dimension. */
  readonly concatDim: string;

  /** @internal built by {@link openMfDataset} */
  constructor(source: Dataset["source"], parts: readonly MfPart[], concatDim: string) {
    super(source);
    this.parts = parts;
    this.concatDim = concatDim;
  }

  /** The file paths, in joined order. */
  get files(): string[] {
    return this.parts.map((p) => p.path);
  }
}

/** One opened file with its coordinate along the joined dimension. */
interface Opened {
  path: string;
  ds: Dataset;
  /** Sort keys along the dimension: seconds from a fixed epoch for times, else raw values. */
  keys: Float64Array;
  /** Decoded times (when the coordinate has CF time units). */
  times?: CFDatetime[];
  calendar?: string;
  units?: string;
}

/**
 * Open many files as one lazy dataset joined along `concatDim` (default `time`), like
 * xarray's `open_mfdataset(paths, combine="by_coords")`: no data are read, only each file's
 * metadata and coordinates. Files are ordered by their decoded times; before anything is
 * joined every file is checked to have the same variables, dims, dtypes and packing, the
 * same grid coordinate values and calendar, and times that increase within and across
 * files. A variable that does not span `concatDim` is taken from the first file.
 *
 * @param files - a glob (`"data/sst_*.nc"`), one path, or a list of paths
 * @throws IoError `NO_FILES` when nothing matches, `GRID_MISMATCH` naming the file whose
 *   grid or calendar differs, `TIME_ORDER` naming the file whose times go backwards, repeat
 *   or overlap another file's; grid errors (`UNKNOWN_VARIABLE`, `SHAPE_MISMATCH`) name the
 *   odd file too
 */
export async function openMfDataset(
  files: string | readonly string[],
  options: OpenMfOptions = {},
): Promise<MfDataset> {
  const dim = options.concatDim ?? "time";
  if (typeof dim !== "string" || dim === "") {
    throw new IoError("INVALID_ARGUMENT", `concatDim must be a dimension name, got ${String(dim)}`);
  }
  const paths = await expand(files);
  const opened: Opened[] = [];
  try {
    for (const path of paths) {
      const ds = await open(path);
      opened.push({ path, ds, keys: new Float64Array(0) });
      Object.assign(opened[opened.length - 1], await alongCoordinate(ds, path, dim));
    }
    checkCalendars(opened);
    opened.sort((a, b) => a.keys[0] - b.keys[0]);
    checkOrder(opened, dim);
    await checkGrids(opened, dim);
    const source = concatSources(
      opened.map((o) => o.ds.source),
      dim,
      { replace: reencodedTimes(opened, dim), format: "mfdataset" },
    );
    const parts = opened.map((o) => ({ path: o.path, length: o.ds.dims[dim] }));
    return new MfDataset({ ...source, path: describe(paths, files) }, parts, dim);
  } catch (error) {
    for (const o of opened) await o.ds.close().catch(() => {});
    throw error;
  }
}

function describe(paths: string[], files: string | readonly string[]): string {
  return typeof files === "string"
    ? files
    : paths.length === 1
      ? paths[0]
      : `${paths.length} files`;
}

async function expand(files: string | readonly string[]): Promise<string[]> {
  if (typeof files === "string") {
    if (!/[*?[\]{}]/.test(files)) return [files];
    const found = (await glob([files], { onlyFiles: false, expandDirectories: false })).sort();
    if (found.length === 0) throw new IoError("NO_FILES", `no file matches '${files}'`);
    return found;
  }
  if (!Array.isArray(files) || files.some((f) => typeof f !== "string")) {
    throw new IoError("INVALID_ARGUMENT", "files must be a glob, a path or a list of paths");
  }
  if (files.length === 0) throw new IoError("NO_FILES", "no files given");
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f)) throw new IoError("INVALID_ARGUMENT", "file given twice", { file: f });
    seen.add(f);
  }
  return [...files];
}

async function alongCoordinate(
  ds: Dataset,
  path: string,
  dim: string,
): Promise<Omit<Opened, "path" | "ds">> {
  const n = ds.dims[dim];
  if (n === undefined) {
    throw new IoError(
      "GRID_MISMATCH",
      `no dimension '${dim}' to join along (dims are ${Object.keys(ds.dims).join(", ")})`,
      { file: path },
    );
  }
  if (!ds.has(dim)) {
    throw new IoError("GRID_MISMATCH", `no coordinate variable '${dim}' to order the files by`, {
      file: path,
    });
  }
  const v = ds.variable(dim);
  const values = decode(await v.read(), v.attrs, { output: "float64" }).data as Float64Array;
  const units = v.attrs.units;
  if (!isTimeUnits(units)) return { keys: values };
  const calendar = attrString(v.attrs, "calendar");
  let times: Array<CFDatetime | undefined>;
  try {
    times = decodeTimes(values, units, calendar);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new IoError("TIME_ORDER", `cannot decode '${dim}': ${detail}`, { file: path });
  }
  const keys = new Float64Array(n);
  times.forEach((t, i) => {
    if (t === undefined) {
      throw new IoError("TIME_ORDER", `'${dim}' has a missing value at index ${i}`, { file: path });
    }
    keys[i] = secondsOf(t);
  });
  return {
    keys,
    times: times as CFDatetime[],
    units,
    calendar: parseCalendar(calendar),
  };
}

/** Seconds from the calendar's day 0: comparable within one calendar. */
function secondsOf(t: CFDatetime): number {
  return (
    dayNumber(t.year, t.month, t.day, t.calendar) * 86400 + t.hour * 3600 + t.minute * 60 + t.second
  );
}

function checkCalendars(opened: Opened[]): void {
  const first = opened[0];
  for (const o of opened) {
    if ((o.times === undefined) !== (first.times === undefined) || o.calendar !== first.calendar) {
      throw new IoError(
        "GRID_MISMATCH",
        `calendar '${o.calendar ?? "none"}' differs from '${first.calendar ?? "none"}' of ${first.path}`,
        { file: o.path },
      );
    }
  }
}

function checkOrder(opened: Opened[], dim: string): void {
  let prev: Opened | undefined;
  for (const o of opened) {
    for (let i = 1; i < o.keys.length; i++) {
      if (!(o.keys[i] > o.keys[i - 1])) {
        const what = o.keys[i] === o.keys[i - 1] ? "repeats" : "goes backwards";
        throw new IoError(
          "TIME_ORDER",
          `'${dim}' ${what} at index ${i} (${label(o, i)} after ${label(o, i - 1)})`,
          { file: o.path },
        );
      }
    }
    if (prev !== undefined && o.keys.length > 0 && prev.keys.length > 0) {
      const last = prev.keys.length - 1;
      if (!(o.keys[0] > prev.keys[last])) {
        throw new IoError(
          "TIME_ORDER",
          `'${dim}' overlaps ${prev.path}: starts at ${label(o, 0)}, which is not after its last step ${label(prev, last)}`,
          { file: o.path },
        );
      }
    }
    prev = o;
  }
}

function label(o: Opened, i: number): string {
  const t = o.times?.[i];
  if (t === undefined) return String(o.keys[i]);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(t.year, 4)}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(Math.floor(t.second))}`;
}

/** Every coordinate that does not span `dim` must hold the same values in every file. */
async function checkGrids(opened: Opened[], dim: string): Promise<void> {
  const first = opened[0];
  const names = first.ds.coordNames.filter((c) => !first.ds.variable(c).dims.includes(dim));
  const reference = new Map<string, ArrayData>();
  for (const c of names) reference.set(c, await first.ds.variable(c).read());
  for (const o of opened.slice(1)) {
    for (const c of names) {
      if (!o.ds.has(c)) {
        throw new IoError("GRID_MISMATCH", `no coordinate '${c}' (${first.path} has it)`, {
          file: o.path,
        });
      }
      const v = o.ds.variable(c);
      const ref = reference.get(c)!;
      if (v.shape.join() !== first.ds.variable(c).shape.join()) {
        throw new IoError(
          "GRID_MISMATCH",
          `coordinate '${c}' has shape [${v.shape.join(", ")}], expected [${first.ds.variable(c).shape.join(", ")}] as in ${first.path}`,
          { file: o.path },
        );
      }
      const mine = await v.read();
      const at = firstDifference(ref, mine);
      if (at >= 0) {
        throw new IoError(
          "GRID_MISMATCH",
          `coordinate '${c}' differs from ${first.path} at index ${at} (${String(mine[at])} vs ${String(ref[at])})`,
          { file: o.path },
        );
      }
    }
  }
}

function firstDifference(a: ArrayData, b: ArrayData): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return i;
  }
  return -1;
}

/**
 * Files may store times in different units (`days since 2000-01-01` in one, `… 2001-01-01`
 * in the next). The joined coordinate then holds every time re-encoded in the first file's
 * units, as xarray does when it writes a combined dataset.
 */
function reencodedTimes(opened: Opened[], dim: string): VariableSource[] {
  const first = opened[0];
  if (first.times === undefined) return [];
  const same = opened.every((o) => {
    const v = o.ds.variable(dim);
    return v.attrs.units === first.units && v.dtype === first.ds.variable(dim).dtype;
  });
  if (same) return [];
  const units = first.units!;
  const total = opened.reduce((n, o) => n + o.keys.length, 0);
  const values = new Float64Array(total);
  let k = 0;
  for (const o of opened)
    for (const t of o.times!) values[k++] = encodeTime(t, units, first.calendar);
  const attrs: Attrs = { ...first.ds.variable(dim).attrs };
  for (const key of ["_FillValue", "missing_value", "scale_factor", "add_offset"])
    delete attrs[key];
  return [memoryVariable(dim, [dim], [total], values, attrs)];
}

function memoryVariable(
  name: string,
  dims: string[],
  shape: number[],
  data: Float64Array,
  attrs: Attrs,
): VariableSource {
  return {
    name,
    dims,
    shape,
    dtype: "float64",
    attrs,
    async read(start, count) {
      const [s, c] = resolveHyperslab(shape, start, count, { variable: name });
      return sliceData(data, shape, s, c);
    },
  };
}
