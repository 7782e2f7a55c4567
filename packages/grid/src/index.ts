export {
  type AlignOptions,
  align,
  type Join,
} from "./align.js";
export {
  add,
  and,
  apply,
  type BinaryOp,
  type BinaryOptions,
  binary,
  div,
  eq,
  type FloatArray,
  ge,
  gt,
  le,
  lt,
  mul,
  ne,
  not,
  type Operand,
  or,
  pow,
  sub,
} from "./arith.js";
export { alignedStrides } from "./broadcast.js";
export { anomaly, climatology, monthsOf } from "./climatology.js";
export { type ConcatOptions, concat, merge } from "./combine.js";
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
export {
  assignAttrs,
  assignCoords,
  expandDims,
  rename,
  roll,
  sortby,
  squeeze,
  swapDims,
  transpose,
} from "./coords-ops.js";
export { type Coordinate, DataArray, type DataArrayInit } from "./data-array.js";
export { Dataset, type IndexRange, type ReadOptions } from "./dataset.js";
export {
  formatVariables,
  mapVariables,
  type ReadVariablesOptions,
  readVariables,
  setCoords,
} from "./dataset-ops.js";
export { charsToStrings, type Decoded, type DecodeOptions, decode } from "./decode.js";
export { type ErrorContext, GridError, type GridErrorCode, isGridError } from "./errors.js";
export {
  type CoarsenOptions,
  coarsen,
  type DatePart,
  datePart,
  type GroupBy,
  groupby,
  type ResampleFreq,
  resample,
  seasonOf,
} from "./groupby.js";
export { MAX_ELEMENTS, resolveHyperslab, sliceData } from "./hyperslab.js";
export { type InterpOptions, type InterpTarget, interp } from "./interp.js";
export { type Label, parseDateLabel } from "./labels.js";
export { bfill, dropna, ffill, fillna, interpolateNa } from "./missing.js";
export {
  argmax,
  argmin,
  cumsum,
  diff,
  quantile,
  shift,
  type Weighted,
  weighted,
} from "./reductions.js";
export { type Rolling, type RollingOp, type RollingOptions, rolling } from "./rolling.js";
export {
  type IndexSelector,
  type IndexSlice,
  isel,
  isLongitude,
  type LabelSelector,
  readSel,
  type SelMethod,
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
export { type LazyReduceOptions, reduceLazy } from "./streaming.js";
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
