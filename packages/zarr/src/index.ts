export type { Compressor } from "./codecs.js";
export { ZarrError, type ZarrErrorCode } from "./errors.js";
export { HttpStore, type HttpStoreOptions } from "./http-store.js";
export { openZarr, openZarrSource, type ZarrLocation, type ZarrOpenOptions } from "./open.js";
export { openZarrWriter } from "./reopen.js";
export { MemoryStore, type WritableZarrStore, type ZarrStore } from "./store.js";
export {
  createZarr,
  type ZarrCreateOptions,
  type ZarrVariableEncoding,
  type ZarrVariableSpec,
  type ZarrWriteDType,
  type ZarrWriteOptions,
  ZarrWriter,
} from "./write.js";
export { writeZarr } from "./write-arrays.js";
