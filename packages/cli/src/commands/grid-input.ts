import { gridRows } from "@geoml/batch";
import { open } from "@geoml/io";
import { CliError } from "../errors.js";

/** `--grid FILE.nc --var NAME`, shared by `geoml fit` and `geoml predict`. */
export const GRID_OPTIONS = {
  grid: { type: "string" },
  var: { type: "string" },
} as const;

/**
 * The rows of `--grid FILE --var NAME` as table columns (the variable, its coordinates and
 * `t`, `year`, `month`, `doy`, `pi` along time; missing cells dropped), or undefined
 * without `--grid`.
 *
 * @throws CliError `USAGE` for `--grid` without `--var` or together with `--data`
 */
export async function gridInput(
  values: Record<string, string | boolean | undefined>,
): Promise<{ columns: Record<string, Float64Array> } | undefined> {
  if (values.grid === undefined) {
    if (values.var !== undefined) throw new CliError("USAGE", "--var needs --grid FILE.nc");
    if (typeof values.data !== "string")
      throw new CliError("USAGE", "--data FILE.csv or --grid FILE.nc --var NAME is required");
    return undefined;
  }
  if (values.data !== undefined) throw new CliError("USAGE", "give --data or --grid, not both");
  if (typeof values.var !== "string") throw new CliError("USAGE", "--grid needs --var NAME");
  const ds = await open(values.grid as string);
  try {
    return { columns: gridRows(await ds.read(values.var)).columns };
  } finally {
    await ds.close();
  }
}
