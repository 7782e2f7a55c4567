import { checkOptions, describe, isPlainObject } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import { charsToStrings, type DecodeOptions, decode } from "./decode.js";
import { GridError } from "./errors.js";
import { resolveHyperslab, sliceData } from "./hyperslab.js";
import { formatDataset } from "./repr.js";
import { type IndexSelector, isel, resolveIsel } from "./select.js";
import type { DatasetSource, VariableSource } from "./source.js";
import { decodeTimes, isTimeUnits } from "./time.js";
import { type ArrayData, type Attrs, attrString, dtypeOf, type TypedArray } from "./types.js";

/** A contiguous index range along one dimension: `[start, stop)`, both optional. */
export interface IndexRange {
  /** First index (default 0; negative counts from the end). */
  start?: number;
  /** One past the last index (default the length; negative counts from the end). */
  stop?: number;
}

/** Options of {@link Dataset.read}. */
export interface ReadOptions {
  /** CF-decode the values (default true); `false` returns the stored values unchanged. */
  decode?: boolean | DecodeOptions;
  /**
   * Index selection per dimension: a number picks one index and drops the dimension, a
   * range `{ start, stop, step }` or a list of positions keeps it. Only the bounding
   * hyperslab of the selection is read from the file.
   */
  isel?: Record<string, IndexSelector>;
  /** Attach coordinates (default true). */
  coords?: boolean;
}

/**
 * A collection of variables sharing dimensions and coordinates, read lazily from a
 * back-end ({@link DatasetSource}) — opening reads metadata only; {@link Dataset.read}
 * reads one variable or hyperslab and CF-decodes it.
 */
export class Dataset {
  /** The back-end this dataset reads from. */
  readonly source: DatasetSource;
  private readonly byName: Map<string, VariableSource>;

  /** Wrap a back-end. */
  constructor(source: DatasetSource) {
    this.source = source;
    this.byName = new Map(source.variables.map((v) => [v.name, v]));
  }

  /** An in-memory dataset from decoded arrays (e.g. model results to write out). */
  static fromDataArrays(
    arrays: readonly DataArray[],
    options: { attrs?: Attrs; format?: string } = {},
  ): Dataset {
    const dims: Record<string, number> = {};
    const variables = new Map<string, VariableSource>();
    const addDims = (names: readonly string[], shape: readonly number[], who: string) => {
      names.forEach((d, i) => {
        if (dims[d] !== undefined && dims[d] !== shape[i]) {
          throw new GridError(
            "SHAPE_MISMATCH",
            `dimension '${d}' has length ${dims[d]} but '${who}' uses ${shape[i]}`,
          );
        }
        dims[d] = shape[i];
      });
    };
    for (const a of arrays) {
      addDims(a.dims, a.shape, a.name);
      for (const [cname, c] of Object.entries(a.coords)) {
        const cshape = c.dims.map((d) => a.shape[a.dims.indexOf(d)]);
        if (!variables.has(cname)) {
          variables.set(cname, memoryVariable(cname, c.dims, cshape, c.values, c.attrs));
        }
      }
    }
    for (const a of arrays) {
      const attrs: Attrs = { ...a.attrs };
      const extra = Object.entries(a.coords)
        .filter(([cname, c]) => !(c.dims.length === 1 && c.dims[0] === cname))
        .map(([cname]) => cname);
      if (extra.length > 0) attrs.coordinates = extra.join(" ");
      variables.set(a.name, memoryVariable(a.name, a.dims, a.shape, a.data, attrs));
    }
    return new Dataset({
      format: options.format ?? "memory",
      dims,
      attrs: options.attrs ?? {},
      variables: [...variables.values()],
    });
  }

  /** Format tag of the back-end (`"netcdf3-classic"`, `"netcdf4"`, `"geotiff"`, …). */
  get format(): string {
    return this.source.format;
  }

  /** Path of the file, if any. */
  get path(): string | undefined {
    return this.source.path;
  }

  /** Dimension lengths by name. */
  get dims(): Readonly<Record<string, number>> {
    return this.source.dims;
  }

  /** Global attributes. */
  get attrs(): Readonly<Attrs> {
    return this.source.attrs;
  }

  /** All variable names, coordinates included, in file order. */
  get variableNames(): string[] {
    return this.source.variables.map((v) => v.name);
  }

  /** Names of coordinate variables: 1-D variables named after their dimension, and those listed in any `coordinates` attribute. */
  get coordNames(): string[] {
    const names = new Set<string>();
    for (const v of this.source.variables) {
      if (v.dims.length === 1 && v.dims[0] === v.name) names.add(v.name);
      for (const c of listedCoordinates(v)) if (this.byName.has(c)) names.add(c);
    }
    return this.variableNames.filter((n) => names.has(n));
  }

  /** Names of data variables (everything that is not a coordinate or a bounds variable). */
  get dataVariableNames(): string[] {
    const coords = new Set(this.coordNames);
    for (const v of this.source.variables) {
      const b = attrString(v.attrs, "bounds");
      if (b !== undefined) coords.add(b);
    }
    return this.variableNames.filter((n) => !coords.has(n));
  }

  /** True when the dataset has a variable `name`. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /**
   * The lazy variable `name` (metadata, raw `read`).
   *
   * @throws GridError `UNKNOWN_VARIABLE`
   */
  variable(name: string): VariableSource {
    const v = this.byName.get(name);
    if (v === undefined) {
      throw new GridError(
        "UNKNOWN_VARIABLE",
        `no variable '${name}' (has ${this.variableNames.join(", ") || "none"})`,
        { file: this.path },
      );
    }
    return v;
  }

  /** Names of the coordinates that belong to variable `name` (same-named dims and the `coordinates` attribute). */
  coordinatesOf(name: string): string[] {
    const v = this.variable(name);
    const out: string[] = [];
    for (const d of v.dims) {
      const c = this.byName.get(d);
      if (c !== undefined && c.dims.length === 1 && c.dims[0] === d) out.push(d);
    }
    for (const c of listedCoordinates(v)) {
      const cv = this.byName.get(c);
      if (
        cv !== undefined &&
        !out.includes(c) &&
        c !== name &&
        cv.dims.every((d) => v.dims.includes(d))
      ) {
        out.push(c);
      }
    }
    return out;
  }

  /**
   * Read variable `name` (or a hyperslab of it) into a {@link DataArray}, CF-decoded
   * unless `decode: false`, with its coordinates attached.
   *
   * @throws GridError `UNKNOWN_VARIABLE`, `UNKNOWN_DIMENSION`, `OUT_OF_RANGE`
   */
  async read(name: string, options: ReadOptions = {}): Promise<DataArray> {
    checkOptions("Dataset.read", "options", options, ["decode", "isel", "coords"], {
      sel: "select by label with readSel(ds, name, selection)",
    });
    const v = this.variable(name);
    const ctx = { file: this.path, variable: name };
    if (
      options.decode !== undefined &&
      typeof options.decode !== "boolean" &&
      !isPlainObject(options.decode)
    ) {
      throw new GridError(
        "INVALID_ARGUMENT",
        `Dataset.read: options.decode must be true, false or decode options; got ${describe(options.decode)}`,
        ctx,
      );
    }
    // Steps and position lists read their bounding box, then pick in memory.
    const resolved = resolveIsel("Dataset.read", v.dims, v.shape, options.isel, ctx);
    const box: Record<string, number | IndexRange> = {};
    const local: Record<string, number[]> = {};
    let needLocal = false;
    v.dims.forEach((d, i) => {
      const p = resolved.picks[i];
      if (p === undefined) return;
      if (!resolved.keep[i]) {
        box[d] = p[0];
        return;
      }
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const k of p) {
        if (k < lo) lo = k;
        if (k > hi) hi = k;
      }
      if (p.length === 0) {
        lo = 0;
        hi = -1;
      }
      box[d] = { start: lo, stop: hi + 1 };
      const contiguous = p.every((k, j) => k === lo + j);
      if (!contiguous) needLocal = true;
      local[d] = p.map((k) => k - lo);
    });
    const out = await this.readBox(name, v, box, options, ctx);
    return needLocal ? isel(out, local) : out;
  }

  private async readBox(
    name: string,
    v: VariableSource,
    isel: Record<string, number | IndexRange>,
    options: ReadOptions,
    ctx: { file?: string; variable?: string },
  ): Promise<DataArray> {
    const { start, count, keep } = selectionToHyperslab(v, isel, ctx);
    const decodeOpt = options.decode ?? true;
    const decodeOptions: DecodeOptions = {
      inPlace: true,
      ...(decodeOpt === true || decodeOpt === false ? {} : decodeOpt),
    };
    const wantDecode = decodeOpt !== false && v.dtype !== "char" && v.dtype !== "string";
    // Float data decode in place, so a streaming back-end can decode each part as it lands
    // while the next one is still being read.
    const output = decodeOptions.output ?? "auto";
    const streamable =
      wantDecode &&
      ((v.dtype === "float32" && output !== "float64") ||
        (v.dtype === "float64" && output !== "float32"));
    let streamed = 0;
    const onPart = streamable
      ? (part: TypedArray) => {
          decode(part, v.attrs, decodeOptions);
          streamed += part.length;
        }
      : undefined;
    const coordNames = (options.coords ?? true) ? this.coordinatesOf(name) : [];
    // Coordinates are small: read them while the data are in flight.
    const [raw, ...coordList] = await Promise.all([
      v.read(start, count, onPart),
      ...coordNames.map((cname) => {
        const cv = this.byName.get(cname)!;
        const cstart = cv.dims.map((d) => start[v.dims.indexOf(d)]);
        const ccount = cv.dims.map((d) => count[v.dims.indexOf(d)]);
        return readCoordinate(cv, cstart, ccount, decodeOpt !== false);
      }),
    ]);
    const dims = v.dims.filter((_, i) => keep[i]);
    const shape = count.filter((_, i) => keep[i]);
    let data: ArrayData = raw;
    let attrs: Attrs = { ...v.attrs };
    let encoding: Attrs = { dtype: v.dtype };
    if (wantDecode) {
      const whole = streamed === raw.length && !Array.isArray(raw);
      // Already decoded part by part: decode an empty array just to split the attributes.
      const d = whole
        ? decode((raw as TypedArray).subarray(0, 0), v.attrs, decodeOptions)
        : decode(raw, v.attrs, decodeOptions);
      if (!whole) data = d.data;
      attrs = d.attrs;
      encoding = { ...d.encoding, dtype: v.dtype };
    }
    const coords: Record<string, Coordinate> = {};
    coordNames.forEach((cname, k) => {
      const cv = this.byName.get(cname)!;
      const ckeep = cv.dims.map((d) => keep[v.dims.indexOf(d)]);
      const coord = coordList[k];
      coord.dims = cv.dims.filter((_, i) => ckeep[i]);
      coords[cname] = coord;
    });
    return new DataArray({ name, dims, shape, data, coords, attrs, encoding });
  }

  /** A summary like xarray's repr: dims, coordinates, data variables with dims and dtype, attributes. */
  toString(): string {
    const coords = this.coordNames.map((n) => {
      const v = this.byName.get(n)!;
      const marker = v.dims.length === 1 && v.dims[0] === n ? "*" : " ";
      return { name: n, line: `  ${marker} ${n.padEnd(10)} (${v.dims.join(", ")}) ${v.dtype}` };
    });
    const variables = this.dataVariableNames.map((n) => {
      const v = this.byName.get(n)!;
      const extra = [attrString(v.attrs, "units"), attrString(v.attrs, "long_name")]
        .filter((x) => x !== undefined)
        .join(", ");
      return {
        name: n,
        line: `    ${n.padEnd(10)} (${v.dims.join(", ")}) ${v.dtype}${extra ? ` [${extra}]` : ""}`,
      };
    });
    return formatDataset({ dims: this.dims, coords, variables, attrs: this.attrs });
  }

  /** Node's `util.inspect` / `console.log` show {@link Dataset.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Close the back-end. */
  async close(): Promise<void> {
    await this.source.close?.();
  }
}

function listedCoordinates(v: VariableSource): string[] {
  const c = attrString(v.attrs, "coordinates");
  return c === undefined ? [] : c.split(/\s+/).filter((s) => s.length > 0);
}

function selectionToHyperslab(
  v: VariableSource,
  isel: Record<string, number | IndexRange>,
  ctx: { file?: string; variable?: string },
): { start: number[]; count: number[]; keep: boolean[] } {
  for (const d of Object.keys(isel)) {
    if (!v.dims.includes(d)) {
      throw new GridError(
        "UNKNOWN_DIMENSION",
        `no dimension '${d}' (dims are ${v.dims.join(", ") || "none"})`,
        ctx,
      );
    }
  }
  const start: number[] = [];
  const count: number[] = [];
  const keep: boolean[] = [];
  v.dims.forEach((d, i) => {
    const n = v.shape[i];
    const sel = isel[d];
    if (sel === undefined) {
      start.push(0);
      count.push(n);
      keep.push(true);
    } else if (typeof sel === "number") {
      const k = sel < 0 ? n + sel : sel;
      if (!Number.isInteger(k) || k < 0 || k >= n) {
        throw new GridError("OUT_OF_RANGE", `index ${sel} outside '${d}' (length ${n})`, ctx);
      }
      start.push(k);
      count.push(1);
      keep.push(false);
    } else {
      const a = normalise(sel.start ?? 0, n);
      const b = normalise(sel.stop ?? n, n);
      if (!Number.isInteger(a) || !Number.isInteger(b) || a > b) {
        throw new GridError(
          "OUT_OF_RANGE",
          `range [${sel.start}, ${sel.stop}) is not valid on '${d}' (length ${n})`,
          ctx,
        );
      }
      start.push(a);
      count.push(b - a);
      keep.push(true);
    }
  });
  resolveHyperslab(v.shape, start, count, ctx);
  return { start, count, keep };
}

function normalise(i: number, n: number): number {
  const k = i < 0 ? n + i : i;
  return Math.min(Math.max(k, 0), n);
}

async function readCoordinate(
  cv: VariableSource,
  start: number[],
  count: number[],
  decodeValues: boolean,
): Promise<Coordinate> {
  const raw = await cv.read(start, count);
  if (cv.dtype === "char" && raw instanceof Uint8Array) {
    const len = count[count.length - 1] ?? 1;
    return { dims: [...cv.dims], values: charsToStrings(raw, len), attrs: { ...cv.attrs } };
  }
  if (Array.isArray(raw)) return { dims: [...cv.dims], values: raw, attrs: { ...cv.attrs } };
  let values: Float64Array;
  if (decodeValues) {
    values = decode(raw, cv.attrs, { output: "float64" }).data as Float64Array;
  } else {
    values = Float64Array.from(raw as ArrayLike<number>, Number);
  }
  const coord: Coordinate = { dims: [...cv.dims], values, attrs: { ...cv.attrs } };
  const units = cv.attrs.units;
  if (decodeValues && isTimeUnits(units)) {
    try {
      const times = decodeTimes(values, units, attrString(cv.attrs, "calendar"));
      if (times.every((t) => t !== undefined))
        coord.times = times as NonNullable<Coordinate["times"]>;
    } catch {
      // Undecodable time units keep the numeric coordinate, as xarray does with decode_times
      // failures downgraded to warnings.
    }
  }
  return coord;
}

function memoryVariable(
  name: string,
  dims: readonly string[],
  shape: readonly number[],
  data: ArrayData,
  attrs: Attrs,
): VariableSource {
  return {
    name,
    dims: [...dims],
    shape: [...shape],
    dtype: dtypeOf(data),
    attrs,
    async read(start, count) {
      const [s, c] = resolveHyperslab(shape, start, count, { variable: name });
      return sliceData(data, shape, s, c);
    },
  };
}
