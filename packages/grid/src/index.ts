export { alignedStrides } from "./broadcast.js";
export { anomaly, climatology, monthsOf } from "./climatology.js";
export {
  areaWeights,
  maskFrom,
  mean,
  type ReduceOptions,
  type Reduction,
  reduce,
  regridNearest,
  where,
} from "./compute.js";
export { type ConcatSourcesOptions, concatSources } from "./concat-sources.js";
export { type Coordinate, DataArray, type DataArrayInit } from "./data-array.js";
export { Dataset, type IndexRange, type ReadOptions } from "./dataset.js";
export { charsToStrings, type Decoded, type DecodeOptions, decode } from "./decode.js";
export { type ErrorContext, GridError, type GridErrorCode, isGridError } from "./errors.js";
export { MAX_ELEMENTS, resolveHyperslab, sliceData } from "./hyperslab.js";
export { type InterpOptions, type InterpTarget, interp } from "./interp.js";
export {
  type IndexSelector,
  isel,
  isLongitude,
  type LabelSelector,
  readSel,
  type SelOptions,
  sel,
} from "./select.js";
export type { DatasetSource, PartVisitor, VariableSource } from "./source.js";
export {
  computeStats,
  type DatasetInfo,
  describeDataset,
  type Stats,
  type StatsOptions,
  slabs,
  type VariableInfo,
} from "./stats.js";
export {
  type DerivedFeature,
  fromTable,
  readTable,
  type Table,
  type TableIndex,
  type ToTableOptions,
  toTable,
} from "./table.js";
export {
  addSeconds,
  type Calendar,
  type CFDatetime,
  cfDatetime,
  dayNumber,
  dayOfYear,
  daysInMonth,
  daysInYear,
  decodeTimes,
  encodeTime,
  formatCFDatetime,
  fromDayNumber,
  isTimeUnits,
  parseCalendar,
  parseTimeUnits,
  type TimeUnits,
} from "./time.js";
export {
  type ArrayData,
  type Attrs,
  type AttrValue,
  allocate,
  attrNumber,
  attrNumbers,
  attrString,
  DTYPE_BYTES,
  type DType,
  dtypeOf,
  sizeOf,
  stridesOf,
  type TypedArray,
} from "./types.js";
