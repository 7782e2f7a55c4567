export { type BilinearOptions, bilinearWeights } from "./bilinear.js";
export { type ConservativeOptions, conservativeWeights } from "./conservative.js";
export { RegridError, type RegridErrorCode } from "./errors.js";
export {
  axisBounds,
  cellCenter,
  curvilinearCorners,
  curvilinearGrid,
  findLatLon,
  globalGrid,
  gridOf,
  gridSize,
  readGrid,
  rectilinearGrid,
  type SphericalGrid,
} from "./grid.js";
export { nearestWeights } from "./nearest.js";
export {
  type ApplyOptions,
  computeWeights,
  Regridder,
  type RegridResult,
  regrid,
  type WeightOptions,
} from "./regrid.js";
export { cellAreas, fromScrip, type ScripFile, toScrip } from "./scrip.js";
export { PointIndex } from "./search.js";
export { applyWeights, type RegridMethod, type RemapWeights } from "./weights.js";
