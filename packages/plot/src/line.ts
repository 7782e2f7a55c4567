import { attrString, type CFDatetime, type DataArray, dayOfYear, daysInYear } from "@geoml/grid";
import { schemeTableau10 } from "d3-scale-chromatic";
import { PlotError } from "./errors.js";
import { esc, niceTicks, r2, svgRoot, text } from "./svg.js";

/** One line of a {@link lineSvg} plot. */
export interface Series {
  /** x values: numbers, or dates (drawn on a time axis in decimal years). */
  x: ArrayLike<number> | readonly CFDatetime[];
  /** y values (NaN breaks the line). */
  y: ArrayLike<number>;
  /** Legend label. */
  label?: string;
  /** A shaded band, e.g. a confidence interval. */
  band?: { lower: ArrayLike<number>; upper: ArrayLike<number> };
  /** CSS colour (default from the Tableau 10 palette). */
  color?: string;
}

/** Options of {@link lineSvg}. */
export interface LineOptions {
  title?: string;
  xlabel?: string;
  ylabel?: string;
  /** Figure size in pixels (default 800 × 420; width at least 400). */
  width?: number;
  height?: number;
  /** Logarithmic y axis, e.g. losses falling over orders of magnitude (values ≤ 0 are skipped). */
  logY?: boolean;
}

/** Decimal year of a date in its own calendar. */
export function decimalYear(t: CFDatetime): number {
  const days = daysInYear(t.year, t.calendar);
  return t.year + (dayOfYear(t) - 1 + (t.hour + (t.minute + t.second / 60) / 60) / 24) / days;
}

function xValues(s: Series): { x: Float64Array; time: boolean } {
  const xs = s.x as ArrayLike<number | CFDatetime>;
  if (xs.length > 0 && typeof xs[0] === "object") {
    return { x: Float64Array.from(s.x as readonly CFDatetime[], decimalYear), time: true };
  }
  return { x: Float64Array.from(s.x as ArrayLike<number>), time: false };
}

/**
 * A line plot of one or more series with optional shaded bands (trends with confidence
 * intervals, training curves, partial effects), axes with ticks, grid lines and a legend.
 *
 * @throws PlotError `INVALID_ARGUMENT` when lengths disagree or nothing is finite
 */
export function lineSvg(series: Series | readonly Series[], options: LineOptions = {}): string {
  const list = Array.isArray(series) ? (series as readonly Series[]) : [series as Series];
  if (list.length === 0) throw new PlotError("INVALID_ARGUMENT", "no series to plot");
  const width = Math.round(options.width ?? 800);
  const height = Math.round(options.height ?? 420);
  if (!(width >= 400 && width <= 8000) || !(height >= 200 && height <= 8000)) {
    throw new PlotError(
      "INVALID_ARGUMENT",
      `figure size ${width}×${height} is outside 400–8000 × 200–8000`,
    );
  }
  const prepared = list.map((s, i) => {
    const { x, time } = xValues(s);
    // On a log axis every y is drawn as log10 y; values ≤ 0 have no place and break the line.
    const ty = (v: number) => (options.logY ? (v > 0 ? Math.log10(v) : Number.NaN) : v);
    const y = Float64Array.from(s.y, ty);
    if (x.length !== y.length) {
      throw new PlotError(
        "INVALID_ARGUMENT",
        `series ${s.label ?? i}: ${x.length} x values but ${y.length} y values`,
      );
    }
    const band = s.band
      ? { lower: Float64Array.from(s.band.lower, ty), upper: Float64Array.from(s.band.upper, ty) }
      : undefined;
    if (band && (band.lower.length !== y.length || band.upper.length !== y.length)) {
      throw new PlotError("INVALID_ARGUMENT", `series ${s.label ?? i}: band length differs from y`);
    }
    return { ...s, x, y, band, time, color: s.color ?? schemeTableau10[i % 10] };
  });
  const time = prepared.every((p) => p.time);
  let x0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const p of prepared) {
    for (let i = 0; i < p.x.length; i++) {
      const vals = [p.y[i], p.band?.lower[i] ?? Number.NaN, p.band?.upper[i] ?? Number.NaN];
      for (const v of vals) {
        if (!Number.isFinite(v) || !Number.isFinite(p.x[i])) continue;
        x0 = Math.min(x0, p.x[i]);
        x1 = Math.max(x1, p.x[i]);
        y0 = Math.min(y0, v);
        y1 = Math.max(y1, v);
      }
    }
  }
  if (!Number.isFinite(x0) || !Number.isFinite(y0)) {
    throw new PlotError("INVALID_ARGUMENT", "no finite points to plot");
  }
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const yPad = 0.04 * (y1 - y0);
  y0 -= yPad;
  y1 += yPad;
  const left = 70;
  const right = 20;
  const top = options.title ? 44 : 20;
  const bottom = options.xlabel ? 56 : 36;
  const legend = prepared.some((p) => p.label) ? 22 : 0;
  const pw = width - left - right;
  const ph = height - top - bottom - legend;
  const sx = (x: number) => left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => top + legend + (1 - (y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  if (options.title)
    parts.push(text(width / 2, 26, options.title, { size: 16, anchor: "middle", weight: "bold" }));
  const yt = options.logY ? logTicks(y0, y1) : niceTicks(y0, y1, 6);
  yt.values.forEach((v, i) => {
    const y = sy(v);
    parts.push(
      `<line x1="${left}" x2="${left + pw}" y1="${r2(y)}" y2="${r2(y)}" stroke="#ddd" stroke-width="0.8"/>`,
    );
    parts.push(text(left - 6, y + 4, yt.labels[i], { size: 11, anchor: "end" }));
  });
  const xt = niceTicks(x0, x1, 8);
  xt.values.forEach((v, i) => {
    const x = sx(v);
    parts.push(
      `<line x1="${r2(x)}" x2="${r2(x)}" y1="${top + legend}" y2="${top + legend + ph}" stroke="#eee" stroke-width="0.8"/>`,
    );
    parts.push(
      `<line x1="${r2(x)}" x2="${r2(x)}" y1="${top + legend + ph}" y2="${top + legend + ph + 4}" stroke="#333" stroke-width="0.8"/>`,
    );
    const label = time && Number.isInteger(v) ? String(v) : xt.labels[i];
    parts.push(text(x, top + legend + ph + 17, label, { size: 11, anchor: "middle" }));
  });
  for (const p of prepared) {
    if (p.band) {
      for (const seg of segments(p.x, p.band.lower, p.band.upper)) {
        const upper = seg.map((i) => `${r2(sx(p.x[i]))},${r2(sy(p.band!.upper[i]))}`);
        const lower = seg.map((i) => `${r2(sx(p.x[i]))},${r2(sy(p.band!.lower[i]))}`).reverse();
        parts.push(
          `<polygon points="${[...upper, ...lower].join(" ")}" fill="${esc(p.color)}" fill-opacity="0.22" stroke="none"/>`,
        );
      }
    }
    for (const seg of segments(p.x, p.y, p.y)) {
      const pts = seg.map((i) => `${r2(sx(p.x[i]))},${r2(sy(p.y[i]))}`).join(" ");
      if (seg.length === 1) {
        const [cx, cy] = pts.split(",");
        parts.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="${esc(p.color)}"/>`);
      } else {
        parts.push(
          `<polyline points="${pts}" fill="none" stroke="${esc(p.color)}" stroke-width="1.8" stroke-linejoin="round"/>`,
        );
      }
    }
  }
  parts.push(
    `<rect x="${left}" y="${top + legend}" width="${pw}" height="${ph}" fill="none" stroke="#333" stroke-width="0.8"/>`,
  );
  if (options.ylabel)
    parts.push(
      text(18, top + legend + ph / 2, options.ylabel, { size: 12, anchor: "middle", rotate: -90 }),
    );
  if (options.xlabel)
    parts.push(text(left + pw / 2, height - 14, options.xlabel, { size: 12, anchor: "middle" }));
  let lx = left;
  for (const p of prepared) {
    if (!p.label) continue;
    parts.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${top + 8}" y2="${top + 8}" stroke="${esc(p.color)}" stroke-width="2.5"/>`,
    );
    parts.push(text(lx + 28, top + 12, p.label, { size: 11 }));
    lx += 28 + 7 * p.label.length + 24;
  }
  return svgRoot(width, height, parts.join(""));
}

/**
 * Ticks of a log axis (positions in log10): 1, 2, 5 × 10ᵏ, only powers of ten when that
 * gives too many, every 1…9 × 10ᵏ when the range is under a decade.
 */
function logTicks(lo: number, hi: number): { values: number[]; labels: string[] } {
  const pick = (mantissas: number[]) => {
    const out: number[] = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
      for (const m of mantissas) {
        const v = Math.log10(m) + k;
        if (v >= lo - 1e-9 && v <= hi + 1e-9) out.push(v);
      }
    }
    return out;
  };
  let values = pick([1, 2, 5]);
  if (values.length > 9) values = pick([1]);
  if (values.length < 3) values = pick([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const labels = values.map((v) => String(Number((10 ** v).toPrecision(3))));
  return { values, labels };
}

/** Runs of indices where x and both y arrays are finite. */
function segments(x: Float64Array, a: Float64Array, b: Float64Array): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(a[i]) && Number.isFinite(b[i])) cur.push(i);
    else if (cur.length > 0) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * A line plot of a 1-D field over time (or any 1-D coordinate), labelled from its
 * attributes: title from `long_name`, y label from `units`, optional band arrays.
 *
 * @throws PlotError `INVALID_ARGUMENT` for a field that is not 1-D
 */
export function timeSeriesSvg(
  a: DataArray,
  options: LineOptions & { band?: { lower: DataArray; upper: DataArray }; label?: string } = {},
): string {
  if (a.dims.length !== 1) {
    throw new PlotError(
      "INVALID_ARGUMENT",
      `a line plot needs a 1-D field, got dims (${a.dims.join(", ")})`,
      { variable: a.name },
    );
  }
  const c = a.coord(a.dims[0]);
  const x: ArrayLike<number> | readonly CFDatetime[] =
    c?.times ??
    (c?.values instanceof Float64Array
      ? c.values
      : Float64Array.from({ length: a.size }, (_, i) => i));
  const units = attrString(a.attrs, "units");
  const series: Series = { x, y: a.toFloat64() };
  if (options.label) series.label = options.label;
  if (options.band)
    series.band = { lower: options.band.lower.toFloat64(), upper: options.band.upper.toFloat64() };
  return lineSvg(series, {
    title: options.title ?? attrString(a.attrs, "long_name") ?? a.name,
    ylabel: options.ylabel ?? (units ? `${a.name} (${units})` : a.name),
    xlabel: options.xlabel ?? (c?.times ? "year" : a.dims[0]),
    ...(options.width === undefined ? {} : { width: options.width }),
    ...(options.height === undefined ? {} : { height: options.height }),
  });
}
