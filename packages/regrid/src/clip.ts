import { dot, GREAT_CIRCLE, LAT_CIRCLE, normalize, polygonArea, type Vec3 } from "./sphere.js";

/** A spherical polygon: vertices and how each edge runs to the next vertex. */
export interface Polygon {
  points: Vec3[];
  edges: number[];
}

/** Keep the half-space `normal · p ≥ 0` (a hemisphere bounded by a great circle). */
export function clipByPlane(poly: Polygon, normal: Vec3): Polygon {
  // Sutherland–Hodgman: every edge here is a great circle, and so is the boundary.
  const pts: Vec3[] = [];
  const n = poly.points.length;
  for (let k = 0; k < n; k++) {
    const a = poly.points[k];
    const b = poly.points[k + 1 === n ? 0 : k + 1];
    const da = dot(normal, a);
    const db = dot(normal, b);
    if (da >= 0) pts.push(a);
    if ((da >= 0 && db < 0) || (da < 0 && db > 0)) {
      const t = da / (da - db);
      pts.push(
        normalize([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])]),
      );
    }
  }
  const edges = new Array<number>(pts.length).fill(GREAT_CIRCLE);
  return { points: pts, edges };
}

/**
 * Keep the part of a polygon at or above (`above`) or at or below a latitude with
 * `sin(latitude) = z`. Great-circle edges are cut where they cross the circle of latitude
 * (up to twice: an arc can bulge poleward) and each piece is tested at its midpoint;
 * where the polygon leaves the region, a circle-of-latitude edge joins the exit to the
 * next entry.
 */
export function clipByLatitude(poly: Polygon, z: number, above: boolean): Polygon {
  const sign = above ? 1 : -1;
  const starts: Vec3[] = [];
  const kinds: number[] = [];
  const inside: boolean[] = [];
  const n = poly.points.length;
  const r = Math.sqrt(Math.max(0, 1 - z * z));
  for (let k = 0; k < n; k++) {
    const a = poly.points[k];
    const b = poly.points[k + 1 === n ? 0 : k + 1];
    const e = poly.edges[k];
    if (e === LAT_CIRCLE) {
      starts.push(a);
      kinds.push(e);
      inside.push(sign * (a[2] - z) >= 0);
      continue;
    }
    const ab = dot(a, b);
    const wx = b[0] - ab * a[0];
    const wy = b[1] - ab * a[1];
    const wz = b[2] - ab * a[2];
    const wn = Math.hypot(wx, wy, wz);
    if (wn < 1e-15) {
      starts.push(a);
      kinds.push(e);
      inside.push(sign * (a[2] + b[2] - 2 * z) >= 0);
      continue;
    }
    const w0 = wx / wn;
    const w1 = wy / wn;
    const w2 = wz / wn;
    const thetaB = Math.atan2(b[0] * w0 + b[1] * w1 + b[2] * w2, ab);
    // Along the arc z(θ) = a_z cos θ + w_z sin θ = A cos(θ − θ0).
    const A = Math.hypot(a[2], w2);
    let r1 = -1;
    let r2 = -1;
    if (A > 0 && Math.abs(z) < A) {
      const t0 = Math.atan2(w2, a[2]);
      const d = Math.acos(z / A);
      const t1 = wrap2pi(t0 - d);
      const t2 = wrap2pi(t0 + d);
      const ok1 = t1 > 0 && t1 < thetaB;
      const ok2 = t2 > 0 && t2 < thetaB;
      if (ok1 && ok2) {
        r1 = Math.min(t1, t2);
        r2 = Math.max(t1, t2);
      } else if (ok1) r1 = t1;
      else if (ok2) r1 = t2;
    }
    let prev = 0;
    for (const t of [r1, r2, thetaB]) {
      if (t < 0) continue;
      const m = 0.5 * (prev + t);
      const zm = Math.cos(m) * a[2] + Math.sin(m) * w2;
      if (prev === 0) starts.push(a);
      else {
        // Cut point, put exactly on the circle so the boundary edge's area is exact.
        const px = Math.cos(prev) * a[0] + Math.sin(prev) * w0;
        const py = Math.cos(prev) * a[1] + Math.sin(prev) * w1;
        const h = Math.hypot(px, py);
        starts.push([(px / h) * r, (py / h) * r, z]);
      }
      kinds.push(e);
      inside.push(sign * (zm - z) >= 0);
      prev = t;
    }
  }
  const out: Polygon = { points: [], edges: [] };
  const m = starts.length;
  for (let k = 0; k < m; k++) {
    if (!inside[k]) continue;
    out.points.push(starts[k]);
    out.edges.push(kinds[k]);
    const next = k + 1 === m ? 0 : k + 1;
    if (!inside[next]) {
      out.points.push(starts[next]);
      out.edges.push(LAT_CIRCLE);
    }
  }
  return out;
}

function wrap2pi(t: number): number {
  let x = t;
  while (x < 0) x += 2 * Math.PI;
  while (x >= 2 * Math.PI) x -= 2 * Math.PI;
  return x;
}

/**
 * Area (steradians) of the intersection of a polygon with great-circle edges (a source
 * cell, counter-clockwise) and a longitude–latitude box (a target cell: meridians and
 * circles of latitude). Longitudes in radians with `lon1 − lon0` in (0, π).
 */
export function overlapArea(
  poly: Polygon,
  lon0: number,
  lon1: number,
  z0: number,
  z1: number,
): number {
  let p = clipByPlane(poly, [-Math.sin(lon0), Math.cos(lon0), 0]);
  if (p.points.length < 3) return 0;
  p = clipByPlane(p, [Math.sin(lon1), -Math.cos(lon1), 0]);
  if (p.points.length < 3) return 0;
  if (z0 > -1) {
    p = clipByLatitude(p, z0, true);
    if (p.points.length < 3) return 0;
  }
  if (z1 < 1) {
    p = clipByLatitude(p, z1, false);
    if (p.points.length < 3) return 0;
  }
  return Math.max(0, polygonArea(p.points, p.edges));
}
