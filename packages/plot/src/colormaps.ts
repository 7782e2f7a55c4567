import { interpolateLab, piecewise } from "d3-interpolate";
import { interpolateCividis, interpolateMagma, interpolateViridis } from "d3-scale-chromatic";
import { PlotError } from "./errors.js";

/** A colour map: t in [0, 1] → CSS colour. */
export type ColorMap = (t: number) => string;

/**
 * Diverging, perceptually uniform: blue to red through near-white, each half a straight
 * line in CIELAB between colours of equal lightness (Moreland's "cool to warm" ends).
 */
const coolWarm: ColorMap = piecewise(interpolateLab, ["#3b4cc0", "#f5f5f5", "#b40426"]);

/** Colour maps by name: `viridis` (default), `cividis`, `magma` (sequential), `coolwarm` (diverging). */
export const COLORMAPS: Readonly<Record<string, { map: ColorMap; diverging: boolean }>> = {
  viridis: { map: interpolateViridis, diverging: false },
  cividis: { map: interpolateCividis, diverging: false },
  magma: { map: interpolateMagma, diverging: false },
  coolwarm: { map: coolWarm, diverging: true },
};

/**
 * The colour map called `name`.
 *
 * @throws PlotError `INVALID_ARGUMENT` for an unknown name
 */
export function colormap(name: string): { map: ColorMap; diverging: boolean } {
  const c = COLORMAPS[name];
  if (c === undefined) {
    throw new PlotError(
      "INVALID_ARGUMENT",
      `unknown colour map '${name}' (have ${Object.keys(COLORMAPS).join(", ")})`,
    );
  }
  return c;
}

/** "rgb(r, g, b)" or "#rrggbb" → [r, g, b]. */
export function parseColor(c: string): [number, number, number] {
  const m = /^rgb\((\d+),\s*(\d+),\s*(\d+)\)$/.exec(c);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = /^#([0-9a-f]{6})$/i.exec(c);
  if (h) {
    const v = Number.parseInt(h[1], 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  throw new PlotError("INVALID_ARGUMENT", `colour '${c}' is not #rrggbb or rgb(r, g, b)`);
}
