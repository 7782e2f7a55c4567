import { cellCenter, gridSize, isGlobalLon, type SphericalGrid } from "./grid.js";
import { PointIndex } from "./search.js";
import { RAD } from "./sphere.js";
import { fromLinks, type RemapWeights, RULE_ALL, RULE_RENORMALIZE } from "./weights.js";

/** Guards a distance weight against division by zero (CDO's value). */
const TINY = 1e-14;

/** Options of {@link bilinearWeights}. */
export interface BilinearOptions {
  /**
   * Where a target point lies in no quadrilateral of source centres (poleward of the last
   * row of a global grid, or outside the grid), use the inverse-distance average of the
   * four nearest source points, as CDO does. Default: true for sources that go all the
   * way round in longitude (rectilinear) or are curvilinear, false otherwise.
   */
  extrapolate?: boolean;
}

/**
 * Bilinear weights (SCRIP/CDO `remapbil`): the target point is located in the
 * quadrilateral of four neighbouring source centres and its local coordinates (i, j) are
 * found by Newton iteration in longitude–latitude; the weights are (1−i)(1−j), i(1−j), ij,
 * (1−i)j. A target is NaN when any of its four corners is missing.
 */
export function bilinearWeights(
  source: SphericalGrid,
  target: SphericalGrid,
  options: BilinearOptions = {},
): RemapWeights {
  const nt = gridSize(target);
  const tl: number[] = [];
  const sl: number[] = [];
  const wl: number[] = [];
  const rule = new Uint8Array(nt);
  const locate =
    source.kind === "rectilinear"
      ? rectilinearLocator(source, options.extrapolate ?? isGlobalLon(source))
      : curvilinearLocator(source, options.extrapolate ?? true);
  for (let t = 0; t < nt; t++) {
    const [la, lo] = cellCenter(target, t);
    const found = locate(la * RAD, lo * RAD);
    if (found === undefined) continue;
    rule[t] = found.renormalize ? RULE_RENORMALIZE : RULE_ALL;
    for (let k = 0; k < 4; k++) {
      tl.push(t);
      sl.push(found.adds[k]);
      wl.push(found.weights[k]);
    }
  }
  return fromLinks("bilinear", gridSize(source), nt, { target: tl, source: sl, weight: wl }, rule);
}

interface Located {
  adds: number[];
  weights: number[];
  /** True for the distance-weighted fallback, which averages the valid points it has. */
  renormalize: boolean;
}

type Locator = (plat: number, plon: number) => Located | undefined;

const PI2 = 2 * Math.PI;

/** Weights from local coordinates. */
function quadWeights(iw: number, jw: number): number[] {
  return [(1 - iw) * (1 - jw), iw * (1 - jw), iw * jw, (1 - iw) * jw];
}

/** A regular longitude–latitude source: cells found by binary search on each axis. */
function rectilinearLocator(g: SphericalGrid, extrapolate: boolean): Locator {
  const cyclic = isGlobalLon(g);
  const nx = g.nx;
  const nxm = cyclic ? nx + 1 : nx;
  const xm = new Float64Array(nxm);
  for (let i = 0; i < nx; i++) xm[i] = g.lon[i] * RAD;
  if (cyclic) xm[nx] = xm[0] + PI2;
  const ym = Float64Array.from(g.lat, (v) => v * RAD);
  return (plat, plon0) => {
    let plon = plon0;
    if (plon < xm[0]) plon += PI2;
    if (plon > xm[nxm - 1]) plon -= PI2;
    const ii = findInterval(xm, plon);
    const jj = findInterval(ym, plat);
    if (ii >= 0 && jj >= 0) {
      const iix = cyclic && ii + 1 === nxm - 1 ? 0 : ii + 1;
      const adds = [jj * nx + ii, jj * nx + iix, (jj + 1) * nx + iix, (jj + 1) * nx + ii];
      const iw = (plon - xm[ii]) / (xm[ii + 1] - xm[ii]);
      const jw = (plat - ym[jj]) / (ym[jj + 1] - ym[jj]);
      return { adds, weights: quadWeights(iw, jw), renormalize: false };
    }
    if (!extrapolate) return undefined;
    return nearestFourRectilinear(g, plat, plon, xm, ym);
  };
}

/** Index k with v in [a[k], a[k+1]] for monotonic `a` (either direction), or −1. */
function findInterval(a: Float64Array, v: number): number {
  const n = a.length;
  if (n < 2) return -1;
  const up = a[n - 1] > a[0];
  if (up ? v < a[0] || v > a[n - 1] : v > a[0] || v < a[n - 1]) return -1;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (up ? a[m] <= v : a[m] >= v) lo = m;
    else hi = m;
  }
  return lo;
}

/**
 * CDO's fallback for a regular grid: the four nearest centres among the two rows next to
 * the pole (all rows' edge columns when the point is off the longitude range), weighted
 * by inverse great-circle distance.
 */
function nearestFourRectilinear(
  g: SphericalGrid,
  plat: number,
  plon: number,
  xm: Float64Array,
  ym: Float64Array,
): Located | undefined {
  const nx = g.nx;
  const ny = g.ny;
  let jf = 0;
  let jl = ny - 1;
  if (plon >= xm[0] && plon <= xm[nx - 1]) {
    const nearFirst = ym[0] < ym[ny - 1] ? plat <= ym[0] : plat >= ym[0];
    if (nearFirst) {
      jf = 0;
      jl = ny === 1 ? 0 : 1;
    } else {
      jf = ny === 1 ? 0 : ny - 2;
      jl = ny - 1;
    }
  }
  const cl = Math.cos(plat);
  const sl = Math.sin(plat);
  const cosLon = Math.cos(plon);
  const sinLon = Math.sin(plon);
  const adds: number[] = [];
  const dist: number[] = [];
  for (let jj = jf; jj <= jl; jj++) {
    const c = cl * Math.cos(ym[jj]);
    const s = sl * Math.sin(ym[jj]);
    const skip = jj > 1 && jj < ny - 2;
    for (let ii = 0; ii < nx; ii++) {
      if (skip && ii > 1 && ii < nx - 2) continue;
      const cc = cosLon * Math.cos(xm[ii]) + sinLon * Math.sin(xm[ii]);
      const d = Math.acos(Math.max(-1, Math.min(1, c * cc + s)));
      insertNearest(adds, dist, jj * nx + ii, d);
    }
  }
  if (adds.length < 4) return undefined;
  return { adds, weights: inverseDistance(dist), renormalize: true };
}

/** Keep the four smallest distances; a later equal distance does not displace an earlier one. */
function insertNearest(adds: number[], dist: number[], add: number, d: number): void {
  let pos = adds.length;
  while (pos > 0 && dist[pos - 1] > d) pos--;
  if (pos >= 4) return;
  adds.splice(pos, 0, add);
  dist.splice(pos, 0, d);
  if (adds.length > 4) {
    adds.pop();
    dist.pop();
  }
}

function inverseDistance(dist: number[]): number[] {
  const w = dist.map((d) => 1 / (d + TINY));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/** A curvilinear source: start from the nearest centre, test the four quads around it. */
function curvilinearLocator(g: SphericalGrid, extrapolate: boolean): Locator {
  const index = new PointIndex(g.lat, g.lon);
  const nx = g.nx;
  const ny = g.ny;
  const lon = Float64Array.from(g.lon, (v) => v * RAD);
  const lat = Float64Array.from(g.lat, (v) => v * RAD);
  const cyclic = isCyclicCurvilinear(g);
  return (plat, plon) => {
    const near = index.nearest(plat / RAD, plon / RAD, extrapolate ? 4 : 1);
    const first = near.index[0];
    if (first === undefined) return undefined;
    const j0 = Math.floor(first / nx);
    const i0 = first - j0 * nx;
    for (let k = 0; k < 4; k++) {
      let i = i0;
      let j = j0;
      if (k === 1 || k === 3) i = i > 0 ? i - 1 : cyclic ? nx - 1 : 0;
      if (k === 2 || k === 3) j = j > 0 ? j - 1 : 0;
      const ip1 = i < nx - 1 ? i + 1 : cyclic ? 0 : i;
      const jp1 = j < ny - 1 ? j + 1 : j;
      if (i === ip1 || j === jp1) continue;
      const adds = [j * nx + i, j * nx + ip1, jp1 * nx + ip1, jp1 * nx + i];
      const lons = adds.map((a) => lon[a]);
      const lats = adds.map((a) => lat[a]);
      if (!inQuad(plon, plat, lons, lats)) continue;
      // As CDO: the first quad that holds the point decides, even if the iteration fails.
      const ij = findIJ(plon, plat, lons, lats);
      if (ij === undefined) return undefined;
      return { adds, weights: quadWeights(ij[0], ij[1]), renormalize: false };
    }
    if (!extrapolate || near.index.length < 4) return undefined;
    return { adds: near.index, weights: inverseDistance(near.chord), renormalize: true };
  };
}

/** Curvilinear rows that close on themselves in longitude (first column follows the last). */
function isCyclicCurvilinear(g: SphericalGrid): boolean {
  const nx = g.nx;
  if (nx < 3) return false;
  // Compare the step across the seam with the steps inside each row.
  for (let j = 0; j < g.ny; j += Math.max(1, Math.floor(g.ny / 8))) {
    const r = j * nx;
    const seam = Math.abs(wrap180(g.lon[r] - g.lon[r + nx - 1]));
    const inner = Math.abs(wrap180(g.lon[r + 1] - g.lon[r]));
    if (!(seam < 2.5 * inner + 1e-9)) return false;
  }
  return true;
}

function wrap180(d: number): number {
  let x = d % 360;
  if (x > 180) x -= 360;
  if (x <= -180) x += 360;
  return x;
}

/** SCRIP's point-in-quadrilateral test in the longitude–latitude plane (lons adjusted in place). */
function inQuad(plon: number, plat: number, lons: number[], lats: number[]): boolean {
  const v = lons[0] - plon;
  if (v > Math.PI) lons[0] -= PI2;
  else if (v < -Math.PI) lons[0] += PI2;
  for (let n = 1; n < 4; n++) {
    const d = lons[n] - lons[0];
    if (d > Math.PI) lons[n] -= PI2;
    else if (d < -Math.PI) lons[n] += PI2;
  }
  const signs: number[] = [];
  for (let n = 0; n < 4; n++) {
    const m = (n + 1) % 4;
    const v1lat = lats[m] - lats[n];
    let v1lon = lons[m] - lons[n];
    const v2lat = plat - lats[n];
    let v2lon = plon - lons[n];
    if (v1lon > 1.5 * Math.PI) v1lon -= PI2;
    else if (v1lon < -1.5 * Math.PI) v1lon += PI2;
    if (v2lon > 1.5 * Math.PI) v2lon -= PI2;
    else if (v2lon < -1.5 * Math.PI) v2lon += PI2;
    const c = v1lon * v2lat - v2lon * v1lat;
    signs.push(c < 0 ? -1 : c > 0 ? 1 : 0);
  }
  return signs.every((s) => s >= 0) || signs.every((s) => s <= 0);
}

/** SCRIP's Newton iteration for the local coordinates (i, j) of a point in a quad. */
function findIJ(
  plon: number,
  plat: number,
  lons: number[],
  lats: number[],
): [number, number] | undefined {
  const converge = 1e-10;
  const dth1 = lats[1] - lats[0];
  const dth2 = lats[3] - lats[0];
  const dth3 = lats[2] - lats[1] - dth2;
  let dph1 = lons[1] - lons[0];
  let dph2 = lons[3] - lons[0];
  let dph3 = lons[2] - lons[1];
  const fix = (d: number) => (d > 1.5 * Math.PI ? d - PI2 : d < -1.5 * Math.PI ? d + PI2 : d);
  dph1 = fix(dph1);
  dph2 = fix(dph2);
  dph3 = fix(dph3);
  dph3 -= dph2;
  let iw = 0.5;
  let jw = 0.5;
  for (let iter = 0; iter < 100; iter++) {
    const dthp = plat - lats[0] - dth1 * iw - dth2 * jw - dth3 * iw * jw;
    const dphp = fix(plon - lons[0]) - dph1 * iw - dph2 * jw - dph3 * iw * jw;
    const mat1 = dth1 + dth3 * jw;
    const mat2 = dth2 + dth3 * iw;
    const mat3 = dph1 + dph3 * jw;
    const mat4 = dph2 + dph3 * iw;
    const det = mat1 * mat4 - mat2 * mat3;
    const deli = (dthp * mat4 - mat2 * dphp) / det;
    const delj = (mat1 * dphp - dthp * mat3) / det;
    if (Math.abs(deli) < converge && Math.abs(delj) < converge) return [iw, jw];
    iw += deli;
    jw += delj;
  }
  return undefined;
}
