export { COLORMAPS, type ColorMap, colormap } from "./colormaps.js";
export { PlotError, type PlotErrorCode } from "./errors.js";
export { decimalYear, type LineOptions, lineSvg, type Series, timeSeriesSvg } from "./line.js";
export { type MapOptions, type MapProjection, mapSvg, type RenderedMap, renderMap } from "./map.js";
