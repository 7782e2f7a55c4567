import { climatology, DataArray } from "@geoml/grid";
import { openNetcdf } from "@geoml/netcdf";
import { globalGrid, Regridder, readGrid } from "@geoml/regrid";
import { DemoUsageError } from "./args.js";
import type { SstData } from "./data.js";

/** Resolution (degrees) of the regular grid another file is put on. */
export const USER_GRID_DEGREES = 2;

/** °C offset of an SST variable from its `units`, or an error naming `--var`. */
export function celsiusOffset(units: unknown, variable: string): number {
  const u = String(units ?? "").trim();
  if (/^(K|kelvin|degK|deg_K|degrees?_?K)$/i.test(u)) return -273.15;
  if (/^(degC|deg_C|celsius|degrees?[_ ]?C|degrees?[_ ]celsius|°C|C)$/i.test(u)) return 0;
  throw new DemoUsageError(
    `--var ${variable}: units ${JSON.stringify(u)} are not a temperature in °C or K`,
  );
}

/**
 * Reads another gridded SST (`--data FILE.nc --var NAME`): converts it to °C from its
 * units, averages it into a mean annual cycle (calendar months from the decoded time
 * axis), and puts it on a regular global 2° grid with conservative remapping (1-D or
 * curvilinear 2-D `lat`/`lon` alike; cells less than half covered by valid source cells
 * stay empty). Ocean cells are those with a value in every month present; months absent
 * from the file are dropped.
 */
export async function loadUserSst(
  file: string,
  variable: string,
): Promise<SstData & { years: [number, number] }> {
  const ds = await openNetcdf(file);
  try {
    if (!ds.variableNames.includes(variable)) {
      throw new DemoUsageError(
        `--var ${variable}: no such variable in ${file} (variables: ${ds.variableNames.join(", ")})`,
      );
    }
    const { data, grid } = await readGrid(ds, variable);
    if (data.dims.length !== 3) {
      throw new DemoUsageError(
        `--var ${variable}: expected dims (time, y, x), got (${data.dims.join(", ")})`,
      );
    }
    const offset = celsiusOffset(data.attrs.units, variable);
    const timeDim = data.dims[0];
    const times = data.coord(timeDim)?.times;
    if (!times) {
      throw new DemoUsageError(
        `--var ${variable}: dimension '${timeDim}' has no CF time coordinate ('<unit> since <date>')`,
      );
    }
    const years: [number, number] = [
      Math.min(...times.map((t) => t.year)),
      Math.max(...times.map((t) => t.year)),
    ];
    const monthly = climatology(data, timeDim);
    const target = globalGrid(USER_GRID_DEGREES, USER_GRID_DEGREES / 2);
    const onGrid = new Regridder(grid, target, { method: "conservative" }).regrid(monthly, {
      minCoverage: 0.5,
    });
    const [ny, nx] = onGrid.shape.slice(1);
    const cells = ny * nx;
    const values = onGrid.data as Float64Array;
    const months: number[] = [];
    for (let m = 0; m < 12; m++) {
      for (let c = 0; c < cells; c++) {
        if (Number.isFinite(values[m * cells + c])) {
          months.push(m + 1);
          break;
        }
      }
    }
    if (months.length === 0) {
      throw new DemoUsageError(`--var ${variable}: no valid values in ${file}`);
    }
    const out = new Float64Array(months.length * cells);
    months.forEach((m, t) => {
      for (let c = 0; c < cells; c++) out[t * cells + c] = values[(m - 1) * cells + c] + offset;
    });
    const ocean = new Uint8Array(cells);
    for (let c = 0; c < cells; c++) {
      ocean[c] = months.every((_, t) => Number.isFinite(out[t * cells + c])) ? 1 : 0;
    }
    const [ydim, xdim] = onGrid.dims.slice(1);
    const lat = Float64Array.from(onGrid.coords[ydim].values as ArrayLike<number>);
    const lon = Float64Array.from(onGrid.coords[xdim].values as ArrayLike<number>);
    const coords = {
      latitude: { dims: ["latitude"], values: lat, attrs: { units: "degrees_north" } },
      longitude: { dims: ["longitude"], values: lon, attrs: { units: "degrees_east" } },
    };
    const sst = new DataArray({
      name: "sst",
      dims: ["time", "latitude", "longitude"],
      shape: [months.length, ny, nx],
      data: out,
      coords: {
        time: { dims: ["time"], values: Float64Array.from(months), attrs: {} },
        ...coords,
      },
      attrs: { units: "degC", long_name: `${variable} from ${file}` },
    });
    return {
      years,
      sst,
      ocean: new DataArray({
        name: "ocean",
        dims: ["latitude", "longitude"],
        shape: [ny, nx],
        data: ocean,
        coords,
        attrs: {},
      }),
    };
  } finally {
    await ds.close();
  }
}
