import type { ArrayData, Attrs, DType, TypedArray } from "./types.js";

/**
 * One stored variable, as a back-end (NetCDF, HDF5, GeoTIFF) exposes it: metadata up
 * front, data read lazily. Nothing here decodes: `read` returns the raw stored
 * values, packing and fill values included; CF decoding is a separate step
 * ({@link decode}).
 */
export interface VariableSource {
  /** Variable name (`band1`, `band2`, … for raster bands). */
  readonly name: string;
  /** Dimension names, outermost first. */
  readonly dims: readonly string[];
  /** Length of each dimension (current record count for an unlimited dimension). */
  readonly shape: readonly number[];
  /** Stored element type. */
  readonly dtype: DType;
  /** Raw attributes (including `scale_factor`, `_FillValue`, …). */
  readonly attrs: Readonly<Attrs>;
  /**
   * A chunk shape the back-end reads efficiently (HDF5 chunks, TIFF tiles); streaming
   * helpers align their hyperslabs to it. Absent for contiguous storage.
   */
  readonly chunks?: readonly number[];
  /**
   * Read the hyperslab `[start, start + count)` in row-major order. Both default to the
   * whole variable. The result holds exactly `prod(count)` raw values.
   *
   * @throws GridError `OUT_OF_RANGE` when the hyperslab is outside the shape
   */
  read(
    start?: readonly number[],
    count?: readonly number[],
    onPart?: (part: TypedArray) => void,
  ): Promise<ArrayData>;
}

/**
 * Optional third argument of {@link VariableSource.read}: a back-end that streams may call
 * it on consecutive, disjoint parts of the result (views into the returned array, in host
 * byte order) as they arrive, so in-place decoding overlaps I/O. A back-end that does not
 * stream simply never calls it; callers then process the whole result afterwards.
 */
export type PartVisitor = (part: TypedArray) => void;

/**
 * A whole file as a back-end exposes it, before any decoding: dimensions, global
 * attributes and lazily readable variables (coordinate variables included).
 */
export interface DatasetSource {
  /** Format tag, e.g. `"netcdf3-classic"`, `"netcdf3-64bit-offset"`, `"netcdf3-cdf5"`, `"netcdf4"`, `"geotiff"`. */
  readonly format: string;
  /** Path of the file, for messages. */
  readonly path?: string;
  /** Dimension lengths by name, in file order. */
  readonly dims: Readonly<Record<string, number>>;
  /** Names of unlimited (record) dimensions. */
  readonly unlimitedDims?: readonly string[];
  /** Global attributes. */
  readonly attrs: Readonly<Attrs>;
  /** Variables in file order. */
  readonly variables: readonly VariableSource[];
  /** Release file handles; reads after `close` fail. */
  close?(): Promise<void>;
}
