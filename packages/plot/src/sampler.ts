import type { DataArray } from "@geoml/grid";
import { axisBounds, gridOf, PointIndex, type SphericalGrid } from "@geoml/regrid";
import { PlotError } from "./errors.js";

/** Value of a 2-D field at (lon, lat): a number (maybe NaN = missing), or undefined off the grid. */
export type Sampler = (lon: number, lat: number) => number | undefined;

/**
 * Look-up of the grid cell holding a point. Rectilinear grids use their cell bounds
 * (midpoints between centres); curvilinear grids take the nearest centre, accepted
 * within the distance to that centre's farthest neighbour, so the map ends where the
 * grid ends.
 */
export function sampler(a: DataArray): { sample: Sampler; grid: SphericalGrid } {
  if (a.dims.length !== 2) {
    throw new PlotError(
      "INVALID_ARGUMENT",
      `a map needs a 2-D field, got dims (${a.dims.join(", ")}); select one step first (isel)`,
      { variable: a.name },
    );
  }
  const grid = gridOf(a);
  const v = a.toFloat64();
  if (grid.kind === "rectilinear") return { sample: rectilinear(grid, v), grid };
  return { sample: curvilinear(grid, v), grid };
}

function rectilinear(g: SphericalGrid, v: Float64Array): Sampler {
  const latB = axisBounds(g.lat, g.latBounds, true);
  const lonB = axisBounds(g.lon, g.lonBounds, false);
  const rows = edges(latB, g.ny);
  const cols = edges(lonB, g.nx);
  const lon0 = cols.lo;
  return (lon, lat) => {
    const j = find(rows, lat);
    if (j < 0) return undefined;
    let x = lon;
    // Longitudes modulo 360 into the grid's range.
    x = lon0 + ((((x - lon0) % 360) + 360) % 360);
    const i = find(cols, x);
    if (i < 0) return undefined;
    return v[j * g.nx + i];
  };
}

/** Sorted cell edges of an axis, with the original index of each cell. */
function edges(b: Float64Array, n: number): { e: Float64Array; idx: Int32Array; lo: number } {
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (p, q) => Math.min(b[2 * p], b[2 * p + 1]) - Math.min(b[2 * q], b[2 * q + 1]),
  );
  const e = new Float64Array(n + 1);
  order.forEach((i, k) => {
    e[k] = Math.min(b[2 * i], b[2 * i + 1]);
    e[k + 1] = Math.max(b[2 * i], b[2 * i + 1]);
  });
  return { e, idx: Int32Array.from(order), lo: e[0] };
}

function find(ax: { e: Float64Array; idx: Int32Array }, x: number): number {
  const e = ax.e;
  const n = e.length - 1;
  if (!(x >= e[0] && x <= e[n])) return -1;
  let lo = 0;
  let hi = n;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (e[m] <= x) lo = m;
    else hi = m;
  }
  return ax.idx[lo];
}

function curvilinear(g: SphericalGrid, v: Float64Array): Sampler {
  const index = new PointIndex(g.lat, g.lon);
  const { nx, ny } = g;
  // Reach of each centre: the chord to its farthest grid neighbour.
  const reach = new Float64Array(nx * ny);
  const chord = (p: number, q: number) => {
    const r = Math.PI / 180;
    const a1 = g.lat[p] * r;
    const a2 = g.lat[q] * r;
    const dl = (g.lon[p] - g.lon[q]) * r;
    const c = Math.sin(a1) * Math.sin(a2) + Math.cos(a1) * Math.cos(a2) * Math.cos(dl);
    return Math.sqrt(Math.max(0, 2 - 2 * c));
  };
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const k = j * nx + i;
      let m = 0;
      if (i > 0) m = Math.max(m, chord(k, k - 1));
      if (i < nx - 1) m = Math.max(m, chord(k, k + 1));
      if (j > 0) m = Math.max(m, chord(k, k - nx));
      if (j < ny - 1) m = Math.max(m, chord(k, k + nx));
      reach[k] = m;
    }
  }
  return (lon, lat) => {
    const near = index.nearest(lat, lon, 1);
    const k = near.index[0];
    if (k === undefined || near.chord[0] > reach[k]) return undefined;
    return v[k];
  };
}
