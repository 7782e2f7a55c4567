/**
 * Operations on several variables of a dataset at once: read a set of variables (all data
 * variables by default) with the same selection, and apply one operation to each.
 */
import { checkOptions, describe } from "./args.js";
import { type Coordinate, DataArray } from "./data-array.js";
import type { Dataset } from "./dataset.js";
import { GridError } from "./errors.js";
import { formatDataset } from "./repr.js";
import {
  type IndexSelector,
  isel,
  type LabelSelector,
  readSel,
  type SelOptions,
} from "./select.js";

/** Options of {@link readVariables}. */
export interface ReadVariablesOptions extends SelOptions {
  /** Label selection applied to each variable on the dims it has. */
  sel?: Record<string, LabelSelector>;
  /** Index selection applied to each variable on the dims it has. */
  isel?: Record<string, IndexSelector>;
  /** CF-decode (default true). */
  decode?: boolean;
}

/**
 * Read several variables (default: every data variable) with one selection, each on the
 * dims it has — e.g. `readVariables(ds, ["u", "v"], { sel: { time: "2001-03" } })`.
 *
 * @throws GridError `UNKNOWN_VARIABLE`, `INVALID_ARGUMENT`, selection errors
 */
export async function readVariables(
  ds: Dataset,
  names?: readonly string[],
  options: ReadVariablesOptions = {},
): Promise<Record<string, DataArray>> {
  const o = checkOptions("readVariables", "options", options, [
    "sel",
    "isel",
    "decode",
    "method",
    "tolerance",
  ]);
  if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== "string"))) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `readVariables: names must be a list of variable names; got ${describe(names)}`,
    );
  }
  const list = names ?? ds.dataVariableNames;
  const out: Record<string, DataArray> = {};
  for (const name of list) {
    const v = ds.variable(name);
    const pick = <T>(s: Record<string, T> | undefined) =>
      Object.fromEntries(Object.entries(s ?? {}).filter(([d]) => v.dims.includes(d)));
    const labelSel = pick(o.sel as Record<string, LabelSelector> | undefined);
    const selOptions: SelOptions & { decode?: boolean } = {};
    if (o.method !== undefined) selOptions.method = o.method as SelOptions["method"];
    if (o.tolerance !== undefined) selOptions.tolerance = o.tolerance as number;
    if (o.decode !== undefined) selOptions.decode = o.decode as boolean;
    let a =
      Object.keys(labelSel).length > 0
        ? await readSel(ds, name, labelSel, selOptions)
        : await ds.read(name, { decode: (o.decode as boolean | undefined) ?? true });
    const indexSel = pick(o.isel as Record<string, IndexSelector> | undefined);
    if (Object.keys(indexSel).length > 0) a = isel(a, indexSel);
    out[name] = a;
  }
  return out;
}

/** Apply `fn` to every array of a set (e.g. a seasonal mean of each variable). */
export function mapVariables(
  vars: Record<string, DataArray>,
  fn: (a: DataArray, name: string) => DataArray,
): Record<string, DataArray> {
  if (typeof fn !== "function")
    throw new GridError(
      "INVALID_ARGUMENT",
      `mapVariables: fn must be a function; got ${describe(fn)}`,
    );
  const out: Record<string, DataArray> = {};
  for (const [k, a] of Object.entries(vars)) {
    if (!(a instanceof DataArray))
      throw new GridError("INVALID_ARGUMENT", `mapVariables: '${k}' is not a DataArray`);
    const r = fn(a, k);
    if (!(r instanceof DataArray))
      throw new GridError(
        "INVALID_ARGUMENT",
        `mapVariables: fn returned ${describe(r)} for '${k}'`,
      );
    out[k] = r;
  }
  return out;
}

/** An xarray-like summary of a set of in-memory arrays. */
export function formatVariables(vars: Record<string, DataArray>): string {
  const dims: Record<string, number> = {};
  const coords = new Map<string, string>();
  for (const a of Object.values(vars)) {
    a.dims.forEach((d, i) => {
      dims[d] = a.shape[i];
    });
    for (const [k, c] of Object.entries(a.coords)) {
      if (!coords.has(k))
        coords.set(
          k,
          `  ${c.dims.length === 1 && c.dims[0] === k ? "*" : " "} ${k.padEnd(10)} (${c.dims.join(", ")})`,
        );
    }
  }
  return formatDataset({
    dims,
    coords: [...coords].map(([name, line]) => ({ name, line })),
    variables: Object.entries(vars).map(([name, a]) => ({
      name,
      line: `    ${name.padEnd(10)} (${a.dims.join(", ")}) ${a.dtype}`,
    })),
    attrs: {},
  });
}

/**
 * Turn variables of a set into coordinates of the others (xarray's `set_coords`): each
 * named array becomes a coordinate of every array whose dims include its dims, and leaves
 * the set.
 *
 * @throws GridError `INVALID_ARGUMENT` (unknown name, string data), `SHAPE_MISMATCH`
 */
export function setCoords(
  vars: Record<string, DataArray>,
  names: string | readonly string[],
): Record<string, DataArray> {
  const list = typeof names === "string" ? [names] : names;
  if (!Array.isArray(list) || list.some((n) => typeof n !== "string")) {
    throw new GridError(
      "INVALID_ARGUMENT",
      `setCoords: names must be a variable name or a list of them; got ${describe(names)}`,
    );
  }
  const out: Record<string, DataArray> = {};
  for (const n of list) {
    if (!(vars[n] instanceof DataArray)) {
      throw new GridError(
        "INVALID_ARGUMENT",
        `setCoords: no variable '${n}' (have ${Object.keys(vars).join(", ")})`,
      );
    }
  }
  for (const [k, a] of Object.entries(vars)) {
    if (list.includes(k)) continue;
    const coords: Record<string, Coordinate> = { ...a.coords };
    for (const n of list) {
      const c = vars[n];
      if (!c.dims.every((d) => a.dims.includes(d))) continue;
      c.dims.forEach((d, i) => {
        if (a.shape[a.axis(d)] !== c.shape[i]) {
          throw new GridError(
            "SHAPE_MISMATCH",
            `setCoords: '${n}' has ${c.shape[i]} along '${d}' but '${k}' has ${a.shape[a.axis(d)]}`,
          );
        }
      });
      const values = Array.isArray(c.data) ? [...c.data] : c.toFloat64().slice();
      coords[n] = { dims: [...c.dims], values, attrs: { ...c.attrs } };
    }
    out[k] = new DataArray({
      name: a.name,
      dims: a.dims,
      shape: a.shape,
      data: a.data,
      coords,
      attrs: a.attrs,
      encoding: a.encoding,
    });
  }
  return out;
}
