/**
 * The browser build of `@geoml/netcdf` (the `browser` export condition): no Node built-ins.
 * NetCDF-3 opens from an `http(s)://` URL, bytes or a `Blob`; NetCDF-4 and writing need Node.
 */
export { NetcdfError, type NetcdfErrorCode } from "./errors.js";
export { openNetcdf3 } from "./nc3/reader.js";
export {
  type HttpHandleOptions,
  type NetcdfInput,
  openNetcdfFrom,
  openNetcdfFrom as openNetcdf,
} from "./remote.js";
