/**
 * Text summaries like xarray's repr: what `console.log(a)` prints for a DataArray or a
 * Dataset — dims with lengths, dtype, a few values, coordinates with their ranges
 * (dates decoded) and attributes.
 */
import type { Coordinate, DataArray } from "./data-array.js";
import { shortDate } from "./labels.js";
import { type ArrayData, type Attrs, dtypeOf } from "./types.js";

function fmtNumber(x: number | bigint | string): string {
  if (typeof x === "string") return JSON.stringify(x);
  if (typeof x === "bigint") return String(x);
  if (Number.isNaN(x)) return "nan";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-4 || a >= 1e6) ? x.toExponential(4) : String(Number(x.toPrecision(6)));
}

/** The first and last few values of a flat array. */
export function preview(data: ArrayLike<number | bigint | string>, k = 3): string {
  const n = data.length;
  if (n <= 2 * k) return Array.from({ length: n }, (_, i) => fmtNumber(data[i])).join(" ");
  const head = Array.from({ length: k }, (_, i) => fmtNumber(data[i]));
  const tail = Array.from({ length: k }, (_, i) => fmtNumber(data[n - k + i]));
  return `${head.join(" ")} ... ${tail.join(" ")}`;
}

function coordPreview(c: Coordinate): string {
  if (c.times !== undefined && c.times.length > 0) {
    const t = c.times;
    const n = t.length;
    const cal = t[0].calendar;
    const show =
      n <= 4 ? t.map(shortDate) : [shortDate(t[0]), shortDate(t[1]), "...", shortDate(t[n - 1])];
    return `${show.join(" ")} (${cal})`;
  }
  return preview(c.values as ArrayLike<number | string>);
}

function attrLines(attrs: Readonly<Attrs>, indent: string): string[] {
  return Object.entries(attrs).map(([k, v]) => {
    const s = Array.isArray(v) ? v.map((x) => String(x)).join(", ") : String(v);
    return `${indent}${k}: ${s.length > 70 ? `${s.slice(0, 67)}...` : s}`;
  });
}

/** Coordinates block shared by DataArray and Dataset summaries. */
export function coordLines(
  coords: Readonly<Record<string, Coordinate>>,
  dims: readonly string[],
): string[] {
  const out: string[] = [];
  for (const [name, c] of Object.entries(coords)) {
    const marker = c.dims.length === 1 && c.dims[0] === name && dims.includes(name) ? "*" : " ";
    const dtype = Array.isArray(c.values) ? "<U" : c.times !== undefined ? "object" : "float64";
    out.push(`  ${marker} ${name.padEnd(10)} (${c.dims.join(", ")}) ${dtype} ${coordPreview(c)}`);
  }
  return out;
}

/** xarray-like repr of a DataArray. */
export function formatDataArray(a: {
  name: string;
  dims: readonly string[];
  shape: readonly number[];
  data: ArrayData;
  coords: Readonly<Record<string, Coordinate>>;
  attrs: Readonly<Attrs>;
}): string {
  const dims = a.dims.map((d, i) => `${d}: ${a.shape[i]}`).join(", ");
  const lines = [
    `<geoml.DataArray '${a.name}' (${dims})> ${dtypeOf(a.data)}`,
    preview(a.data as ArrayLike<number | bigint | string>),
  ];
  const cl = coordLines(a.coords, a.dims);
  if (cl.length > 0) lines.push("Coordinates:", ...cl);
  const withoutCoords = a.dims.filter(
    (d) => !Object.values(a.coords).some((c) => c.dims.length === 1 && c.dims[0] === d),
  );
  if (withoutCoords.length > 0)
    lines.push(`Dimensions without coordinates: ${withoutCoords.join(", ")}`);
  if (Object.keys(a.attrs).length > 0) lines.push("Attributes:", ...attrLines(a.attrs, "    "));
  return lines.join("\n");
}

/** xarray-like repr of a set of variables (an in-memory or lazy dataset). */
export function formatDataset(d: {
  dims: Readonly<Record<string, number>>;
  coords: Array<{ name: string; line: string }>;
  variables: Array<{ name: string; line: string }>;
  attrs: Readonly<Attrs>;
}): string {
  const lines = [
    "<geoml.Dataset>",
    `Dimensions:  (${Object.entries(d.dims)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ")})`,
  ];
  if (d.coords.length > 0) lines.push("Coordinates:", ...d.coords.map((c) => c.line));
  lines.push("Data variables:", ...d.variables.map((v) => v.line));
  if (Object.keys(d.attrs).length > 0) lines.push("Attributes:", ...attrLines(d.attrs, "    "));
  return lines.join("\n");
}

/** Type of a DataArray, used in Dataset summaries. */
export type Summarisable = Pick<DataArray, "name" | "dims" | "shape" | "data" | "coords" | "attrs">;
