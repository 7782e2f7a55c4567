import {
  type Attrs,
  type AttrValue,
  type DataArray,
  Dataset,
  type DatasetSource,
  isGridError,
  type ReadOptions,
  type VariableSource,
} from "@geoml/grid";
import { NetcdfError } from "./errors.js";
import type { NetcdfGroup, UnsupportedVariable } from "./nc4/reader.js";

/** CF attributes that must be numbers for decoding (CF conventions §2.5.1, §8.1). */
const NUMERIC_ATTRS = [
  "_FillValue",
  "missing_value",
  "scale_factor",
  "add_offset",
  "valid_min",
  "valid_max",
  "valid_range",
];

/** A numeric attribute stored as text that does not parse. */
export interface BadAttribute {
  /** Variable path. */
  variable: string;
  /** Attribute name. */
  attribute: string;
  /** The text found. */
  value: string;
}

/**
 * Parse a number written as text the way netCDF tools print them: `-999`, `1e+20`, `NaN`,
 * `nan`, `inf`, `-Infinity`, with an optional C type suffix (`-999.f`, `1s`). Lists
 * (`valid_range = "0 100"`) are separated by commas or blanks. Undefined when any part fails.
 */
export function parseNumericText(text: string): number[] | undefined {
  const parts = text
    .trim()
    .split(/[\s,]+/)
    .filter((p) => p.length > 0);
  if (parts.length === 0) return undefined;
  const out: number[] = [];
  for (const raw of parts) {
    const p = raw.replace(/(?<=[\d.])(f|d|s|b|l|ll|u|ul|ull|us|ub)$/i, "");
    let v: number;
    if (/^[+-]?nan$/i.test(p)) v = Number.NaN;
    else if (/^[+]?inf(inity)?$/i.test(p)) v = Number.POSITIVE_INFINITY;
    else if (/^-inf(inity)?$/i.test(p)) v = Number.NEGATIVE_INFINITY;
    else if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(p)) v = Number(p);
    else if (/^[+-]?0x[0-9a-f]+$/i.test(p)) v = Number.parseInt(p, 16);
    else return undefined;
    out.push(v);
  }
  return out;
}

/**
 * Convert the CF attributes that must be numeric (`_FillValue`, `scale_factor`, …) from text
 * when they parse — GDAL and some converters store `_FillValue = "-999"` — and list those that
 * do not, so reading can report them by file, variable and attribute.
 */
export function numericAttributes(
  name: string,
  attrs: Readonly<Attrs>,
): { attrs: Readonly<Attrs>; bad: BadAttribute[] } {
  let out: Attrs | undefined;
  const bad: BadAttribute[] = [];
  for (const key of NUMERIC_ATTRS) {
    const v = attrs[key];
    const text =
      typeof v === "string"
        ? v
        : Array.isArray(v) && typeof v[0] === "string"
          ? v.join(" ")
          : undefined;
    if (text === undefined) continue;
    const parsed = parseNumericText(text);
    if (parsed === undefined) {
      bad.push({ variable: name, attribute: key, value: text });
      continue;
    }
    out ??= { ...attrs };
    out[key] = (parsed.length === 1 ? parsed[0] : parsed) as AttrValue;
  }
  return { attrs: out ?? attrs, bad };
}

/** The source with numeric-text attributes converted; bad ones listed by variable. */
function normaliseSource(source: DatasetSource): {
  source: DatasetSource;
  bad: Map<string, BadAttribute>;
} {
  const bad = new Map<string, BadAttribute>();
  const variables = source.variables.map((v): VariableSource => {
    const n = numericAttributes(v.name, v.attrs);
    if (n.bad.length > 0) bad.set(v.name, n.bad[0]);
    if (n.attrs === v.attrs) return v;
    return {
      name: v.name,
      dims: v.dims,
      shape: v.shape,
      dtype: v.dtype,
      attrs: n.attrs,
      ...(v.chunks === undefined ? {} : { chunks: v.chunks }),
      read: (start, count, onPart) => v.read(start, count, onPart),
    };
  });
  const wrapped: DatasetSource = {
    format: source.format,
    ...(source.path === undefined ? {} : { path: source.path }),
    dims: source.dims,
    ...(source.unlimitedDims === undefined ? {} : { unlimitedDims: source.unlimitedDims }),
    attrs: source.attrs,
    variables,
    close: async () => {
      await source.close?.();
    },
  };
  return { source: wrapped, bad };
}

/**
 * A NetCDF file opened with `openNetcdf`: a lazy grid {@link Dataset} whose variables can also
 * be addressed by absolute path (`read("/grp1/T")` is `read("grp1/T")`), with the group tree
 * of a NetCDF-4 file (`groups`) and typed errors for variables that cannot be read.
 */
export class NetcdfDataset extends Dataset {
  /** Groups below the opened one (NetCDF-4; none for NetCDF-3), parents first. */
  readonly groups: readonly NetcdfGroup[];
  /** Variables whose HDF5 type (opaque, vlen, compounds of those) has no labelled-array equivalent. */
  readonly unsupported: readonly UnsupportedVariable[];
  /** The group that was opened, `"/"` for the root. */
  readonly group: string;
  private readonly badAttributes: Map<string, BadAttribute>;

  /**
   * @param source - a NetCDF-3 or NetCDF-4 back-end
   * @param group - the group opened (`"/"` for the root)
   */
  constructor(
    source: DatasetSource & {
      groups?: readonly NetcdfGroup[];
      unsupported?: readonly UnsupportedVariable[];
    },
    group = "/",
  ) {
    const { source: clean, bad } = normaliseSource(source);
    super(clean);
    this.groups = source.groups ?? [];
    this.unsupported = source.unsupported ?? [];
    this.group = group;
    this.badAttributes = bad;
  }

  /** `"/grp1/T"` → `"grp1/T"` (relative to the opened group); other names unchanged. */
  resolveName(name: string): string {
    if (typeof name !== "string" || !name.startsWith("/")) return name;
    const base = this.group.replace(/^\/+|\/+$/g, "");
    const path = name.replace(/^\/+/, "");
    if (base === "") return path;
    return path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path;
  }

  /**
   * Resolve a name listed in a group variable's `coordinates` (or `bounds`) attribute as
   * CF 1.8 says: in the variable's own group first, then in each enclosing group.
   */
  private resolveListed(variable: string, listed: string): string | undefined {
    if (listed.startsWith("/")) {
      const path = this.resolveName(listed);
      return super.has(path) ? path : undefined;
    }
    const parts = variable.split("/").slice(0, -1);
    for (let k = parts.length; k >= 0; k--) {
      const candidate = [...parts.slice(0, k), listed].join("/");
      if (super.has(candidate)) return candidate;
    }
    return undefined;
  }

  /** Names listed in `attr` of variable `v`, resolved to variable paths. */
  private listed(v: VariableSource, attr: string): string[] {
    const text = v.attrs[attr];
    if (typeof text !== "string") return [];
    return text
      .split(/\s+/)
      .filter((x) => x.length > 0)
      .map((x) => this.resolveListed(v.name, x))
      .filter((x): x is string => x !== undefined);
  }

  /** Coordinate variables, those listed by group variables resolved group by group. */
  override get coordNames(): string[] {
    const names = new Set(super.coordNames);
    for (const v of this.source.variables)
      for (const c of this.listed(v, "coordinates")) names.add(c);
    return this.variableNames.filter((n) => names.has(n));
  }

  /** Data variables: not coordinates, not cell bounds (resolved group by group). */
  override get dataVariableNames(): string[] {
    const skip = new Set(this.coordNames);
    for (const v of this.source.variables) for (const b of this.listed(v, "bounds")) skip.add(b);
    return super.dataVariableNames.filter((n) => !skip.has(n));
  }

  /**
   * The coordinates of variable `name`: same-named dimensions and its `coordinates`
   * attribute, whose names a group variable resolves in its own group first, then in the
   * enclosing ones (so `"lat lon"` inside `grp1` finds `grp1/lat`).
   */
  override coordinatesOf(name: string): string[] {
    const path = this.resolveName(name);
    const out = super
      .coordinatesOf(path)
      .filter((c) => !path.includes("/") || !this.listedPlain(path, c));
    const v = this.variable(path);
    for (const c of this.listed(v, "coordinates")) {
      const cv = this.source.variables.find((x) => x.name === c);
      if (
        cv !== undefined &&
        !out.includes(c) &&
        c !== path &&
        cv.dims.every((d) => v.dims.includes(d))
      ) {
        out.push(c);
      }
    }
    return out;
  }

  /** True when `c` came from the plain (root-relative) reading of a group variable's list. */
  private listedPlain(path: string, c: string): boolean {
    const v = this.variable(path);
    const text = v.attrs.coordinates;
    if (typeof text !== "string" || !text.split(/\s+/).includes(c)) return false;
    return this.resolveListed(path, c) !== c;
  }

  override has(name: string): boolean {
    return super.has(this.resolveName(name));
  }

  /**
   * The lazy variable at `name` (a path such as `"grp1/T"` or `"/grp1/T"`).
   *
   * @throws NetcdfError `UNSUPPORTED` for an opaque or vlen variable;
   *   GridError `UNKNOWN_VARIABLE`
   */
  override variable(name: string): VariableSource {
    const path = this.resolveName(name);
    const skipped = this.unsupported.find((u) => u.name === path);
    if (skipped !== undefined) {
      throw new NetcdfError("UNSUPPORTED", `cannot read: ${skipped.reason}`, {
        file: this.path,
        variable: path,
      });
    }
    return super.variable(path);
  }

  /**
   * Read variable `name` (a path such as `"grp1/T"` or `"/grp1/T"`), CF-decoded unless
   * `decode: false`.
   *
   * @throws NetcdfError `INVALID_ATTRIBUTE` when decoding needs an attribute that is text
   *   and not a number; `UNSUPPORTED` for opaque or vlen variables
   */
  override async read(name: string, options: ReadOptions = {}): Promise<DataArray> {
    const path = this.resolveName(name);
    this.variable(path);
    const bad = this.badAttributes.get(path);
    if (bad !== undefined && options.decode !== false) {
      throw new NetcdfError(
        "INVALID_ATTRIBUTE",
        `attribute '${bad.attribute}' is the text ${JSON.stringify(bad.value)}, expected a number (read with decode: false for the stored values)`,
        { file: this.path, variable: path },
      );
    }
    try {
      return await super.read(path, options);
    } catch (e) {
      // Decoding errors from the grid know neither the file nor the variable.
      if (isGridError(e) && e.file === undefined) {
        throw new NetcdfError(e.code as never, e.message, { file: this.path, variable: path });
      }
      throw e;
    }
  }
}
