import { parseArgs } from "node:util";
import { attrString, type DataArray } from "@geoml/grid";
import { open as openAny } from "@geoml/io";
import { writeNetcdf } from "@geoml/netcdf";
import {
  fromScrip,
  globalGrid,
  gridSize,
  Regridder,
  type RegridMethod,
  readGrid,
  rectilinearGrid,
  type SphericalGrid,
  toScrip,
} from "@geoml/regrid";
import type { Command } from "../command.js";
import { CliError } from "../errors.js";

const HELP = `Usage: geoml regrid IN.nc --var NAME (--to TARGET.nc | --res R)
                    --method conservative|bilinear|nearest --out OUT.nc [options]

Regrid one variable of a NetCDF (or GeoTIFF) file onto a regular latitude–longitude grid,
as CDO's remapcon / remapbil / remapnn do (same conventions and results). The source may
be rectilinear (1-D lat/lon) or curvilinear (2-D lat/lon); cell bounds are read from the
file (lat_bnds/lon_bnds, *_vertices) when present, computed otherwise. Weights are
computed once and applied to every time step.

Options:
  --var NAME        the variable to regrid
  --to FILE         take the target grid from this file's 1-D latitude/longitude
  --res R           or a global grid of cell centres every R degrees: latitudes
                    −90+R/2 … 90−R/2, longitudes from the source's first longitude
                    (0 for a curvilinear source with no negative longitudes, else −180)
  --method M        conservative (area-weighted, normalised by the valid overlap),
                    bilinear (NaN if any of the four corners is missing) or
                    nearest (NaN if the nearest cell is missing)
  --out FILE        NetCDF-3 output: the variable under its own name in floating point
                    with _FillValue, on 1-D lat/lon, plus valid_fraction (the share of each
                    cell covered by valid source data)
  --min-coverage F  conservative: cells with a smaller valid fraction (0–1) are missing
  --weights FILE    use SCRIP weights from FILE (e.g. from cdo gencon/genbil) instead of
                    computing them; --method is then taken from the file
  --save-weights FILE  also write the weights as a SCRIP file (for cdo remap)
  -h, --help        show this help

Exit status: 0 on success, 1 when a file cannot be read or written, 2 on wrong usage.
`;

const METHODS: readonly RegridMethod[] = ["conservative", "bilinear", "nearest"];

interface Args {
  input: string;
  variable: string;
  to?: string;
  res?: number;
  method?: RegridMethod;
  out: string;
  minCoverage: number;
  weights?: string;
  saveWeights?: string;
}

function parse(args: string[]): Args {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError("USAGE", error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (parsed.positionals.length !== 1) {
    throw new CliError("USAGE", `expected one input file, got ${parsed.positionals.length}`);
  }
  if (v.var === undefined) throw new CliError("USAGE", "--var NAME is required");
  if (v.out === undefined) throw new CliError("USAGE", "--out FILE is required");
  if ((v.to === undefined) === (v.res === undefined)) {
    throw new CliError("USAGE", "give exactly one of --to TARGET.nc or --res R");
  }
  const out: Args = {
    input: parsed.positionals[0],
    variable: v.var,
    out: v.out,
    minCoverage: 0,
  };
  if (v.to !== undefined) out.to = v.to;
  if (v.res !== undefined) {
    const r = Number(v.res);
    if (!(r > 0) || !Number.isFinite(r)) {
      throw new CliError("USAGE", `--res must be a positive number of degrees, got '${v.res}'`);
    }
    out.res = r;
  }
  if (v.method !== undefined) {
    if (!METHODS.includes(v.method as RegridMethod)) {
      throw new CliError(
        "USAGE",
        `--method must be one of ${METHODS.join(", ")}, got '${v.method}'`,
      );
    }
    out.method = v.method as RegridMethod;
  } else if (v.weights === undefined) {
    throw new CliError("USAGE", "--method conservative|bilinear|nearest is required");
  }
  if (v["min-coverage"] !== undefined) {
    const f = Number(v["min-coverage"]);
    if (!(f >= 0 && f <= 1)) {
      throw new CliError("USAGE", `--min-coverage must be in [0, 1], got '${v["min-coverage"]}'`);
    }
    out.minCoverage = f;
  }
  if (v.weights !== undefined) out.weights = v.weights;
  if (v["save-weights"] !== undefined) out.saveWeights = v["save-weights"];
  return out;
}

const OPTIONS = {
  var: { type: "string" },
  to: { type: "string" },
  res: { type: "string" },
  method: { type: "string" },
  out: { type: "string" },
  "min-coverage": { type: "string" },
  weights: { type: "string" },
  "save-weights": { type: "string" },
} as const;

/** `geoml regrid IN.nc --var NAME (--to TARGET.nc | --res R) --method M --out OUT.nc`. */
export const regrid: Command = {
  name: "regrid",
  summary: "regrid a variable onto a regular lat/lon grid (conservative, bilinear, nearest)",
  help: HELP,
  async run(argv, io) {
    const args = parse(argv);
    const ds = await openAny(args.input);
    let data: DataArray;
    let source: SphericalGrid;
    try {
      ({ data, grid: source } = await readGrid(ds, args.variable));
    } finally {
      await ds.close();
    }
    const target = args.to !== undefined ? await targetGrid(args.to) : resGrid(args.res!, source);
    let regridder: Regridder;
    if (args.weights !== undefined) {
      const wds = await openAny(args.weights);
      try {
        const { weights } = await fromScrip(wds);
        if (weights.sourceSize !== gridSize(source) || weights.targetSize !== gridSize(target)) {
          throw new CliError(
            "USAGE",
            `weights in ${args.weights} map ${weights.sourceSize} → ${weights.targetSize} cells, but '${args.variable}' has ${gridSize(source)} and the target ${gridSize(target)}`,
          );
        }
        regridder = new Regridder(source, target, { weights });
      } finally {
        await wds.close();
      }
    } else {
      regridder = new Regridder(source, target, { method: args.method! });
    }
    const { data: out, fraction } = regridder.regridWithFraction(data, {
      minCoverage: args.minCoverage,
    });
    const dtype = out.data instanceof Float32Array ? "float32" : "float64";
    // Bounds variables of the source's other coordinates (time_bnds…) are not copied.
    for (const c of Object.values(out.coords)) {
      if (c.attrs.bounds !== undefined) {
        c.attrs = { ...c.attrs };
        delete c.attrs.bounds;
      }
    }
    await writeNetcdf(args.out, [out, fraction.withData(Float32Array.from(fraction.toFloat64()))], {
      format: "64bit-offset",
      attrs: {
        Conventions: "CF-1.8",
        history: `geoml regrid ${argv.join(" ")}`,
      },
      encoding: {
        // NetCDF's default fill value of the type, written as _FillValue.
        [out.name]: { dtype, _FillValue: 9.969209968386869e36 },
      },
    });
    if (args.saveWeights !== undefined) {
      const first = data.toFloat64().subarray(0, gridSize(source));
      const scrip = toScrip(
        regridder.weights,
        source,
        target,
        Uint8Array.from(first, (v) => (Number.isNaN(v) ? 0 : 1)),
      );
      await writeNetcdf(args.saveWeights, scrip.variables, {
        attrs: scrip.attrs,
        format: "64bit-offset",
      });
    }
    io.err(
      `regridded '${args.variable}' (${source.kind} ${source.ny}×${source.nx}) → ${target.ny}×${target.nx} with ${regridder.method} weights (${regridder.weights.sources.length} links); wrote ${args.out}\n`,
    );
    return 0;
  },
};

function resGrid(res: number, source: SphericalGrid): SphericalGrid {
  let origin: number;
  if (source.kind === "rectilinear") origin = source.lon[0];
  else origin = source.lon.some((v) => v < 0) ? -180 : 0;
  try {
    return globalGrid(res, origin);
  } catch (error) {
    throw new CliError("USAGE", `--res ${res}: ${error instanceof Error ? error.message : error}`);
  }
}

/** The first 1-D latitude and longitude variables of a file (with their bounds, if any). */
async function targetGrid(path: string): Promise<SphericalGrid> {
  const ds = await openAny(path);
  try {
    const find = (lat: boolean) =>
      ds.source.variables.find((v) => {
        if (v.dims.length !== 1) return false;
        const units = attrString(v.attrs, "units") ?? "";
        const std = attrString(v.attrs, "standard_name") ?? "";
        return lat
          ? /^degrees?_?n(orth)?$/i.test(units) ||
              std === "latitude" ||
              /^(lat|latitude)$/i.test(v.name)
          : /^degrees?_?e(ast)?$/i.test(units) ||
              std === "longitude" ||
              /^(lon|longitude)$/i.test(v.name);
      });
    const latV = find(true);
    const lonV = find(false);
    if (latV === undefined || lonV === undefined) {
      throw new CliError("USAGE", "the --to file has no 1-D latitude and longitude variables", {
        file: path,
      });
    }
    const read = async (name: string) =>
      (await ds.read(name, { coords: false })).toFloat64().slice();
    const bounds = async (name: string): Promise<Float64Array | undefined> => {
      const b = attrString(ds.variable(name).attrs, "bounds") ?? `${name}_bnds`;
      return ds.has(b) ? read(b) : undefined;
    };
    const [lat, lon, latB, lonB] = await Promise.all([
      read(latV.name),
      read(lonV.name),
      bounds(latV.name),
      bounds(lonV.name),
    ]);
    const g = rectilinearGrid(lat, lon, {
      ...(latB === undefined ? {} : { latBounds: latB }),
      ...(lonB === undefined ? {} : { lonBounds: lonB }),
      dims: [latV.dims[0], lonV.dims[0]],
    });
    g.names = { lat: latV.name, lon: lonV.name };
    g.attrs = { lat: { ...latV.attrs }, lon: { ...lonV.attrs } };
    return g;
  } finally {
    await ds.close();
  }
}
