/**
 * The browser build of `@geoml/geotiff` (the `browser` export condition): no Node built-ins.
 * GeoTIFFs open from an `http(s)://` URL (range requests), bytes or a `Blob`; writing needs Node.
 */
export { type ByteSource, bufferSource } from "./byte-source.js";
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
export { type ReadGeotiffOptions, readGeotiff } from "./read.js";
export { blobSource, type HttpSourceOptions, httpSource } from "./remote.js";
export { isTiffMagic } from "./structure.js";
