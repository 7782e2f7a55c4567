import { GridError } from "./errors.js";
import { formatDataArray } from "./repr.js";
import { type CFDatetime, decodeTimes, isTimeUnits } from "./time.js";
import {
  type ArrayData,
  type Attrs,
  attrString,
  type DType,
  dtypeOf,
  sizeOf,
  stridesOf,
} from "./types.js";

/**
 * A coordinate: labels along one dimension (`dims: ["lat"]`) or over several
 * (`dims: ["y", "x"]` for the 2-D latitude/longitude of a curvilinear grid).
 */
export interface Coordinate {
  /** Dimensions the coordinate spans, a subset of its array's dims in the same order. */
  dims: string[];
  /** Row-major labels. Times stay numeric here (offsets in the `units` attribute). */
  values: Float64Array | string[];
  /** Attributes of the coordinate variable (`units`, `calendar`, `standard_name`, …). */
  attrs: Attrs;
  /** Decoded times, one per value, when the coordinate has CF time units. */
  times?: CFDatetime[];
}

/** Everything needed to build a {@link DataArray}. */
export interface DataArrayInit<T extends ArrayData = ArrayData> {
  /** Variable name. */
  name: string;
  /** Dimension names, outermost first. */
  dims: readonly string[];
  /** Row-major data. */
  data: T;
  /** Shape; defaults to `[data.length]` for one dimension. */
  shape?: readonly number[];
  /** Coordinates by name. */
  coords?: Readonly<Record<string, Coordinate>>;
  /** Attributes (after CF decoding, packing attributes live in `encoding`). */
  attrs?: Readonly<Attrs>;
  /** How the data were stored: dtype, `scale_factor`, `_FillValue`, … — used when writing back. */
  encoding?: Readonly<Attrs>;
}

/**
 * A labelled n-d array: data in row-major order with named dimensions,
 * coordinates per dimension and attributes — the in-memory unit of geoml, like
 * xarray's `DataArray`. `T` is the type of `data` (e.g. `DataArray<Float32Array>`), so
 * `.data` needs no cast.
 */
export class DataArray<T extends ArrayData = ArrayData> {
  /** Variable name. */
  readonly name: string;
  /** Dimension names, outermost first. */
  readonly dims: readonly string[];
  /** Length of each dimension. */
  readonly shape: readonly number[];
  /** Row-major data, `size` elements. */
  readonly data: T;
  /** Coordinates by name (each spans some of `dims`). */
  readonly coords: Readonly<Record<string, Coordinate>>;
  /** Attributes. */
  readonly attrs: Readonly<Attrs>;
  /** Storage details kept from decoding (dtype, packing, fill value). */
  readonly encoding: Readonly<Attrs>;

  /**
   * @throws GridError `SHAPE_MISMATCH` when dims, shape, data length or a coordinate disagree
   */
  constructor(init: DataArrayInit<T>) {
    checkInit(init);
    const shape = init.shape ?? [init.data.length];
    const ctx = { variable: init.name };
    if (shape.length !== init.dims.length) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `${init.dims.length} dims (${init.dims.join(", ")}) but shape has ${shape.length} entries`,
        ctx,
      );
    }
    if (new Set(init.dims).size !== init.dims.length) {
      throw new GridError("SHAPE_MISMATCH", `repeated dimension in (${init.dims.join(", ")})`, ctx);
    }
    if (sizeOf(shape) !== init.data.length) {
      throw new GridError(
        "SHAPE_MISMATCH",
        `shape [${shape.join(", ")}] holds ${sizeOf(shape)} elements but data has ${init.data.length}`,
        ctx,
      );
    }
    const coords = normaliseCoords(init.coords ?? {});
    for (const [key, coord] of Object.entries(coords)) {
      const expected: number[] = [];
      for (const d of coord.dims) {
        const axis = init.dims.indexOf(d);
        if (axis < 0) {
          throw new GridError("SHAPE_MISMATCH", `coordinate '${key}' uses unknown dim '${d}'`, ctx);
        }
        expected.push(shape[axis]);
      }
      checkCoordinate(key, coord, ctx);
      if (sizeOf(expected) !== coord.values.length) {
        throw new GridError(
          "SHAPE_MISMATCH",
          `coordinate '${key}' has ${coord.values.length} values, expected ${sizeOf(expected)}`,
          ctx,
        );
      }
    }
    this.name = init.name;
    this.dims = [...init.dims];
    this.shape = [...shape];
    this.data = init.data;
    this.coords = coords;
    this.attrs = init.attrs ?? {};
    this.encoding = init.encoding ?? {};
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.dims.length;
  }

  /** Element type of `data`. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** Row-major strides in elements. */
  get strides(): number[] {
    return stridesOf(this.shape);
  }

  /**
   * Position of `dim` in `dims`.
   *
   * @throws GridError `UNKNOWN_DIMENSION`
   */
  axis(dim: string): number {
    const a = this.dims.indexOf(dim);
    if (a < 0) {
      throw new GridError(
        "UNKNOWN_DIMENSION",
        `no dimension '${dim}' (dims are ${this.dims.join(", ") || "none"})`,
        { variable: this.name },
      );
    }
    return a;
  }

  /** Flat index of a multi-index (no bounds check beyond length). */
  flatIndex(index: readonly number[]): number {
    let flat = 0;
    let stride = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      flat += index[i] * stride;
      stride *= this.shape[i];
    }
    return flat;
  }

  /**
   * The element at a multi-index, as a number (strings and bigints are converted).
   *
   * @throws GridError `OUT_OF_RANGE` if an index is outside its dimension
   */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new GridError(
        "OUT_OF_RANGE",
        `expected ${this.shape.length} indices, got ${index.length}`,
        {
          variable: this.name,
        },
      );
    }
    for (let i = 0; i < index.length; i++) {
      if (!Number.isInteger(index[i]) || index[i] < 0 || index[i] >= this.shape[i]) {
        throw new GridError(
          "OUT_OF_RANGE",
          `index ${index[i]} outside dimension '${this.dims[i]}' (length ${this.shape[i]})`,
          { variable: this.name },
        );
      }
    }
    return Number(this.data[this.flatIndex(index)]);
  }

  /** The 1-D values of the coordinate named like `dim`, or of the one coordinate spanning only `dim`. */
  coord(dim: string): Coordinate | undefined {
    const direct = this.coords[dim];
    if (direct !== undefined) return direct;
    for (const c of Object.values(this.coords)) {
      if (c.dims.length === 1 && c.dims[0] === dim) return c;
    }
    return undefined;
  }

  /**
   * A copy with new data (same dims, shape and coords) — e.g. predictions on this grid.
   * `encoding` is kept when the dtype is kept (so writing back packs the same way), and
   * dropped otherwise.
   */
  withData<U extends ArrayData>(
    data: U,
    changes: { name?: string; attrs?: Attrs; encoding?: Attrs } = {},
  ): DataArray<U> {
    const keepEncoding = dtypeOf(data) === dtypeOf(this.data);
    return new DataArray<U>({
      name: changes.name ?? this.name,
      dims: [...this.dims],
      shape: [...this.shape],
      data,
      coords: { ...this.coords },
      attrs: changes.attrs ?? { ...this.attrs },
      encoding: changes.encoding ?? (keepEncoding ? { ...this.encoding } : {}),
    });
  }

  /** A summary like xarray's repr: dims, dtype, coordinates with their ranges, attributes. */
  toString(): string {
    return formatDataArray(this);
  }

  /** Node's `util.inspect` / `console.log` show {@link DataArray.toString}. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Data as a Float64Array (a copy unless already float64; strings become NaN). */
  toFloat64(): Float64Array {
    if (this.data instanceof Float64Array) return this.data;
    // Native conversion for numeric typed arrays (a per-element loop over the union is slow).
    if (
      ArrayBuffer.isView(this.data) &&
      !(this.data instanceof BigInt64Array || this.data instanceof BigUint64Array)
    ) {
      return new Float64Array(this.data as ArrayLike<number>);
    }
    const out = new Float64Array(this.data.length);
    const d = this.data;
    for (let i = 0; i < out.length; i++) out[i] = Number(d[i]);
    return out;
  }
}

function checkInit(init: unknown): void {
  const i = init as DataArrayInit;
  if (typeof init !== "object" || init === null) {
    throw new GridError(
      "INVALID_ARGUMENT",
      "new DataArray: expected { name, dims, data, shape?, coords?, attrs? }",
    );
  }
  if (typeof i.name !== "string") {
    throw new GridError("INVALID_ARGUMENT", "new DataArray: name must be a string");
  }
  if (!Array.isArray(i.dims) || i.dims.some((d) => typeof d !== "string")) {
    throw new GridError("INVALID_ARGUMENT", "new DataArray: dims must be a list of names", {
      variable: i.name,
    });
  }
  if (!(ArrayBuffer.isView(i.data) || Array.isArray(i.data))) {
    throw new GridError(
      "INVALID_ARGUMENT",
      "new DataArray: data must be a typed array or a string array",
      {
        variable: i.name,
      },
    );
  }
  if (
    i.shape !== undefined &&
    (!Array.isArray(i.shape) || i.shape.some((n) => !Number.isInteger(n) || n < 0))
  ) {
    throw new GridError(
      "INVALID_ARGUMENT",
      "new DataArray: shape must be a list of non-negative integers",
      {
        variable: i.name,
      },
    );
  }
}

function checkCoordinate(key: string, c: Coordinate, ctx: { variable: string }): void {
  if (!(c.values instanceof Float64Array) && !Array.isArray(c.values)) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `coordinate '${key}': values must be a Float64Array or a string array`,
      ctx,
    );
  }
}

// Coordinates given as plain numbers (number[] or another typed array) become Float64Array;
// decoded times are filled in from CF units when missing, so date selection works on arrays
// built in memory too.
function normaliseCoords(coords: Record<string, Coordinate>): Record<string, Coordinate> {
  const out: Record<string, Coordinate> = {};
  for (const [k, c] of Object.entries(coords)) {
    if (c === null || typeof c !== "object" || !Array.isArray(c.dims)) {
      throw new GridError("INVALID_ARGUMENT", `coordinate '${k}' must be { dims, values, attrs }`);
    }
    let values = c.values as unknown;
    if (ArrayBuffer.isView(values) && !(values instanceof Float64Array)) {
      values = Float64Array.from(values as unknown as ArrayLike<number>, Number);
    } else if (Array.isArray(values) && values.length > 0 && typeof values[0] === "number") {
      values = Float64Array.from(values as number[]);
    }
    const coord: Coordinate = {
      ...c,
      values: values as Float64Array | string[],
      attrs: c.attrs ?? {},
    };
    if (
      coord.times === undefined &&
      coord.values instanceof Float64Array &&
      isTimeUnits(coord.attrs.units)
    ) {
      try {
        const t = decodeTimes(coord.values, coord.attrs.units, attrString(coord.attrs, "calendar"));
        if (t.every((x) => x !== undefined)) coord.times = t as CFDatetime[];
      } catch {
        // Undecodable units keep the numeric labels.
      }
    }
    out[k] = coord;
  }
  return out;
}
