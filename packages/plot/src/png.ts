import { fileURLToPath } from "node:url";
import { Resvg } from "@resvg/resvg-js";

/** The committed DejaVu Sans, so text renders the same on every machine. */
export const FONT_FILE = fileURLToPath(new URL("../fonts/DejaVuSans.ttf", import.meta.url));

function render(svg: string, scale: number) {
  if (!(scale > 0 && scale <= 8)) {
    throw new RangeError(`scale must be in (0, 8], got ${scale}`);
  }
  const resvg = new Resvg(svg, {
    font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
    fitTo: scale === 1 ? { mode: "original" } : { mode: "zoom", value: scale },
    background: "#ffffff",
  });
  return resvg.render();
}

/**
 * Render an SVG from this package to PNG bytes (Node only: resvg, a native module shipped
 * as prebuilt npm packages), with the committed font.
 *
 * @param scale - pixel density (2 for a high-resolution figure)
 */
export function svgToPng(svg: string, scale = 1): Uint8Array {
  return render(svg, scale).asPng();
}

/** Render to raw RGBA pixels (row-major), e.g. to compare images in tests. */
export function svgToPixels(
  svg: string,
  scale = 1,
): { width: number; height: number; pixels: Uint8Array } {
  const img = render(svg, scale);
  return { width: img.width, height: img.height, pixels: new Uint8Array(img.pixels) };
}
