import { overlapArea, type Polygon } from "./clip.js";
import { RegridError } from "./errors.js";
import { axisBounds, curvilinearCorners, type SphericalGrid } from "./grid.js";
import { GREAT_CIRCLE, polygonArea, RAD, toVec, type Vec3 } from "./sphere.js";
import { fromLinks, type RemapWeights, RULE_RENORMALIZE, RULE_SUM } from "./weights.js";

/** Options of {@link conservativeWeights}. */
export interface ConservativeOptions {
  /**
   * How a target value is normalised (CDO's names): `fracarea` (default) divides by the
   * valid overlap, so a coastal cell keeps the mean of its ocean part; `destarea` divides
   * by the whole target cell area (values shrink where sources are missing).
   */
  normalize?: "fracarea" | "destarea";
}

/** Overlaps of two sets of intervals on a circle or a line: `[i, j, length]` triples. */
function intervalOverlaps(
  a: Float64Array,
  b: Float64Array,
  period: number | undefined,
  map: (x: number) => number,
): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  const na = a.length / 2;
  const nb = b.length / 2;
  // Sort the b intervals by their start so each a interval scans only nearby ones.
  const bLo = new Float64Array(nb);
  const bHi = new Float64Array(nb);
  for (let j = 0; j < nb; j++) {
    bLo[j] = Math.min(b[2 * j], b[2 * j + 1]);
    bHi[j] = Math.max(b[2 * j], b[2 * j + 1]);
  }
  const order = Array.from({ length: nb }, (_, j) => j).sort((x, y) => bLo[x] - bLo[y]);
  const sortedLo = Float64Array.from(order, (j) => bLo[j]);
  let maxWidth = 0;
  for (let j = 0; j < nb; j++) maxWidth = Math.max(maxWidth, bHi[j] - bLo[j]);
  const shifts = period === undefined ? [0] : [-2 * period, -period, 0, period, 2 * period];
  for (let i = 0; i < na; i++) {
    const lo = Math.min(a[2 * i], a[2 * i + 1]);
    const hi = Math.max(a[2 * i], a[2 * i + 1]);
    for (const s of shifts) {
      // b intervals shifted by s that can touch [lo, hi]: start in [lo − s − maxWidth, hi − s).
      let k = lowerBound(sortedLo, lo - s - maxWidth);
      for (; k < nb && sortedLo[k] < hi - s; k++) {
        const j = order[k];
        const l = Math.max(lo, bLo[j] + s);
        const h = Math.min(hi, bHi[j] + s);
        if (h > l) {
          const len = map(h) - map(l);
          if (len > 0) out.push([i, j, len]);
        }
      }
    }
  }
  return out;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[m] < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Area (steradians) of each cell of a rectilinear grid, exact: Δλ (sin φ₂ − sin φ₁). */
export function rectilinearAreas(g: SphericalGrid): Float64Array {
  const latB = axisBounds(g.lat, g.latBounds, true);
  const lonB = axisBounds(g.lon, g.lonBounds, false);
  const out = new Float64Array(g.ny * g.nx);
  for (let j = 0; j < g.ny; j++) {
    const s = Math.abs(Math.sin(latB[2 * j + 1] * RAD) - Math.sin(latB[2 * j] * RAD));
    for (let i = 0; i < g.nx; i++) {
      out[j * g.nx + i] = s * Math.abs(lonB[2 * i + 1] - lonB[2 * i]) * RAD;
    }
  }
  return out;
}

/**
 * First-order conservative weights (Jones 1999, as CDO's `remapcon`): each link is the
 * area of the overlap of a source and a target cell divided by the target cell's area,
 * computed exactly on the sphere. Rectilinear cells are bounded by meridians and circles
 * of latitude; curvilinear cells by great circles through their corners (from the file,
 * or {@link curvilinearCorners} when it has none).
 *
 * @throws RegridError `INVALID_GRID` when the target is not rectilinear
 */
export function conservativeWeights(
  source: SphericalGrid,
  target: SphericalGrid,
  options: ConservativeOptions = {},
): RemapWeights {
  if (target.kind !== "rectilinear") {
    throw new RegridError("INVALID_GRID", "conservative regridding needs a rectilinear target");
  }
  const normalize = options.normalize ?? "fracarea";
  if (normalize !== "fracarea" && normalize !== "destarea") {
    throw new RegridError(
      "INVALID_ARGUMENT",
      `normalize must be 'fracarea' or 'destarea', got '${String(normalize)}'`,
    );
  }
  const rule = normalize === "fracarea" ? RULE_RENORMALIZE : RULE_SUM;
  const tArea = rectilinearAreas(target);
  const links =
    source.kind === "rectilinear"
      ? rectilinearLinks(source, target)
      : curvilinearLinks(source, target);
  for (let k = 0; k < links.weight.length; k++) links.weight[k] /= tArea[links.target[k]];
  return fromLinks("conservative", source.ny * source.nx, target.ny * target.nx, links, rule);
}

interface Links {
  target: Int32Array;
  source: Int32Array;
  weight: Float64Array;
}

/** Rectilinear to rectilinear: overlaps are products of a longitude and a latitude overlap. */
function rectilinearLinks(source: SphericalGrid, target: SphericalGrid): Links {
  const lonOv = intervalOverlaps(
    axisBounds(target.lon, target.lonBounds, false),
    axisBounds(source.lon, source.lonBounds, false),
    360,
    (x) => x * RAD,
  );
  const latOv = intervalOverlaps(
    axisBounds(target.lat, target.latBounds, true),
    axisBounds(source.lat, source.latBounds, true),
    undefined,
    (x) => Math.sin(x * RAD),
  );
  const byTargetLon = groupBy(lonOv, target.nx);
  const byTargetLat = groupBy(latOv, target.ny);
  let n = 0;
  for (let j = 0; j < target.ny; j++) {
    for (let i = 0; i < target.nx; i++) n += byTargetLat[j].length * byTargetLon[i].length;
  }
  const out: Links = {
    target: new Int32Array(n),
    source: new Int32Array(n),
    weight: new Float64Array(n),
  };
  let k = 0;
  for (let j = 0; j < target.ny; j++) {
    for (let i = 0; i < target.nx; i++) {
      const t = j * target.nx + i;
      for (const [, sj, dz] of byTargetLat[j]) {
        for (const [, si, dl] of byTargetLon[i]) {
          out.target[k] = t;
          out.source[k] = sj * source.nx + si;
          out.weight[k] = dz * dl;
          k++;
        }
      }
    }
  }
  return out;
}

function groupBy(
  triples: Array<[number, number, number]>,
  n: number,
): Array<Array<[number, number, number]>> {
  const out: Array<Array<[number, number, number]>> = Array.from({ length: n }, () => []);
  for (const t of triples) out[t[0]].push(t);
  return out;
}

/** Curvilinear source cells (great-circle quadrilaterals) clipped against target boxes. */
function curvilinearLinks(source: SphericalGrid, target: SphericalGrid): Links {
  let cLat = source.latBounds;
  let cLon = source.lonBounds;
  if (cLat === undefined || cLon === undefined) {
    // No corners in the file: compute them from the centres (CDO would refuse).
    const corners = curvilinearCorners(source);
    cLat = corners.lat;
    cLon = corners.lon;
  }
  const nc = cLat.length / (source.ny * source.nx);
  const tLatB = axisBounds(target.lat, target.latBounds, true);
  const tLonB = axisBounds(target.lon, target.lonBounds, false);
  // Target rows sorted by latitude, so a source cell scans only the rows it can touch.
  const rows = Array.from({ length: target.ny }, (_, j) => j).sort(
    (a, b) => Math.min(tLatB[2 * a], tLatB[2 * a + 1]) - Math.min(tLatB[2 * b], tLatB[2 * b + 1]),
  );
  const rowLo = Float64Array.from(rows, (j) => Math.min(tLatB[2 * j], tLatB[2 * j + 1]));
  const rowHi = Float64Array.from(rows, (j) => Math.max(tLatB[2 * j], tLatB[2 * j + 1]));
  let maxRow = 0;
  for (let r = 0; r < rows.length; r++) maxRow = Math.max(maxRow, rowHi[r] - rowLo[r]);
  // Target columns sorted by their western edge, for the same reason.
  const cols = Array.from({ length: target.nx }, (_, i) => i).sort(
    (a, b) => Math.min(tLonB[2 * a], tLonB[2 * a + 1]) - Math.min(tLonB[2 * b], tLonB[2 * b + 1]),
  );
  const colLo = Float64Array.from(cols, (i) => Math.min(tLonB[2 * i], tLonB[2 * i + 1]));
  const colHi = Float64Array.from(cols, (i) => Math.max(tLonB[2 * i], tLonB[2 * i + 1]));
  let maxCol = 0;
  for (let c = 0; c < cols.length; c++) maxCol = Math.max(maxCol, colHi[c] - colLo[c]);
  const seen = new Int32Array(target.nx).fill(-1);
  const candidates: number[] = [];
  const tl: number[] = [];
  const sl: number[] = [];
  const wl: number[] = [];
  const size = source.ny * source.nx;
  for (let s = 0; s < size; s++) {
    const poly = sourcePolygon(cLat, cLon, s, nc);
    if (poly === undefined) continue;
    const box = boundingBox(poly.points);
    // Columns overlapping the box's longitudes, modulo 360.
    candidates.length = 0;
    if (box.allLon) {
      for (let c = 0; c < cols.length; c++) candidates.push(c);
    } else {
      for (const shift of [-720, -360, 0, 360, 720]) {
        let c = lowerBound(colLo, box.lonMin - shift - maxCol);
        for (; c < cols.length && colLo[c] + shift < box.lonMax; c++) {
          if (colHi[c] + shift > box.lonMin && seen[c] !== s) {
            seen[c] = s;
            candidates.push(c);
          }
        }
      }
    }
    if (candidates.length === 0) continue;
    // Latitude rows overlapping the box.
    let r = lowerBound(rowLo, box.latMin - maxRow);
    for (; r < rows.length && rowLo[r] < box.latMax; r++) {
      if (rowHi[r] <= box.latMin) continue;
      const j = rows[r];
      const z0 = rowLo[r] <= -90 ? -1 : Math.sin(rowLo[r] * RAD);
      const z1 = rowHi[r] >= 90 ? 1 : Math.sin(rowHi[r] * RAD);
      for (const c of candidates) {
        const area = overlapArea(poly, colLo[c] * RAD, colHi[c] * RAD, z0, z1);
        if (area > 0) {
          tl.push(j * target.nx + cols[c]);
          sl.push(s);
          wl.push(area);
        }
      }
    }
  }
  return {
    target: Int32Array.from(tl),
    source: Int32Array.from(sl),
    weight: Float64Array.from(wl),
  };
}

/** The source cell as a counter-clockwise polygon, repeated corners dropped; undefined if degenerate. */
function sourcePolygon(
  cLat: Float64Array,
  cLon: Float64Array,
  s: number,
  nc: number,
): Polygon | undefined {
  const points: Vec3[] = [];
  for (let c = 0; c < nc; c++) {
    const la = cLat[s * nc + c];
    const lo = cLon[s * nc + c];
    if (!Number.isFinite(la) || !Number.isFinite(lo)) return undefined;
    const p = toVec(la, lo);
    const last = points[points.length - 1];
    if (
      last !== undefined &&
      Math.abs(last[0] - p[0]) + Math.abs(last[1] - p[1]) + Math.abs(last[2] - p[2]) < 1e-14
    )
      continue;
    points.push(p);
  }
  while (points.length > 1) {
    const a = points[0];
    const p = points[points.length - 1];
    if (Math.abs(a[0] - p[0]) + Math.abs(a[1] - p[1]) + Math.abs(a[2] - p[2]) < 1e-14) points.pop();
    else break;
  }
  if (points.length < 3) return undefined;
  const edges = points.map(() => GREAT_CIRCLE);
  const area = polygonArea(points, edges);
  if (area === 0 || !Number.isFinite(area)) return undefined;
  if (area < 0) points.reverse();
  return { points, edges };
}

/** Latitude/longitude box (degrees) of a great-circle polygon, bulging edges included. */
function boundingBox(points: Vec3[]): {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
  allLon: boolean;
} {
  let zMin = Number.POSITIVE_INFINITY;
  let zMax = Number.NEGATIVE_INFINITY;
  const n = points.length;
  const lon0 = Math.atan2(points[0][1], points[0][0]);
  let lMin = 0;
  let lMax = 0;
  let l = 0;
  let prev = lon0;
  for (let k = 0; k < n; k++) {
    const a = points[k];
    const b = points[(k + 1) % n];
    zMin = Math.min(zMin, a[2]);
    zMax = Math.max(zMax, a[2]);
    // Extremes of z along the arc a→b.
    const ab = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    const w: Vec3 = [b[0] - ab * a[0], b[1] - ab * a[1], b[2] - ab * a[2]];
    const wn = Math.hypot(w[0], w[1], w[2]);
    if (wn > 1e-15) {
      const thetaB = Math.atan2((b[0] * w[0] + b[1] * w[1] + b[2] * w[2]) / wn, ab);
      const A = Math.hypot(a[2], w[2] / wn);
      const t0 = Math.atan2(w[2] / wn, a[2]);
      for (const [t, v] of [
        [t0, A],
        [t0 + Math.PI, -A],
        [t0 - Math.PI, -A],
      ]) {
        if (t > 0 && t < thetaB) {
          zMin = Math.min(zMin, v);
          zMax = Math.max(zMax, v);
        }
      }
    }
    if (k > 0) {
      let d = Math.atan2(a[1], a[0]) - prev;
      while (d > Math.PI) d -= 2 * Math.PI;
      while (d <= -Math.PI) d += 2 * Math.PI;
      l += d;
      lMin = Math.min(lMin, l);
      lMax = Math.max(lMax, l);
    }
    prev = Math.atan2(a[1], a[0]);
  }
  // Closing the loop: a winding of ±2π means the cell holds a pole.
  let d = lon0 - prev;
  while (d > Math.PI) d -= 2 * Math.PI;
  while (d <= -Math.PI) d += 2 * Math.PI;
  const winding = l + d;
  const allLon = Math.abs(winding) > Math.PI;
  if (allLon) {
    if (zMax > 0) zMax = 1;
    else zMin = -1;
  }
  const deg = 1 / RAD;
  return {
    latMin: Math.asin(Math.max(-1, Math.min(1, zMin))) * deg - 1e-9,
    latMax: Math.asin(Math.max(-1, Math.min(1, zMax))) * deg + 1e-9,
    lonMin: (lon0 + lMin) * deg,
    lonMax: (lon0 + lMax) * deg,
    allLon,
  };
}
