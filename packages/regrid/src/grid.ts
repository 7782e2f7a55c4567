import { attrString, type Coordinate, DataArray, type Dataset } from "@geoml/grid";
import { RegridError } from "./errors.js";

/**
 * A horizontal grid on the sphere, in degrees.
 *
 * - `rectilinear`: 1-D `lat` (length ny) and `lon` (length nx); bounds `(n, 2)` per axis.
 * - `curvilinear`: 2-D `lat`/`lon` of shape (ny, nx) in row-major order; cell corners
 *   `(ny, nx, 4)` in the order the file gives them (CF `*_bnds`/`*_vertices`).
 */
export interface SphericalGrid {
  /** Layout of the coordinates. */
  kind: "rectilinear" | "curvilinear";
  /** Horizontal dimension names, outer then inner (e.g. `["lat", "lon"]`, `["y", "x"]`). */
  dims: [string, string];
  /** Cells along the outer and inner dimension. */
  ny: number;
  nx: number;
  /** Cell-centre latitudes (ny for rectilinear, ny·nx for curvilinear). */
  lat: Float64Array;
  /** Cell-centre longitudes (nx for rectilinear, ny·nx for curvilinear). */
  lon: Float64Array;
  /** Cell bounds: rectilinear `(ny, 2)` latitudes; curvilinear `(ny·nx, 4)` corner latitudes. */
  latBounds?: Float64Array;
  /** Cell bounds: rectilinear `(nx, 2)` longitudes; curvilinear `(ny·nx, 4)` corner longitudes. */
  lonBounds?: Float64Array;
  /** Names of the latitude and longitude coordinates (for output files). */
  names?: { lat: string; lon: string };
  /** Attributes of the latitude and longitude coordinates. */
  attrs?: { lat: Coordinate["attrs"]; lon: Coordinate["attrs"] };
}

/** Largest grid {@link globalGrid} makes (a 0.01° global grid has 6.48e8 cells). */
const MAX_CELLS = 648_000_000;

/** Number of cells. */
export function gridSize(g: SphericalGrid): number {
  return g.ny * g.nx;
}

/** Latitude and longitude of cell `k` (row-major). */
export function cellCenter(g: SphericalGrid, k: number): [number, number] {
  if (g.kind === "curvilinear") return [g.lat[k], g.lon[k]];
  return [g.lat[Math.floor(k / g.nx)], g.lon[k % g.nx]];
}

/**
 * A rectilinear grid from 1-D latitudes and longitudes (degrees), with optional
 * `(n, 2)` bounds. Without bounds they are computed when needed: midpoints between
 * centres, the outer ones half a step out, latitudes clipped to ±90° (as CDO does).
 *
 * @throws RegridError `INVALID_GRID` for empty, non-finite or non-monotonic coordinates
 */
export function rectilinearGrid(
  lat: ArrayLike<number>,
  lon: ArrayLike<number>,
  options: {
    latBounds?: ArrayLike<number>;
    lonBounds?: ArrayLike<number>;
    dims?: [string, string];
  } = {},
): SphericalGrid {
  const la = Float64Array.from(lat);
  const lo = Float64Array.from(lon);
  checkAxis(la, "latitude");
  checkAxis(lo, "longitude");
  for (const v of la) {
    if (v < -90 || v > 90) {
      throw new RegridError("INVALID_GRID", `latitude ${v} outside [-90, 90]`);
    }
  }
  const g: SphericalGrid = {
    kind: "rectilinear",
    dims: options.dims ?? ["lat", "lon"],
    ny: la.length,
    nx: lo.length,
    lat: la,
    lon: lo,
  };
  if (options.latBounds !== undefined) {
    g.latBounds = checkBounds(options.latBounds, la.length, 2, "latitude");
  }
  if (options.lonBounds !== undefined) {
    g.lonBounds = checkBounds(options.lonBounds, lo.length, 2, "longitude");
  }
  return g;
}

/**
 * A global grid of cell centres at resolution `res` degrees: latitudes −90+res/2 …
 * 90−res/2, longitudes `lonOrigin`, `lonOrigin`+res, … (360/res of them), with exact bounds.
 *
 * @throws RegridError `INVALID_ARGUMENT` unless 180/res is a whole number of cells
 */
export function globalGrid(res: number, lonOrigin = res / 2): SphericalGrid {
  const ny = Math.round(180 / res);
  if (!(res > 0) || !Number.isFinite(res) || Math.abs(ny * res - 180) > 1e-9 * 180) {
    throw new RegridError(
      "INVALID_ARGUMENT",
      `resolution ${res}° does not divide 180° into whole cells`,
    );
  }
  const nx = 2 * ny;
  // 0.01° is 648 million cells already; finer grids are a typo, not a request.
  if (ny * nx > MAX_CELLS) {
    throw new RegridError(
      "INVALID_ARGUMENT",
      `resolution ${res}° makes ${ny}×${nx} cells, more than ${MAX_CELLS}`,
    );
  }
  const lat = new Float64Array(ny);
  const latB = new Float64Array(2 * ny);
  for (let j = 0; j < ny; j++) {
    lat[j] = -90 + (j + 0.5) * res;
    latB[2 * j] = j === 0 ? -90 : -90 + j * res;
    latB[2 * j + 1] = j === ny - 1 ? 90 : -90 + (j + 1) * res;
  }
  const lon = new Float64Array(nx);
  const lonB = new Float64Array(2 * nx);
  for (let i = 0; i < nx; i++) {
    lon[i] = lonOrigin + i * res;
    lonB[2 * i] = lon[i] - res / 2;
    lonB[2 * i + 1] = lon[i] + res / 2;
  }
  return rectilinearGrid(lat, lon, { latBounds: latB, lonBounds: lonB });
}

/**
 * A curvilinear grid from 2-D latitudes and longitudes `(ny, nx)` and optional corners
 * `(ny, nx, 4)`.
 *
 * @throws RegridError `INVALID_GRID` when sizes disagree
 */
export function curvilinearGrid(
  lat: ArrayLike<number>,
  lon: ArrayLike<number>,
  ny: number,
  nx: number,
  options: {
    latBounds?: ArrayLike<number>;
    lonBounds?: ArrayLike<number>;
    dims?: [string, string];
  } = {},
): SphericalGrid {
  if (!Number.isInteger(ny) || !Number.isInteger(nx) || ny < 1 || nx < 1) {
    throw new RegridError("INVALID_GRID", `grid shape (${ny}, ${nx}) is not valid`);
  }
  if (lat.length !== ny * nx || lon.length !== ny * nx) {
    throw new RegridError(
      "INVALID_GRID",
      `2-D latitude/longitude have ${lat.length}/${lon.length} values, expected ${ny}×${nx}`,
    );
  }
  const g: SphericalGrid = {
    kind: "curvilinear",
    dims: options.dims ?? ["y", "x"],
    ny,
    nx,
    lat: Float64Array.from(lat),
    lon: Float64Array.from(lon),
  };
  if (options.latBounds !== undefined) {
    g.latBounds = checkBounds(options.latBounds, ny * nx, 4, "latitude");
  }
  if (options.lonBounds !== undefined) {
    g.lonBounds = checkBounds(options.lonBounds, ny * nx, 4, "longitude");
  }
  return g;
}

/**
 * Bounds of a rectilinear axis `(n, 2)`: the grid's own, or midpoints between centres with
 * the outer ones half a step out; latitudes are clipped to ±90°.
 */
export function axisBounds(values: Float64Array, given: Float64Array | undefined, isLat: boolean) {
  if (given !== undefined) return given;
  const n = values.length;
  const b = new Float64Array(2 * n);
  if (n === 1) {
    b[0] = isLat ? -90 : values[0] - 180;
    b[1] = isLat ? 90 : values[0] + 180;
    return b;
  }
  for (let i = 0; i < n; i++) {
    const lo =
      i === 0 ? values[0] - 0.5 * (values[1] - values[0]) : 0.5 * (values[i - 1] + values[i]);
    const hi =
      i === n - 1
        ? values[n - 1] + 0.5 * (values[n - 1] - values[n - 2])
        : 0.5 * (values[i] + values[i + 1]);
    b[2 * i] = lo;
    b[2 * i + 1] = hi;
  }
  if (isLat) for (let i = 0; i < b.length; i++) b[i] = Math.min(90, Math.max(-90, b[i]));
  return b;
}

/**
 * Corners `(ny·nx, 4)` of a curvilinear grid that has none in its file, computed on the
 * sphere: each corner is the normalised mean of the four centres around it (as unit
 * vectors), with a ring of centres reflected across the grid's edges (p' = 2p₀ − p₁) so
 * edge cells get corners too. CDO refuses such grids; this is cf_xarray's and xESMF's
 * usual construction, done in 3-D so it holds across the date line and near the poles.
 */
export function curvilinearCorners(g: SphericalGrid): { lat: Float64Array; lon: Float64Array } {
  const { ny, nx } = g;
  if (ny < 2 || nx < 2) {
    throw new RegridError("INVALID_GRID", `cannot compute corners of a ${ny}×${nx} grid`);
  }
  const W = nx + 2;
  const H = ny + 2;
  const ext = new Float64Array(3 * W * H);
  const r = Math.PI / 180;
  const set = (j: number, i: number, v: [number, number, number]) => {
    const k = 3 * (j * W + i);
    ext[k] = v[0];
    ext[k + 1] = v[1];
    ext[k + 2] = v[2];
  };
  const get = (j: number, i: number): [number, number, number] => {
    const k = 3 * (j * W + i);
    return [ext[k], ext[k + 1], ext[k + 2]];
  };
  const reflect = (a: [number, number, number], b: [number, number, number]) => {
    const v: [number, number, number] = [2 * a[0] - b[0], 2 * a[1] - b[1], 2 * a[2] - b[2]];
    const n = Math.hypot(v[0], v[1], v[2]);
    return [v[0] / n, v[1] / n, v[2] / n] as [number, number, number];
  };
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const la = g.lat[j * nx + i] * r;
      const lo = g.lon[j * nx + i] * r;
      set(j + 1, i + 1, [Math.cos(la) * Math.cos(lo), Math.cos(la) * Math.sin(lo), Math.sin(la)]);
    }
  }
  for (let j = 1; j <= ny; j++) {
    set(j, 0, reflect(get(j, 1), get(j, 2)));
    set(j, nx + 1, reflect(get(j, nx), get(j, nx - 1)));
  }
  for (let i = 0; i < W; i++) {
    set(0, i, reflect(get(1, i), get(2, i)));
    set(ny + 1, i, reflect(get(ny, i), get(ny - 1, i)));
  }
  // Corner (cj, ci) sits between extended centres (cj, ci) … (cj+1, ci+1).
  const cLat = new Float64Array((ny + 1) * (nx + 1));
  const cLon = new Float64Array((ny + 1) * (nx + 1));
  for (let cj = 0; cj <= ny; cj++) {
    for (let ci = 0; ci <= nx; ci++) {
      const a = get(cj, ci);
      const b = get(cj, ci + 1);
      const c = get(cj + 1, ci);
      const d = get(cj + 1, ci + 1);
      const x = a[0] + b[0] + c[0] + d[0];
      const y = a[1] + b[1] + c[1] + d[1];
      const z = a[2] + b[2] + c[2] + d[2];
      const n = Math.hypot(x, y, z);
      cLat[cj * (nx + 1) + ci] = Math.asin(Math.max(-1, Math.min(1, z / n))) / r;
      cLon[cj * (nx + 1) + ci] = Math.atan2(y, x) / r;
    }
  }
  const lat = new Float64Array(4 * ny * nx);
  const lon = new Float64Array(4 * ny * nx);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = 4 * (j * nx + i);
      const corners = [
        j * (nx + 1) + i,
        j * (nx + 1) + i + 1,
        (j + 1) * (nx + 1) + i + 1,
        (j + 1) * (nx + 1) + i,
      ];
      for (let c = 0; c < 4; c++) {
        lat[k + c] = cLat[corners[c]];
        lon[k + c] = cLon[corners[c]];
      }
    }
  }
  return { lat, lon };
}

/** True when a rectilinear grid's longitudes go all the way round (cell widths sum to 360°). */
export function isGlobalLon(g: SphericalGrid): boolean {
  if (g.kind !== "rectilinear") return false;
  const b = axisBounds(g.lon, g.lonBounds, false);
  let total = 0;
  for (let i = 0; i < g.nx; i++) total += Math.abs(b[2 * i + 1] - b[2 * i]);
  return Math.abs(total - 360) < 1e-6;
}

const LAT_NAMES = /^(lat|latitude|nav_lat|lat2d|xlat)$/i;
const LON_NAMES = /^(lon|longitude|nav_lon|lon2d|xlong)$/i;

function isLatCoord(name: string, c: Coordinate): boolean {
  const units = attrString(c.attrs, "units") ?? "";
  return (
    /^degrees?_?n(orth)?$/i.test(units) ||
    attrString(c.attrs, "standard_name") === "latitude" ||
    LAT_NAMES.test(name)
  );
}

function isLonCoord(name: string, c: Coordinate): boolean {
  const units = attrString(c.attrs, "units") ?? "";
  return (
    /^degrees?_?e(ast)?$/i.test(units) ||
    attrString(c.attrs, "standard_name") === "longitude" ||
    LON_NAMES.test(name)
  );
}

/**
 * Find the latitude and longitude coordinates of an array: 1-D ones over two dims
 * (rectilinear) or 2-D ones over the same two dims (curvilinear).
 *
 * @throws RegridError `INVALID_GRID` when none are found
 */
export function findLatLon(a: DataArray): { lat: string; lon: string } {
  const entries = Object.entries(a.coords).filter(([, c]) => c.values instanceof Float64Array);
  const lat2 = entries.find(([n, c]) => c.dims.length === 2 && isLatCoord(n, c));
  const lon2 = entries.find(([n, c]) => c.dims.length === 2 && isLonCoord(n, c));
  const lat1 = entries.find(([n, c]) => c.dims.length === 1 && isLatCoord(n, c));
  const lon1 = entries.find(([n, c]) => c.dims.length === 1 && isLonCoord(n, c));
  if (lat1 && lon1 && lat1[1].dims[0] !== lon1[1].dims[0]) return { lat: lat1[0], lon: lon1[0] };
  if (lat2 && lon2) return { lat: lat2[0], lon: lon2[0] };
  throw new RegridError(
    "INVALID_GRID",
    "no latitude/longitude coordinates (1-D over two dims, or 2-D over the same two dims)",
    { variable: a.name },
  );
}

/**
 * The horizontal grid of an array from its latitude/longitude coordinates, with bounds
 * given as arrays `(n, 2)` (rectilinear) or `(ny, nx, 4)` (curvilinear) when known.
 * The grid's two dims must be the array's last two, in either order for rectilinear grids
 * (latitude outer is the usual layout and the only one this package writes).
 *
 * @throws RegridError `INVALID_GRID`
 */
export function gridOf(
  a: DataArray,
  bounds: { lat?: ArrayLike<number>; lon?: ArrayLike<number> } = {},
): SphericalGrid {
  const names = findLatLon(a);
  const latC = a.coords[names.lat];
  const lonC = a.coords[names.lon];
  const ctx = { variable: a.name };
  const n = a.dims.length;
  if (n < 2) throw new RegridError("INVALID_GRID", "needs at least two dimensions", ctx);
  const [ydim, xdim] = [a.dims[n - 2], a.dims[n - 1]];
  let g: SphericalGrid;
  if (latC.dims.length === 1) {
    if (latC.dims[0] !== ydim || lonC.dims[0] !== xdim) {
      throw new RegridError(
        "INVALID_GRID",
        `latitude and longitude must be the last two dims in that order (${ydim}, ${xdim}); got (${latC.dims[0]}, ${lonC.dims[0]})`,
        ctx,
      );
    }
    try {
      g = rectilinearGrid(latC.values as Float64Array, lonC.values as Float64Array, {
        dims: [ydim, xdim],
        ...(bounds.lat === undefined ? {} : { latBounds: bounds.lat }),
        ...(bounds.lon === undefined ? {} : { lonBounds: bounds.lon }),
      });
    } catch (error) {
      throw withVariable(error, a.name);
    }
  } else {
    if (latC.dims[0] !== ydim || latC.dims[1] !== xdim || lonC.dims.join() !== latC.dims.join()) {
      throw new RegridError(
        "INVALID_GRID",
        `2-D latitude/longitude must span the last two dims (${ydim}, ${xdim})`,
        ctx,
      );
    }
    try {
      g = curvilinearGrid(
        latC.values as Float64Array,
        lonC.values as Float64Array,
        a.shape[n - 2],
        a.shape[n - 1],
        {
          dims: [ydim, xdim],
          ...(bounds.lat === undefined ? {} : { latBounds: bounds.lat }),
          ...(bounds.lon === undefined ? {} : { lonBounds: bounds.lon }),
        },
      );
    } catch (error) {
      throw withVariable(error, a.name);
    }
  }
  g.names = names;
  g.attrs = { lat: latC.attrs, lon: lonC.attrs };
  return g;
}

/**
 * Read variable `name` and its grid from a dataset, cell bounds included when the file
 * has them: the variable named by a coordinate's `bounds` attribute, else `<coord>_bnds`,
 * `<coord>_bounds` or `<coord>_vertices`.
 *
 * @throws RegridError `INVALID_GRID`; loader errors pass through
 */
export async function readGrid(
  ds: Dataset,
  name: string,
  options: { isel?: Record<string, number | { start?: number; stop?: number }> } = {},
): Promise<{ data: DataArray; grid: SphericalGrid }> {
  let data = await ds.read(name, options.isel ? { isel: options.isel } : {});
  data = await withAxisCoordinates(ds, data);
  const names = findLatLon(data);
  const boundsOf = async (coord: string): Promise<Float64Array | undefined> => {
    const cv = ds.has(coord) ? ds.variable(coord) : undefined;
    const attr = cv === undefined ? undefined : attrString(cv.attrs, "bounds");
    const candidates = [attr, `${coord}_bnds`, `${coord}_bounds`, `${coord}_vertices`];
    for (const c of candidates) {
      if (c === undefined || !ds.has(c)) continue;
      const b = await ds.read(c, { coords: false });
      return b.toFloat64().slice();
    }
    return undefined;
  };
  const [latB, lonB] = await Promise.all([boundsOf(names.lat), boundsOf(names.lon)]);
  const grid = gridOf(data, {
    ...(latB === undefined ? {} : { lat: latB }),
    ...(lonB === undefined ? {} : { lon: lonB }),
  });
  return { data, grid };
}

/**
 * Some files name their coordinate variables apart from their dimensions (`lat(latitude)`),
 * so readers do not attach them; take a 1-D variable over each of the last two dims with
 * latitude/longitude units or names as that dim's coordinate.
 */
async function withAxisCoordinates(ds: Dataset, a: DataArray): Promise<DataArray> {
  try {
    findLatLon(a);
    return a;
  } catch {
    // fall through: look for detached axis variables
  }
  const n = a.dims.length;
  if (n < 2) return a;
  const coords: Record<string, Coordinate> = { ...a.coords };
  for (const dim of a.dims.slice(n - 2)) {
    const v = ds.source.variables.find(
      (x) =>
        x.dims.length === 1 &&
        x.dims[0] === dim &&
        x.name !== a.name &&
        (isLatCoord(x.name, { dims: [dim], values: new Float64Array(0), attrs: { ...x.attrs } }) ||
          isLonCoord(x.name, { dims: [dim], values: new Float64Array(0), attrs: { ...x.attrs } })),
    );
    if (v === undefined || coords[v.name] !== undefined) continue;
    const full = await ds.read(v.name, { coords: false });
    const axis = a.axis(dim);
    // The array may be a selection of the variable: only whole axes are attached.
    if (full.size !== a.shape[axis]) continue;
    coords[v.name] = { dims: [dim], values: full.toFloat64().slice(), attrs: { ...v.attrs } };
  }
  return new DataArray({
    name: a.name,
    dims: [...a.dims],
    shape: [...a.shape],
    data: a.data,
    coords,
    attrs: { ...a.attrs },
    encoding: { ...a.encoding },
  });
}

function withVariable(error: unknown, variable: string): unknown {
  if (error instanceof RegridError && error.variable === undefined) {
    return new RegridError(error.code, error.message, { variable });
  }
  return error;
}

function checkAxis(v: Float64Array, what: string): void {
  if (v.length === 0) throw new RegridError("INVALID_GRID", `empty ${what} axis`);
  for (const x of v) {
    if (!Number.isFinite(x)) throw new RegridError("INVALID_GRID", `non-finite ${what} ${x}`);
  }
  if (v.length > 1) {
    const up = v[1] > v[0];
    for (let i = 1; i < v.length; i++) {
      if (up ? v[i] <= v[i - 1] : v[i] >= v[i - 1]) {
        throw new RegridError("INVALID_GRID", `${what} values are not strictly monotonic`);
      }
    }
  }
}

function checkBounds(b: ArrayLike<number>, n: number, per: number, what: string): Float64Array {
  if (b.length !== n * per) {
    throw new RegridError(
      "INVALID_GRID",
      `${what} bounds have ${b.length} values, expected ${n}×${per}`,
    );
  }
  return Float64Array.from(b);
}
