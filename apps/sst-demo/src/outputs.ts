import { join } from "node:path";
import { writeGeotiff } from "@geoml/geotiff";
import { DataArray } from "@geoml/grid";
import { writeNetcdf } from "@geoml/netcdf";

/** Stored fill value of the float32 outputs (CF's default for float). */
export const FILL = 9.969209968386869e36;

/** The shipped climatology spans 1950–1979; CF puts its months in the first year with bounds over all. */
const FIRST_YEAR = 1950;
const LAST_YEAR = 1979;

/** Which calendar months (1–12) a climatology holds, and the years it averages. */
export interface ClimatologyAxis {
  months: readonly number[];
  years: readonly [number, number];
}

const SHIPPED: ClimatologyAxis = {
  months: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  years: [FIRST_YEAR, LAST_YEAR],
};

/**
 * The CF coordinates of a monthly climatology on the demo's grid: time as a climatological
 * axis (mid-month of the first year, `climatology` bounds from the first year's month start
 * to the last year's month end, CF-1.8 §7.4), latitude and longitude with standard names,
 * units and axes.
 */
export function cfCoords(lat: Float64Array, lon: Float64Array, axis: ClimatologyAxis = SHIPPED) {
  const [first, last] = axis.years;
  const epoch = Date.UTC(first, 0, 1);
  const days = (year: number, month: number) => (Date.UTC(year, month, 1) - epoch) / 86_400_000;
  const nt = axis.months.length;
  const time = new Float64Array(nt);
  const bounds = new Float64Array(2 * nt);
  axis.months.forEach((month, t) => {
    const m = month - 1;
    bounds[2 * t] = days(first, m);
    bounds[2 * t + 1] = days(last, m + 1);
    time[t] = (days(first, m) + days(first, m + 1)) / 2;
  });
  const timeAttrs = {
    standard_name: "time",
    long_name: "time of the climatological month",
    units: `days since ${String(first).padStart(4, "0")}-01-01 00:00:00`,
    calendar: "standard",
    axis: "T",
    climatology: "climatology_bounds",
  };
  return {
    coords: {
      time: { dims: ["time"], values: time, attrs: timeAttrs },
      latitude: {
        dims: ["latitude"],
        values: Float64Array.from(lat),
        attrs: {
          standard_name: "latitude",
          long_name: "latitude",
          units: "degrees_north",
          axis: "Y",
        },
      },
      longitude: {
        dims: ["longitude"],
        values: Float64Array.from(lon),
        attrs: {
          standard_name: "longitude",
          long_name: "longitude",
          units: "degrees_east",
          axis: "X",
        },
      },
    },
    climatologyBounds: bounds,
  };
}

/** A prediction grid for the outputs: float32, NaN where there is no value. */
export interface OutputGrid {
  name: string;
  /** `time, latitude, longitude`, months × lat × lon. */
  values: ArrayLike<number>;
  attrs: Record<string, string | number>;
}

/**
 * Writes the predictions as CF-1.8 NetCDF (float32, `_FillValue`, climatological time
 * axis) and as one GeoTIFF per variable (one band per month, north-up, EPSG:4326,
 * NaN as nodata) that GDAL reads. Returns the files written.
 */
export async function writeOutputs(
  out: string,
  lat: Float64Array,
  lon: Float64Array,
  grids: readonly OutputGrid[],
  globalAttrs: Record<string, string>,
  axis: ClimatologyAxis = SHIPPED,
): Promise<string[]> {
  const { coords, climatologyBounds } = cfCoords(lat, lon, axis);
  const nt = axis.months.length;
  const shape = [nt, lat.length, lon.length];
  const arrays = grids.map(
    (g) =>
      new DataArray({
        name: g.name,
        dims: ["time", "latitude", "longitude"],
        shape,
        data: Float32Array.from(g.values),
        coords,
        attrs: g.attrs,
      }),
  );
  const bounds = new DataArray({
    name: "climatology_bounds",
    dims: ["time", "nv"],
    shape: [nt, 2],
    data: climatologyBounds,
    coords: { time: coords.time },
    attrs: { units: coords.time.attrs.units, calendar: "standard" },
  });
  const encoding = Object.fromEntries(
    grids.map((g) => [g.name, { dtype: "float32" as const, _FillValue: FILL }]),
  );
  const files: string[] = [];
  const ncPath = join(out, "predictions.nc");
  await writeNetcdf(ncPath, [...arrays, bounds], {
    attrs: { Conventions: "CF-1.8", ...globalAttrs },
    encoding,
  });
  files.push(ncPath);

  // GeoTIFF rows run north to south; the grid's latitudes run south to north.
  const northUp = Float64Array.from(lat).reverse();
  const width = lon.length;
  for (const g of grids) {
    const flipped = new Float32Array(nt * lat.length * lon.length);
    for (let m = 0; m < nt; m++) {
      for (let i = 0; i < lat.length; i++) {
        const from = (m * lat.length + i) * width;
        const to = (m * lat.length + (lat.length - 1 - i)) * width;
        for (let j = 0; j < lon.length; j++) flipped[to + j] = g.values[from + j];
      }
    }
    const tif = join(out, `${g.name}.tif`);
    await writeGeotiff(
      tif,
      new DataArray({
        name: g.name,
        dims: ["month", "y", "x"],
        shape,
        data: flipped,
        coords: {
          y: { dims: ["y"], values: northUp, attrs: {} },
          x: { dims: ["x"], values: Float64Array.from(lon), attrs: {} },
        },
        attrs: { units: String(g.attrs.units ?? "") },
      }),
      { epsg: 4326, nodata: Number.NaN, dtype: "float32" },
    );
    files.push(tif);
  }
  return files;
}
