/**
 * Geometry on the unit sphere: points as 3-D unit vectors, great-circle distances and
 * exact areas of spherical polygons whose edges are great circles or circles of latitude.
 */

/** Radians per degree. */
export const RAD = Math.PI / 180;

/** A point on the unit sphere. */
export type Vec3 = [number, number, number];

/** Unit vector of a (latitude, longitude) in degrees. */
export function toVec(latDeg: number, lonDeg: number): Vec3 {
  const phi = latDeg * RAD;
  const lam = lonDeg * RAD;
  const c = Math.cos(phi);
  return [c * Math.cos(lam), c * Math.sin(lam), Math.sin(phi)];
}

/** Longitude of a unit vector, radians in (−π, π]. */
export function lonOf(p: Vec3): number {
  return Math.atan2(p[1], p[0]);
}

/** Dot product. */
export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Cross product. */
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** `v` scaled to unit length. */
export function normalize(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** Great-circle distance in radians between two (lat, lon) points in degrees. */
export function arcDistance(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const p1 = lat1 * RAD;
  const p2 = lat2 * RAD;
  const c =
    Math.sin(p1) * Math.sin(p2) + Math.cos(p1) * Math.cos(p2) * Math.cos((lon1 - lon2) * RAD);
  return Math.acos(Math.min(1, Math.max(-1, c)));
}

/** Longitude difference `b − a` in radians wrapped to (−π, π]. */
export function wrapPi(d: number): number {
  let x = d;
  while (x > Math.PI) x -= 2 * Math.PI;
  while (x <= -Math.PI) x += 2 * Math.PI;
  return x;
}

/** How a polygon edge runs from its vertex to the next one. */
export const GREAT_CIRCLE = 0;
/** The edge follows the circle of latitude through both ends. */
export const LAT_CIRCLE = 1;

/**
 * Signed area (steradians) of a spherical polygon, positive when its vertices run
 * counter-clockwise seen from outside the sphere. `edges[k]` says how the edge from
 * vertex k to vertex k+1 runs. Each edge adds the signed area between itself and the pole
 * of the polygon's hemisphere (an exact spherical triangle for a great circle, a sector of
 * a polar cap for a circle of latitude), so the sum is exact for polygons that do not
 * contain that pole.
 */
export function polygonArea(points: readonly Vec3[], edges: readonly number[]): number {
  const n = points.length;
  if (n < 3) return 0;
  let zsum = 0;
  for (const p of points) zsum += p[2];
  const north = zsum >= 0;
  const pz = north ? 1 : -1;
  let area = 0;
  for (let k = 0; k < n; k++) {
    const a = points[k];
    const b = points[(k + 1) % n];
    if (edges[k] === LAT_CIRCLE) {
      const dl = wrapPi(lonOf(b) - lonOf(a));
      const z = 0.5 * (a[2] + b[2]);
      area += north ? (1 - z) * dl : -(1 + z) * dl;
    } else {
      // Triangle (pole, a, b), signed by orientation (Van Oosterom & Strackee 1983).
      const triple = pz * (a[0] * b[1] - a[1] * b[0]);
      const denom = 1 + pz * a[2] + pz * b[2] + dot(a, b);
      area += 2 * Math.atan2(triple, denom);
    }
  }
  return area;
}
