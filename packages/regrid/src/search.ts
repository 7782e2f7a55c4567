import { RAD } from "./sphere.js";

/**
 * Nearest-point search over points on the sphere: unit vectors bucketed in a uniform 3-D
 * voxel grid, searched in growing shells of voxels. Distances are chords, which order
 * points as great-circle distances do.
 */
export class PointIndex {
  private readonly xyz: Float64Array;
  private readonly m: number;
  private readonly h: number;
  private readonly head: Int32Array;
  private readonly next: Int32Array;
  /** Number of indexed points. */
  readonly size: number;

  /** Index points given as latitudes and longitudes in degrees; non-finite ones are skipped. */
  constructor(lat: ArrayLike<number>, lon: ArrayLike<number>) {
    const n = lat.length;
    this.size = n;
    this.xyz = new Float64Array(3 * n);
    for (let k = 0; k < n; k++) {
      const p = lat[k] * RAD;
      const l = lon[k] * RAD;
      const c = Math.cos(p);
      this.xyz[3 * k] = c * Math.cos(l);
      this.xyz[3 * k + 1] = c * Math.sin(l);
      this.xyz[3 * k + 2] = Math.sin(p);
    }
    // About two points per occupied voxel: spacing on the sphere is √(4π/n).
    const spacing = Math.sqrt((4 * Math.PI) / Math.max(1, n));
    this.m = Math.max(1, Math.min(256, Math.ceil(2 / (1.5 * spacing))));
    this.h = 2 / this.m;
    this.head = new Int32Array(this.m * this.m * this.m).fill(-1);
    this.next = new Int32Array(n).fill(-1);
    for (let k = 0; k < n; k++) {
      if (!Number.isFinite(this.xyz[3 * k]) || !Number.isFinite(this.xyz[3 * k + 2])) continue;
      const v = this.voxel(this.xyz[3 * k], this.xyz[3 * k + 1], this.xyz[3 * k + 2]);
      this.next[k] = this.head[v];
      this.head[v] = k;
    }
  }

  private cell(x: number): number {
    return Math.min(this.m - 1, Math.max(0, Math.floor((x + 1) / this.h)));
  }

  private voxel(x: number, y: number, z: number): number {
    return (this.cell(x) * this.m + this.cell(y)) * this.m + this.cell(z);
  }

  /**
   * The `k` nearest points to (lat, lon) in degrees, nearest first, with their chord
   * distances. Equal distances keep the lower index first.
   */
  nearest(lat: number, lon: number, k = 1): { index: number[]; chord: number[] } {
    const p = lat * RAD;
    const l = lon * RAD;
    const c = Math.cos(p);
    const x = c * Math.cos(l);
    const y = c * Math.sin(l);
    const z = Math.sin(p);
    const cx = this.cell(x);
    const cy = this.cell(y);
    const cz = this.cell(z);
    const idx: number[] = [];
    const d2: number[] = [];
    const m = this.m;
    for (let r = 0; r < m; r++) {
      for (let i = cx - r; i <= cx + r; i++) {
        if (i < 0 || i >= m) continue;
        for (let j = cy - r; j <= cy + r; j++) {
          if (j < 0 || j >= m) continue;
          const edgeIJ = i === cx - r || i === cx + r || j === cy - r || j === cy + r;
          for (let q = cz - r; q <= cz + r; q++) {
            if (q < 0 || q >= m) continue;
            // Only the shell at Chebyshev radius r: inner voxels were searched before.
            if (!edgeIJ && q !== cz - r && q !== cz + r) continue;
            for (let t = this.head[(i * m + j) * m + q]; t >= 0; t = this.next[t]) {
              const dx = this.xyz[3 * t] - x;
              const dy = this.xyz[3 * t + 1] - y;
              const dz = this.xyz[3 * t + 2] - z;
              insert(idx, d2, t, dx * dx + dy * dy + dz * dz, k);
            }
          }
        }
      }
      // Any point beyond this shell is at least r·h away from the query.
      if (idx.length === k && Math.sqrt(d2[k - 1]) <= r * this.h) break;
    }
    return { index: idx, chord: d2.map(Math.sqrt) };
  }
}

function insert(idx: number[], d2: number[], t: number, d: number, k: number): void {
  let pos = idx.length;
  while (pos > 0 && (d2[pos - 1] > d || (d2[pos - 1] === d && idx[pos - 1] > t))) pos--;
  if (pos >= k) return;
  idx.splice(pos, 0, t);
  d2.splice(pos, 0, d);
  if (idx.length > k) {
    idx.pop();
    d2.pop();
  }
}
