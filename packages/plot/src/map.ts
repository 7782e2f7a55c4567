import { attrString, type DataArray } from "@geoml/grid";
import {
  type GeoProjection,
  geoEquirectangular,
  geoGraticule,
  geoPath,
  geoStereographic,
} from "d3-geo";
// @ts-expect-error: d3-geo-projection ships no type declarations (there is no @types package).
import { geoRobinson as untypedRobinson } from "d3-geo-projection";
import { feature } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import land50 from "world-atlas/land-50m.json" with { type: "json" };
import { colormap, parseColor } from "./colormaps.js";
import { PlotError } from "./errors.js";
import { base64, encodePalettePng } from "./png-encode.js";
import { sampler } from "./sampler.js";
import { esc, niceTicks, r2, svgRoot, text } from "./svg.js";

/** Map projections. */
export type MapProjection = "platecarree" | "robinson" | "north-polar" | "south-polar";

const geoRobinson = untypedRobinson as () => GeoProjection;

const PROJECTIONS: readonly MapProjection[] = [
  "platecarree",
  "robinson",
  "north-polar",
  "south-polar",
];

/** Options of {@link renderMap}. */
export interface MapOptions {
  /** `platecarree` (default), `robinson`, `north-polar` or `south-polar` (polar stereographic). */
  projection?: MapProjection;
  /** Width of the figure in pixels (default 800, at least 400). */
  width?: number;
  /** Title; default the field's `long_name` (or its name). */
  title?: string;
  /** Second title line, e.g. the time step shown. */
  subtitle?: string;
  /** Units under the colour bar; default the field's `units` attribute. */
  units?: string;
  /** Colour map: `viridis` (default), `cividis`, `magma`, or `coolwarm` (diverging). */
  cmap?: string;
  /**
   * Centre of a diverging colour map (default 0): the range becomes symmetric about it.
   * Setting it picks `coolwarm` unless `cmap` is given.
   */
  center?: number;
  /** Colour range; default the field's minimum and maximum (symmetric for diverging maps). */
  vmin?: number;
  vmax?: number;
  /** Draw Natural Earth coastlines (default true). */
  coastlines?: boolean;
  /** Colour of missing (NaN) cells, e.g. land in an ocean field (default a grey unlike any colour of the map). */
  missingColor?: string;
  /** Polar maps reach from the pole to this latitude (default 40°, or −40° for the south). */
  boundingLat?: number;
}

/** A rendered map: its SVG and the projection from (lon, lat) to figure pixels. */
export interface RenderedMap {
  svg: string;
  width: number;
  height: number;
  /** Figure pixel of a point, or undefined when it is not on the map. */
  project(lon: number, lat: number): [number, number] | undefined;
}

// Missing cells: light grey against sequential maps, a darker grey against diverging
// ones, whose middle is near-white, so "no data" never looks like "zero".
const MISSING = "#d4d4d4";
const MISSING_DIVERGING = "#a3a3a3";

/**
 * A map of a 2-D field on a rectilinear or curvilinear latitude–longitude grid: the field
 * as an image in the chosen projection, missing cells in their own colour, Natural
 * Earth coastlines (`world-atlas`, 1:50m), a graticule, a title from `long_name` and a
 * colour bar labelled with the `units` attribute. The SVG is self-contained and needs no
 * Node built-ins; `@geoml/plot/png` turns it into a PNG.
 *
 * @throws PlotError `INVALID_ARGUMENT` for a field that is not 2-D or a bad option; regrid's `INVALID_GRID` without latitude/longitude
 */
export function renderMap(a: DataArray, options: MapOptions = {}): RenderedMap {
  const ctx = { variable: a.name };
  const projName = options.projection ?? "platecarree";
  if (!PROJECTIONS.includes(projName)) {
    throw new PlotError(
      "INVALID_ARGUMENT",
      `projection must be one of ${PROJECTIONS.join(", ")}; got '${String(projName)}'`,
      ctx,
    );
  }
  const width = Math.round(options.width ?? 800);
  if (!(width >= 400 && width <= 8000)) {
    throw new PlotError(
      "INVALID_ARGUMENT",
      `width must be 400–8000 pixels, got ${options.width}`,
      ctx,
    );
  }
  const { sample } = sampler(a);
  const divergingAsked = options.center !== undefined || options.cmap === "coolwarm";
  const cmapName = options.cmap ?? (divergingAsked ? "coolwarm" : "viridis");
  const cmap = colormap(cmapName);
  const diverging = cmap.diverging;
  const center = options.center ?? 0;
  const missingColor = options.missingColor ?? (diverging ? MISSING_DIVERGING : MISSING);
  // Layout: title, map, colour bar.
  const title = options.title ?? attrString(a.attrs, "long_name") ?? a.name;
  const units = options.units ?? attrString(a.attrs, "units") ?? "";
  const pad = 16;
  const labelled = projName === "platecarree";
  const left = pad + (labelled ? 34 : 0);
  const top = 40 + (options.subtitle ? 18 : 0);
  const mapW = width - left - pad;
  const polar = projName === "north-polar" || projName === "south-polar";
  const projection = makeProjection(projName, options.boundingLat);
  const sphere = { type: "Sphere" } as const;
  if (polar) projection.fitSize([mapW, mapW * 0.82], sphere);
  else projection.fitWidth(mapW, sphere);
  const [[bx0, by0], [bx1, by1]] = geoPath(projection).bounds(sphere);
  const mapH = Math.ceil(by1 - by0);
  projection.translate([
    projection.translate()[0] - bx0 + left + (mapW - (bx1 - bx0)) / 2,
    projection.translate()[1] - by0 + top,
  ]);
  const mapX0 = Math.floor(left);
  const mapY0 = Math.floor(top);
  const mapX1 = Math.ceil(left + mapW);
  const mapY1 = top + mapH;

  // The field as a palette image, one pixel per figure pixel: 0 transparent, 1 missing, 2… colours.
  const colors = 254;
  const palette: Array<[number, number, number, number]> = [
    [0, 0, 0, 0],
    [...parseColor(missingColor), 255],
  ];
  for (let k = 0; k < colors; k++) palette.push([...parseColor(cmap.map(k / (colors - 1))), 255]);
  const iw = mapX1 - mapX0;
  const ih = Math.ceil(mapY1 - mapY0);
  // Pass 1: the value under every pixel (NaN = missing, undefined = off the map).
  const under = new Float64Array(iw * ih).fill(Number.POSITIVE_INFINITY);
  const clipAngle = polar ? (projection.clipAngle() ?? undefined) : undefined;
  const poleLat = projName === "south-polar" ? -90 : 90;
  // Set when some pixel shows no data, for the legend.
  let missing = false;
  for (let y = 0; y < ih; y++) {
    for (let x = 0; x < iw; x++) {
      const px = mapX0 + x + 0.5;
      const py = mapY0 + y + 0.5;
      const ll = projection.invert?.([px, py]);
      if (!ll || !Number.isFinite(ll[0]) || !Number.isFinite(ll[1])) continue;
      const [lon, lat] = ll;
      if (Math.abs(lat) > 90 || Math.abs(lon) > 180 + 1e-9) continue;
      if (clipAngle !== undefined && Math.abs(lat - poleLat) > clipAngle) continue;
      if (!polar) {
        // Off the projection's outline the inverse may still return numbers: check the round trip.
        const back = projection([lon, lat]);
        if (!back || Math.abs(back[0] - px) > 0.75 || Math.abs(back[1] - py) > 0.75) continue;
      }
      // Off the grid (beyond a regional or ocean grid's edge) is drawn as missing too.
      const v = sample(lon, lat);
      under[y * iw + x] = v === undefined ? Number.NaN : v;
      if (v === undefined || Number.isNaN(v)) missing = true;
    }
  }
  // The colour range: what the map shows (a polar map shows part of a global field).
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of under) {
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(hi >= lo)) {
    lo = 0;
    hi = 1;
  } else if (hi === lo) {
    // A constant field still gets a colour bar around its value.
    lo -= 0.5;
    hi += 0.5;
  }
  if (diverging) {
    const m = Math.max(Math.abs(hi - center), Math.abs(lo - center)) || 1;
    lo = center - m;
    hi = center + m;
  }
  const vmin = options.vmin ?? lo;
  const vmax = options.vmax ?? hi;
  if (!(vmax > vmin)) {
    throw new PlotError("INVALID_ARGUMENT", `vmin (${vmin}) must be below vmax (${vmax})`, ctx);
  }
  // Pass 2: palette indices, 0 transparent, 1 missing, 2… colours.
  const pixels = new Uint8Array(iw * ih);
  for (let k = 0; k < under.length; k++) {
    const v = under[k];
    if (v === Number.POSITIVE_INFINITY) continue;
    if (Number.isNaN(v)) {
      pixels[k] = 1;
      continue;
    }
    const t = Math.min(1, Math.max(0, (v - vmin) / (vmax - vmin)));
    pixels[k] = 2 + Math.round(t * (colors - 1));
  }
  const png = encodePalettePng(iw, ih, pixels, palette);
  const path = geoPath(projection);
  const parts: string[] = [];
  parts.push(text(width / 2, 24, title, { size: 16, anchor: "middle", weight: "bold" }));
  if (options.subtitle)
    parts.push(text(width / 2, 44, options.subtitle, { size: 12, anchor: "middle", fill: "#444" }));
  parts.push(
    `<image x="${mapX0}" y="${mapY0}" width="${iw}" height="${ih}" preserveAspectRatio="none" style="image-rendering:pixelated" xlink:href="data:image/png;base64,${base64(png)}"/>`,
  );
  const graticule = geoGraticule().step(polar ? [30, 10] : [30, 30]);
  parts.push(
    `<path d="${path(graticule()) ?? ""}" fill="none" stroke="#666" stroke-opacity="0.45" stroke-width="0.5"/>`,
  );
  if (options.coastlines ?? true) {
    parts.push(
      `<path d="${coastPath(path)}" fill="none" stroke="#111" stroke-width="0.7" stroke-linejoin="round"/>`,
    );
  }
  parts.push(`<path d="${path(sphere) ?? ""}" fill="none" stroke="#333" stroke-width="1"/>`);
  if (labelled) parts.push(...plateCarreeLabels(projection, mapY1));

  // Colour bar.
  const cbTop = mapY1 + (labelled ? 30 : 16);
  const cbW = Math.round(width * 0.6);
  const cbX = Math.round((width - cbW) / 2);
  const cbH = 14;
  // The colour bar is an image too: one pixel per colour, so it has no seams.
  const bar = encodePalettePng(
    colors,
    1,
    Uint8Array.from({ length: colors }, (_, k) => 2 + k),
    palette,
  );
  parts.push(
    `<image x="${cbX}" y="${cbTop}" width="${cbW}" height="${cbH}" preserveAspectRatio="none" xlink:href="data:image/png;base64,${base64(bar)}"/>`,
  );
  parts.push(
    `<rect x="${cbX}" y="${cbTop}" width="${cbW}" height="${cbH}" fill="none" stroke="#333" stroke-width="0.8"/>`,
  );
  const tk = niceTicks(vmin, vmax, 6);
  tk.values.forEach((v, i) => {
    const x = cbX + ((v - vmin) / (vmax - vmin)) * cbW;
    parts.push(
      `<line x1="${r2(x)}" x2="${r2(x)}" y1="${cbTop + cbH}" y2="${cbTop + cbH + 4}" stroke="#333" stroke-width="0.8"/>`,
    );
    parts.push(text(x, cbTop + cbH + 16, tk.labels[i], { size: 11, anchor: "middle" }));
  });
  if (units) parts.push(text(width / 2, cbTop + cbH + 32, units, { size: 12, anchor: "middle" }));
  if (missing) {
    const sx = cbX + cbW + 16;
    parts.push(
      `<rect x="${sx}" y="${cbTop}" width="${cbH}" height="${cbH}" fill="${esc(missingColor)}" stroke="#333" stroke-width="0.8"/>`,
    );
    parts.push(text(sx + cbH + 5, cbTop + cbH - 2, "no data", { size: 11 }));
  }
  const height = Math.ceil(cbTop + cbH + (units ? 40 : 26));
  return {
    svg: svgRoot(width, height, parts.join("")),
    width,
    height,
    project(lon, lat) {
      if (clipAngle !== undefined && Math.abs(lat - poleLat) > clipAngle) return undefined;
      const p = projection([lon, lat]);
      return p ? [p[0], p[1]] : undefined;
    },
  };
}

/** SVG of a map of a 2-D field — {@link renderMap}'s `svg`. */
export function mapSvg(a: DataArray, options: MapOptions = {}): string {
  return renderMap(a, options).svg;
}

function makeProjection(name: MapProjection, boundingLat?: number): GeoProjection {
  if (name === "robinson") return geoRobinson();
  if (name === "platecarree") return geoEquirectangular();
  const south = name === "south-polar";
  const b = boundingLat ?? (south ? -40 : 40);
  if (south ? !(b < 0 && b > -90) : !(b > 0 && b < 90)) {
    throw new PlotError(
      "INVALID_ARGUMENT",
      `boundingLat for a ${name} map must be ${south ? "in (−90, 0)" : "in (0, 90)"}, got ${b}`,
    );
  }
  return geoStereographic()
    .rotate([0, south ? 90 : -90])
    .clipAngle(90 - Math.abs(b));
}

let coast: unknown;
function coastPath(path: ReturnType<typeof geoPath>): string {
  if (coast === undefined) {
    const topo = land50 as unknown as Topology<{ land: GeometryCollection }>;
    coast = feature(topo, topo.objects.land);
  }
  return path(coast as Parameters<typeof path>[0]) ?? "";
}

function plateCarreeLabels(projection: GeoProjection, bottom: number): string[] {
  const out: string[] = [];
  for (let lon = -180; lon <= 180; lon += 60) {
    const p = projection([lon, -90]);
    if (!p) continue;
    const label =
      lon === 0 || Math.abs(lon) === 180 ? `${Math.abs(lon)}°` : lon < 0 ? `${-lon}°W` : `${lon}°E`;
    out.push(text(p[0], bottom + 14, label, { size: 11, anchor: "middle" }));
  }
  for (let lat = -60; lat <= 60; lat += 30) {
    const p = projection([-180, lat]);
    if (!p) continue;
    const label = lat === 0 ? "0°" : lat < 0 ? `${-lat}°S` : `${lat}°N`;
    out.push(text(p[0] - 5, p[1] + 4, label, { size: 11, anchor: "end" }));
  }
  return out;
}
