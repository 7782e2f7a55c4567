import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { type DataArray, formatCFDatetime } from "@geoml/grid";
import { open as openAny } from "@geoml/io";
import { type MapProjection, mapSvg, timeSeriesSvg } from "@geoml/plot";
import { svgToPng } from "@geoml/plot/png";
import { readGrid } from "@geoml/regrid";
import type { Command } from "../command.js";
import { CliError } from "../errors.js";

const HELP = `Usage: geoml plot FILE --var NAME [--isel DIM=I]… [--projection P] --out map.png|map.svg

Draw a map of a 2-D slice of a variable (rectilinear or curvilinear grid), or a line plot
of a 1-D one, with a title from long_name, a colour bar in the variable's units,
coastlines and missing data drawn apart. The format follows the --out extension.

Options:
  --var NAME        the variable to plot
  --isel DIM=I      pick index I along DIM (repeatable), e.g. --isel time=0; dims of
                    length 1 are picked automatically
  --projection P    platecarree (default), robinson, north-polar, south-polar
  --cmap NAME       viridis (default), cividis, magma, or coolwarm (diverging)
  --center C        centre a diverging colour map on C (e.g. 0 for anomalies)
  --width PX        figure width in pixels (default 800, at least 400)
  --out FILE        .png or .svg
  -h, --help        show this help

Exit status: 0 on success, 1 when a file cannot be read or written, 2 on wrong usage.
`;

const OPTIONS = {
  var: { type: "string" },
  isel: { type: "string", multiple: true },
  projection: { type: "string" },
  cmap: { type: "string" },
  center: { type: "string" },
  width: { type: "string" },
  out: { type: "string" },
} as const;

const PROJECTIONS = ["platecarree", "robinson", "north-polar", "south-polar"];

/** `geoml plot FILE --var NAME [--isel DIM=I]… [--projection P] --out FILE`. */
export const plot: Command = {
  name: "plot",
  summary: "draw a map (or a line plot) of a variable as PNG or SVG",
  help: HELP,
  async run(argv, io) {
    let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
      throw new CliError("USAGE", error instanceof Error ? error.message : String(error));
    }
    const v = parsed.values;
    if (parsed.positionals.length !== 1) {
      throw new CliError("USAGE", `expected one FILE, got ${parsed.positionals.length}`);
    }
    if (v.var === undefined) throw new CliError("USAGE", "--var NAME is required");
    if (v.out === undefined || !/\.(png|svg)$/i.test(v.out)) {
      throw new CliError("USAGE", "--out must name a .png or .svg file");
    }
    const projection = (v.projection ?? "platecarree") as MapProjection;
    if (!PROJECTIONS.includes(projection)) {
      throw new CliError(
        "USAGE",
        `--projection must be one of ${PROJECTIONS.join(", ")}, got '${projection}'`,
      );
    }
    const isel: Record<string, number> = {};
    for (const s of v.isel ?? []) {
      const m = /^([^=]+)=(-?\d+)$/.exec(s);
      if (!m) throw new CliError("USAGE", `--isel expects DIM=INDEX, got '${s}'`);
      isel[m[1]] = Number(m[2]);
    }
    const number = (name: string, s: string | undefined) => {
      if (s === undefined) return undefined;
      const x = Number(s);
      if (!Number.isFinite(x))
        throw new CliError("USAGE", `--${name} must be a number, got '${s}'`);
      return x;
    };
    const center = number("center", v.center);
    const width = number("width", v.width);
    const file = parsed.positionals[0];
    const ds = await openAny(file);
    let data: DataArray;
    try {
      const variable = ds.variable(v.var);
      // Length-1 dims (a single time step, a single level) need no --isel.
      variable.dims.forEach((d, i) => {
        if (variable.shape[i] === 1 && isel[d] === undefined) isel[d] = 0;
      });
      const left = variable.dims.filter((d) => isel[d] === undefined);
      if (left.length > 2) {
        throw new CliError(
          "USAGE",
          `'${v.var}' has dims (${variable.dims.join(", ")}); pick indices with --isel for all but two, e.g. --isel ${left[0]}=0`,
        );
      }
      if (left.length === 2) data = (await readGrid(ds, v.var, { isel })).data;
      else data = await ds.read(v.var, { isel });
    } finally {
      await ds.close();
    }
    const svg =
      data.dims.length === 1
        ? timeSeriesSvg(data, width === undefined ? {} : { width })
        : mapSvg(data, {
            projection,
            subtitle: describeSelection(data),
            ...(v.cmap === undefined ? {} : { cmap: v.cmap }),
            ...(center === undefined ? {} : { center }),
            ...(width === undefined ? {} : { width }),
          });
    const bytes = /\.png$/i.test(v.out) ? svgToPng(svg) : new TextEncoder().encode(svg);
    try {
      await writeFile(v.out, bytes);
    } catch (error) {
      throw new CliError(
        "IO_ERROR",
        `cannot write: ${error instanceof Error ? error.message : error}`,
        {
          file: v.out,
        },
      );
    }
    io.err(`wrote ${v.out}\n`);
    return 0;
  },
};

/** "time = 1995-07-16" from the scalar coordinates left by --isel. */
function describeSelection(a: DataArray): string {
  const parts: string[] = [];
  for (const [name, c] of Object.entries(a.coords)) {
    if (c.dims.length !== 0 || c.values.length !== 1) continue;
    const t = c.times?.[0];
    if (t !== undefined) parts.push(`${name} = ${formatCFDatetime(t).replace(/T00:00:00$/, "")}`);
    else parts.push(`${name} = ${c.values[0]}`);
  }
  return parts.join(", ");
}
