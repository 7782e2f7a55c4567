import { DataArray, maskFrom, regridNearest } from "@geoml/grid";
import { openNetcdf } from "@geoml/netcdf";

/** The monthly SST climatology on its 2° grid, and which of its cells are ocean. */
export interface SstData {
  /** Sea-surface temperature (°C), dims `time, latitude, longitude`. */
  sst: DataArray;
  /** 1 on ocean cells, 0 on land, lakes and ice shelves; dims `latitude, longitude`. */
  ocean: DataArray;
}

function coordinateValues(a: DataArray): Float64Array {
  return Float64Array.from(a.data as ArrayLike<number>);
}

/**
 * Reads the STR SST climatology (1950–1979, 2°, 12 months) and the 1° land–sea mask,
 * attaches the `lat`/`lon` variables as coordinates of the `latitude`/`longitude`
 * dimensions (the file does not name them after their dimensions, so CF readers see
 * them as plain variables), drops the repeated 360° column and puts the mask on the
 * SST grid by nearest neighbour.
 */
export async function loadSst(sstPath: string, landSeaPath: string): Promise<SstData> {
  const ds = await openNetcdf(sstPath);
  try {
    const lat = coordinateValues(await ds.read("lat"));
    const lonAll = coordinateValues(await ds.read("lon"));
    // The last column (360°) repeats the first (0°); keep each cell once.
    const nx = lonAll[lonAll.length - 1] - lonAll[0] >= 360 ? lonAll.length - 1 : lonAll.length;
    const lon = lonAll.slice(0, nx);
    const raw = await ds.read("sst", { isel: { longitude: { start: 0, stop: nx } } });
    const coords = {
      time: raw.coords.time,
      latitude: { dims: ["latitude"], values: lat, attrs: { units: "degrees_north" } },
      longitude: { dims: ["longitude"], values: lon, attrs: { units: "degrees_east" } },
    };
    const sst = new DataArray({
      name: "sst",
      dims: ["time", "latitude", "longitude"],
      shape: [...raw.shape],
      data: Float64Array.from(raw.data as ArrayLike<number>),
      coords,
      attrs: { ...raw.attrs, long_name: "sea surface temperature" },
    });
    const ocean = await oceanMask(landSeaPath, sst);
    return { sst, ocean };
  } finally {
    await ds.close();
  }
}

/** Ocean cells (land–sea mask value 0) on the grid of `like`, by nearest neighbour. */
async function oceanMask(landSeaPath: string, like: DataArray): Promise<DataArray> {
  const ls = await openNetcdf(landSeaPath);
  const mask = await ls.read("LSMASK").finally(() => ls.close());
  const lsOnDims = new DataArray({
    name: "LSMASK",
    dims: ["latitude", "longitude"],
    shape: [...mask.shape],
    data: mask.data,
    coords: {
      latitude: { ...mask.coords.lat, dims: ["latitude"] },
      longitude: { ...mask.coords.lon, dims: ["longitude"] },
    },
    attrs: mask.attrs,
  });
  const regridded = regridNearest(lsOnDims, like, ["latitude", "longitude"]);
  return maskFrom(regridded, (v) => v === 0, "ocean");
}
