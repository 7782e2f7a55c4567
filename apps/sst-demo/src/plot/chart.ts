/** One line of a {@link lineChart}. */
export interface Series {
  name: string;
  /** Points as [x, y]; non-finite y values break the line. */
  points: readonly (readonly [number, number])[];
  color: string;
}

export interface ChartOptions {
  series: readonly Series[];
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Logarithmic y axis (losses that fall over orders of magnitude). */
  logY?: boolean;
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!,
  );
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const step0 = span / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(t);
  return ticks;
}

/** A line chart as a self-contained SVG string, for embedding in an HTML report. */
export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 320;
  const m = { left: 64, right: 16, top: 16, bottom: 44 };
  const ty = (y: number) => (options.logY ? Math.log10(y) : y);
  const xs = options.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = options.series.flatMap((s) =>
    s.points.map((p) => ty(p[1])).filter((y) => Number.isFinite(y)),
  );
  if (xs.length === 0 || ys.length === 0) throw new RangeError("lineChart: no finite points");
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const px = (x: number) => m.left + ((x - x0) / (x1 - x0 || 1)) * (width - m.left - m.right);
  const py = (y: number) =>
    height - m.bottom - ((y - y0) / (y1 - y0 || 1)) * (height - m.top - m.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  for (const t of niceTicks(y0, y1, 5)) {
    const label = options.logY ? (10 ** t).toPrecision(2) : Number(t.toPrecision(6)).toString();
    parts.push(
      `<line x1="${m.left}" x2="${width - m.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 6}" y="${py(t) + 4}" text-anchor="end">${label}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1, 6)) {
    parts.push(
      `<text x="${px(t)}" y="${height - m.bottom + 16}" text-anchor="middle">${Number(t.toPrecision(6))}</text>`,
    );
  }
  parts.push(
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(14 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  options.series.forEach((s, k) => {
    let d = "";
    let pen = false;
    for (const [x, y] of s.points) {
      const v = ty(y);
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(x).toFixed(1)} ${py(v).toFixed(1)}`;
      pen = true;
    }
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`,
      `<rect x="${width - m.right - 150}" y="${m.top + 4 + k * 16}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${width - m.right - 135}" y="${m.top + 13 + k * 16}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
