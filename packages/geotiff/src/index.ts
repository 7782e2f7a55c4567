export { type ByteSource, bufferSource, fileSource } from "./byte-source.js";
export type { Compression } from "./compress.js";
export { GeotiffError, type GeotiffErrorCode } from "./errors.js";
export { type GeoTransform, pixelCentres } from "./georef.js";
export {
  type GeotiffSource,
  type LevelSize,
  type OpenGeotiffOptions,
  openGeotiff,
  overviewForSize,
  type PixelWindow,
} from "./open.js";
export type { Resampling } from "./overview.js";
export { type ReadGeotiffOptions, readGeotiff } from "./read.js";
export { blobSource, type HttpSourceOptions, httpSource } from "./remote.js";
export { isTiffMagic } from "./structure.js";
export { encodeGeotiff, type WriteGeotiffOptions, writeGeotiff } from "./write.js";
