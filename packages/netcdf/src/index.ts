export {
  type BadAttribute,
  NetcdfDataset,
  numericAttributes,
  parseNumericText,
} from "./dataset.js";
export { NetcdfError, type NetcdfErrorCode } from "./errors.js";
export { openNetcdf3 } from "./nc3/reader.js";
export {
  type Netcdf3Format,
  type VariableEncoding,
  type WriteOptions,
  writeDataset,
  writeNetcdf,
} from "./nc3/writer.js";
export {
  type Netcdf4Options,
  type Netcdf4Source,
  type NetcdfGroup,
  openNetcdf4,
  preloadNetcdf4,
  type UnsupportedVariable,
} from "./nc4/reader.js";
export { detectNetcdf, type NetcdfKind, openNetcdf } from "./open.js";
export { type HttpHandleOptions, type NetcdfInput, openNetcdfFrom } from "./remote.js";
