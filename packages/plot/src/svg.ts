import { tickStep, ticks } from "d3-array";

/** Font stack: the committed DejaVu Sans for PNG, any sans-serif in a browser. */
export const FONT = "DejaVu Sans, sans-serif";

/** Escape text for SVG content and attributes. */
export function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Round to 2 decimals for compact path data. */
export function r2(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** A text element. */
export function text(
  x: number,
  y: number,
  s: string,
  opts: {
    size?: number;
    anchor?: "start" | "middle" | "end";
    weight?: string;
    fill?: string;
    rotate?: number;
  } = {},
): string {
  const rot =
    opts.rotate === undefined ? "" : ` transform="rotate(${opts.rotate} ${r2(x)} ${r2(y)})"`;
  return `<text x="${r2(x)}" y="${r2(y)}" font-family="${FONT}" font-size="${opts.size ?? 12}" text-anchor="${opts.anchor ?? "start"}"${opts.weight ? ` font-weight="${opts.weight}"` : ""} fill="${opts.fill ?? "#222"}"${rot}>${esc(s)}</text>`;
}

/** "Nice" ticks between two values with labels of just enough decimals. */
export function niceTicks(
  lo: number,
  hi: number,
  count: number,
): { values: number[]; labels: string[] } {
  if (!(hi > lo)) return { values: [lo], labels: [formatNumber(lo, 3)] };
  const values = ticks(lo, hi, count);
  const step = Math.abs(tickStep(lo, hi, count));
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return { values, labels: values.map((v) => formatNumber(v, decimals)) };
}

function formatNumber(v: number, decimals: number): string {
  const s = v.toFixed(decimals);
  // "−" (minus sign) reads better than a hyphen in figures.
  return s.startsWith("-") ? (Number(s) === 0 ? s.slice(1) : `−${s.slice(1)}`) : s;
}

/** Wrap SVG body in the root element with a white background. */
export function svgRoot(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="${width}" height="${height}" fill="#ffffff"/>${body}</svg>\n`;
}
