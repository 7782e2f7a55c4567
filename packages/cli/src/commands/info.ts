import { parseArgs } from "node:util";
import {
  type Attrs,
  type AttrValue,
  computeStats,
  type Dataset,
  GridError,
  isGridError,
  sizeOf,
  type VariableSource,
} from "@geoml/grid";
import { open } from "@geoml/io";
import type { Command } from "../command.js";
import { CliError } from "../errors.js";
import type { CommandIO } from "../io.js";
import { progressBar } from "../progress.js";

/** Statistics of one variable after decoding, as `--stats` reports them. */
export interface InfoStats {
  validCount: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  sum: number;
}

/** One variable (or GeoTIFF band) in `geoml info --json`. */
export interface InfoVariable {
  name: string;
  dims: string[];
  shape: number[];
  dtype: string;
  attrs: Record<string, JsonAttr>;
  stats?: InfoStats;
}

/** An attribute value as JSON holds it (bigints become numbers, NaN becomes null). */
export type JsonAttr = string | number | null | Array<string | number | null>;

/** A NetCDF-4 group in `geoml info --json`: its path, own dimensions and attributes. */
export interface InfoGroup {
  path: string;
  dims: Record<string, number>;
  attrs: Record<string, JsonAttr>;
}

/** The object `geoml info --json` prints. */
export interface InfoJson {
  format: string;
  /** Every variable, those of NetCDF-4 sub-groups named by path (`grp1/sub/T`). */
  variables: InfoVariable[];
  /** NetCDF-4 sub-groups, parents first (absent when the file has none). */
  groups?: InfoGroup[];
  /** Variables that cannot be read (opaque, variable-length types) and why. */
  unsupported?: Array<{ name: string; reason: string }>;
}

/** What a NetCDF-4 dataset adds: its group tree and the variables it cannot read. */
interface Grouped {
  groups?: ReadonlyArray<{ path: string; dims: readonly string[]; attrs: Readonly<Attrs> }>;
  unsupported?: ReadonlyArray<{ name: string; reason: string }>;
}

const HELP = `Usage: geoml info FILE [--stats] [--json]

Summarise a NetCDF (3 or 4) or GeoTIFF file, or a Zarr (v2/v3) store directory:
dimensions, variables (a GeoTIFF's bands appear as band1, band2, …), coordinates,
attributes and georeferencing — like 'ncdump -h' or 'gdalinfo'. The format is
recognised from the file's bytes. FILE may also be an http(s):// URL of a GeoTIFF/COG, a
NetCDF-3 file or a Zarr store with consolidated metadata, read with range requests.

Options:
  --stats   add, per variable or band (coordinates and cell bounds included), after CF
            decoding (nodata, scale/offset, fill values, valid range): valid count, min,
            max, mean, sum
  --json    print one JSON object:
            { format, variables: [{ name, dims, shape, dtype, attrs, stats? }],
              groups?, unsupported? }
            NetCDF-4 groups' variables are in the same list, named by path (grp1/sub/T).
  -h, --help  show this help

Exit status: 0 on success, 1 when the file cannot be read, 2 on wrong usage.
`;

/** `geoml info FILE [--stats] [--json]`. */
export const info: Command = {
  name: "info",
  summary: "summarise a NetCDF, GeoTIFF or Zarr dataset (dims, variables, attributes, stats)",
  help: HELP,
  async run(args, io) {
    const { file, stats, json } = parse(args);
    const ds = await open(file);
    try {
      const summary = await summarise(ds, stats, io);
      io.out(json ? `${JSON.stringify(summary, null, 2)}\n` : formatText(file, ds, summary));
    } finally {
      await ds.close();
    }
    return 0;
  },
};

function parse(args: string[]): { file: string; stats: boolean; json: boolean } {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: { stats: { type: "boolean" }; json: { type: "boolean" } };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args,
      options: { stats: { type: "boolean" }, json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliError("USAGE", error instanceof Error ? error.message : String(error));
  }
  if (parsed.positionals.length !== 1) {
    throw new CliError("USAGE", `expected one FILE, got ${parsed.positionals.length}`);
  }
  return {
    file: parsed.positionals[0],
    stats: parsed.values.stats === true,
    json: parsed.values.json === true,
  };
}

/** Build the `--json` summary of an open dataset, computing statistics when asked. */
export async function summarise(ds: Dataset, withStats: boolean, io: CommandIO): Promise<InfoJson> {
  // Every numeric variable: data, coordinates and cell bounds (time_bnds, lat_vertices, …).
  const numeric = (dtype: string) => dtype !== "char" && dtype !== "string";
  const todo = ds.source.variables.filter((v) => numeric(v.dtype));
  const total = todo.reduce((n, v) => n + sizeOf(v.shape), 0);
  const bar = progressBar(io, "stats", withStats ? total : 0);
  const variables: InfoVariable[] = [];
  for (const v of ds.source.variables) {
    const entry: InfoVariable = {
      name: v.name,
      dims: [...v.dims],
      shape: [...v.shape],
      dtype: v.dtype,
      attrs: jsonAttrs(v.attrs),
    };
    if (withStats && todo.includes(v)) {
      // Streamed over hyperslabs by the grid, so memory stays bounded on big files;
      // the bar advances with every hyperslab read.
      const s = await computeStats(counted(v, (n) => bar.tick(n, v.name))).catch((e) => {
        throw withContext(e, ds.path, v.name);
      });
      entry.stats = {
        validCount: s.validCount,
        min: finite(s.min),
        max: finite(s.max),
        mean: finite(s.mean),
        sum: s.sum,
      };
    }
    variables.push(entry);
  }
  bar.done();
  const out: InfoJson = { format: ds.format, variables };
  const { groups, unsupported } = ds as Dataset & Grouped;
  if (groups !== undefined && groups.length > 0) {
    out.groups = groups.map((g) => ({
      path: g.path,
      dims: Object.fromEntries(g.dims.map((d) => [d, ds.dims[d]])),
      attrs: jsonAttrs(g.attrs),
    }));
  }
  if (unsupported !== undefined && unsupported.length > 0) {
    out.unsupported = unsupported.map((u) => ({ name: u.name, reason: u.reason }));
  }
  return out;
}

/** A decoding error from the grid names neither file nor variable; add them. */
function withContext(e: unknown, file: string | undefined, variable: string): unknown {
  if (!isGridError(e) || e.file !== undefined) return e;
  return new GridError(e.code, e.message, { file, variable });
}

/** `v` with a `read` that reports how many elements each hyperslab brought in. */
function counted(v: VariableSource, onRead: (elements: number) => void): VariableSource {
  return {
    name: v.name,
    dims: v.dims,
    shape: v.shape,
    dtype: v.dtype,
    attrs: v.attrs,
    ...(v.chunks === undefined ? {} : { chunks: v.chunks }),
    async read(start, count) {
      const data = await v.read(start, count);
      onRead(data.length);
      return data;
    },
  };
}

function finite(x: number): number | null {
  return Number.isNaN(x) ? null : x;
}

function jsonValue(v: string | number | bigint): string | number | null {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? null : String(v);
  return v;
}

function jsonAttrs(attrs: Readonly<Attrs>): Record<string, JsonAttr> {
  const out: Record<string, JsonAttr> = {};
  for (const [k, v] of Object.entries(attrs)) {
    out[k] = Array.isArray(v)
      ? (v as Array<string | number | bigint>).map(jsonValue)
      : jsonValue(v);
  }
  return out;
}

function formatValue(v: AttrValue | JsonAttr): string {
  if (Array.isArray(v)) return v.map((x) => formatValue(x as AttrValue)).join(", ");
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null) return "NaN";
  return String(v);
}

// Seven significant digits, as float32 data carry; --json keeps full precision.
function num(x: number | null): string {
  if (x === null) return "n/a";
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(7)));
}

/** The human-readable summary: ncdump -h style, plus georeferencing and statistics. */
export function formatText(file: string, ds: Dataset, summary: InfoJson): string {
  const lines: string[] = [`File: ${file}`, `Format: ${summary.format}`];
  const unlimited = new Set(ds.source.unlimitedDims ?? []);
  const coords = new Set(ds.coordNames);
  const groupOf = (name: string) => name.slice(0, Math.max(0, name.lastIndexOf("/")));
  const section = (path: string, pad: string, attrs: Record<string, JsonAttr>) => {
    const dims = Object.entries(ds.dims).filter(([d]) => groupOf(d) === path);
    if (dims.length > 0 || path === "") lines.push(`${pad}Dimensions:`);
    for (const [d, n] of dims) {
      const short = d.slice(path === "" ? 0 : path.length + 1);
      lines.push(
        unlimited.has(d)
          ? `${pad}  ${short} = UNLIMITED (${n} currently)`
          : `${pad}  ${short} = ${n}`,
      );
    }
    const vars = summary.variables.filter((v) => groupOf(v.name) === path);
    if (vars.length > 0 || path === "") lines.push(`${pad}Variables:`);
    for (const v of vars) {
      const role = coords.has(v.name) ? "  (coordinate)" : "";
      const short = v.name.slice(path === "" ? 0 : path.length + 1);
      lines.push(`${pad}  ${v.dtype} ${short}(${v.dims.join(", ")})${role}`);
      for (const [k, a] of Object.entries(v.attrs))
        lines.push(`${pad}      ${k} = ${formatValue(a)}`);
      if (v.stats !== undefined) {
        const s = v.stats;
        lines.push(
          `${pad}      stats: valid ${s.validCount}, min ${num(s.min)}, max ${num(s.max)}, mean ${num(s.mean)}, sum ${num(s.sum)}`,
        );
      }
    }
    for (const u of summary.unsupported ?? []) {
      if (groupOf(u.name) !== path) continue;
      lines.push(
        `${pad}  ${u.name.slice(path === "" ? 0 : path.length + 1)}: not readable, ${u.reason}`,
      );
    }
    const list = Object.entries(attrs);
    if (list.length > 0) {
      lines.push(path === "" ? "Global attributes:" : `${pad}Attributes:`);
      for (const [k, a] of list) lines.push(`${pad}  ${k} = ${formatValue(a)}`);
    }
  };
  section("", "", jsonAttrs(ds.attrs));
  // NetCDF-4 groups as a tree, each indented under its parent.
  for (const g of summary.groups ?? []) {
    const pad = "  ".repeat(g.path.split("/").length - 1);
    lines.push(`${pad}Group /${g.path}:`);
    section(g.path, `${pad}  `, g.attrs);
  }
  lines.push(...georeferencing(ds));
  return `${lines.join("\n")}\n`;
}

/** gdalinfo-style origin, pixel size and corners when the dataset has a geotransform. */
function georeferencing(ds: Dataset): string[] {
  const gt = ds.attrs.geotransform;
  if (!Array.isArray(gt) || gt.length !== 6) return [];
  const [x0, dx, rx, y0, ry, dy] = gt.map(Number);
  const w = ds.dims.x ?? 0;
  const h = ds.dims.y ?? 0;
  const at = (col: number, row: number) =>
    `(${num(x0 + col * dx + row * rx)}, ${num(y0 + col * ry + row * dy)})`;
  const crs = typeof ds.attrs.crs === "string" ? ds.attrs.crs : "unknown";
  // A GeoTIFF source lists its resolution levels (COG overviews).
  const levels = (ds.source as { levels?: Array<{ width: number; height: number }> }).levels ?? [];
  const overviews =
    levels.length > 1
      ? [
          `  Overviews: ${levels
            .slice(1)
            .map((l) => `${l.width}x${l.height}`)
            .join(", ")}`,
        ]
      : [];
  return [
    "Georeferencing:",
    `  CRS: ${crs}`,
    `  Origin = (${num(x0)}, ${num(y0)})`,
    `  Pixel Size = (${num(dx)}, ${num(dy)})`,
    `  Upper Left  ${at(0, 0)}`,
    `  Lower Left  ${at(0, h)}`,
    `  Upper Right ${at(w, 0)}`,
    `  Lower Right ${at(w, h)}`,
    `  Center      ${at(w / 2, h / 2)}`,
    ...overviews,
  ];
}
