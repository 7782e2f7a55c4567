/**
 * @geoml/io — open any gridded file by its content, and many files as one lazy dataset.
 */
export { IoError, type IoErrorCode } from "./errors.js";
export { MfDataset, type MfPart, type OpenMfOptions, openMfDataset } from "./mfdataset.js";
export { FORMATS, type FormatEntry, open } from "./open.js";
