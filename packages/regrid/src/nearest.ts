import { cellCenter, gridSize, type SphericalGrid } from "./grid.js";
import { PointIndex } from "./search.js";
import { RAD } from "./sphere.js";
import { fromLinks, type RemapWeights, RULE_ALL } from "./weights.js";

/**
 * Nearest-neighbour weights (CDO's `remapnn`): each target cell takes the value of the
 * source cell whose centre is nearest on the sphere, or NaN when that cell is missing.
 */
export function nearestWeights(source: SphericalGrid, target: SphericalGrid): RemapWeights {
  const nt = gridSize(target);
  const picks = new Int32Array(nt);
  if (source.kind === "rectilinear") {
    for (let t = 0; t < nt; t++) {
      const [la, lo] = cellCenter(target, t);
      picks[t] = nearestRectilinear(source, la, lo);
    }
  } else {
    const index = new PointIndex(source.lat, source.lon);
    for (let t = 0; t < nt; t++) {
      const [la, lo] = cellCenter(target, t);
      picks[t] = index.nearest(la, lo, 1).index[0] ?? 0;
    }
  }
  const ones = new Float64Array(nt).fill(1);
  const targets = Int32Array.from({ length: nt }, (_, t) => t);
  return fromLinks(
    "nearest",
    gridSize(source),
    nt,
    { target: targets, source: picks, weight: ones },
    RULE_ALL,
  );
}

/**
 * On a rectilinear grid the nearest longitude is the same on every row, so the search
 * is over rows only: O(ny) per target point.
 */
function nearestRectilinear(g: SphericalGrid, lat: number, lon: number): number {
  let bi = 0;
  let bd = Number.POSITIVE_INFINITY;
  for (let i = 0; i < g.nx; i++) {
    let d = Math.abs(g.lon[i] - lon) % 360;
    d = Math.min(d, 360 - d);
    if (d < bd) {
      bd = d;
      bi = i;
    }
  }
  const sp = Math.sin(lat * RAD);
  const cp = Math.cos(lat * RAD);
  const cl = Math.cos(bd * RAD);
  let bj = 0;
  let best = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < g.ny; j++) {
    const s = g.lat[j] * RAD;
    // cos(distance): larger is nearer.
    const c = sp * Math.sin(s) + cp * Math.cos(s) * cl;
    if (c > best) {
      best = c;
      bj = j;
    }
  }
  return bj * g.nx + bi;
}
