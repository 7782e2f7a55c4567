/**
 * Strong-Wolfe line search with cubic interpolation: bracketing followed by the
 * zoom of Nocedal & Wright (Algorithms 3.5 and 3.6), in the form used by
 * PyTorch's `_strong_wolfe`. Works on flat float64 vectors.
 */

/** Value and gradient of the objective at a point. */
export interface Evaluation {
  f: number;
  g: Float64Array;
}

/** Evaluates the objective at `x + t·d`. */
export type LineFunction = (t: number) => Evaluation;

/** Options of {@link strongWolfe}. */
export interface LineSearchOptions {
  /** Sufficient-decrease constant (default 1e-4). */
  c1?: number;
  /** Curvature constant (default 0.9). */
  c2?: number;
  /**
   * Stop zooming when the bracket, times max|d|, is narrower than this (default 0:
   * only a bracket collapsed to rounding stops; torch's absolute 1e-9 stalls
   * L-BFGS once steps get that small near a minimum).
   */
  tolChange?: number;
  /** Maximum number of evaluations (default 25). */
  maxEvals?: number;
}

/** Result of {@link strongWolfe}: the accepted step and the evaluation there. */
export interface LineSearchResult extends Evaluation {
  /** Accepted step length. */
  t: number;
  /** Number of objective evaluations made. */
  nfev: number;
  /** True when the strong Wolfe conditions hold at `t`. */
  wolfe: boolean;
}

/**
 * Minimiser of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), clamped to
 * `[lo, hi]` (default: between x1 and x2); the midpoint when the cubic has none.
 */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  lo = Math.min(x1, x2),
  hi = Math.max(x1, x2),
): number {
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const m =
      x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    // Overflowing or infinite function values give no usable cubic: bisect.
    if (Number.isFinite(m)) return Math.min(Math.max(m, lo), hi);
  }
  return (lo + hi) / 2;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

interface Point {
  t: number;
  f: number;
  g: Float64Array;
  gtd: number;
}

/**
 * Finds a step `t` along the descent direction `d` from a point with value `f0`,
 * gradient `g0` and directional derivative `gtd0 = g0·d < 0`, starting at `t0`.
 * An infinite value at a trial point counts as "too far". Never evaluates more
 * than `maxEvals` times; when the Wolfe conditions are not met it returns the
 * best point found (`wolfe: false`).
 */
export function strongWolfe(
  phi: LineFunction,
  d: Float64Array,
  f0: number,
  g0: Float64Array,
  gtd0: number,
  t0: number,
  options: LineSearchOptions = {},
): LineSearchResult {
  const { c1 = 1e-4, c2 = 0.9, tolChange = 0, maxEvals = 25 } = options;
  let dNorm = 0;
  for (let i = 0; i < d.length; i++) dNorm = Math.max(dNorm, Math.abs(d[i]));
  const evalAt = (t: number): Point => {
    const e = phi(t);
    // NaN values are treated as +Inf so every comparison below rejects them.
    const f = Number.isNaN(e.f) ? Infinity : e.f;
    return { t, f, g: e.g, gtd: Number.isFinite(f) ? dot(e.g, d) : Number.NaN };
  };
  const start: Point = { t: 0, f: f0, g: g0, gtd: gtd0 };
  const armijo = (p: Point) => p.f <= f0 + c1 * p.t * gtd0;
  const curvature = (p: Point) => Math.abs(p.gtd) <= -c2 * gtd0;

  let prev = start;
  let cur = evalAt(t0);
  let nfev = 1;
  let bracket: [Point, Point] | null = null;

  // Bracketing phase: grow the step until an interval is known to hold a Wolfe point.
  while (true) {
    if (!armijo(cur) || (nfev > 1 && cur.f >= prev.f)) {
      bracket = [prev, cur];
      break;
    }
    if (curvature(cur)) return { t: cur.t, f: cur.f, g: cur.g, nfev, wolfe: true };
    if (cur.gtd >= 0) {
      bracket = [prev, cur];
      break;
    }
    if (nfev >= maxEvals) return { t: cur.t, f: cur.f, g: cur.g, nfev, wolfe: false };
    const t = cubicInterpolate(
      prev.t,
      prev.f,
      prev.gtd,
      cur.t,
      cur.f,
      cur.gtd,
      cur.t + 0.01 * (cur.t - prev.t),
      cur.t * 10,
    );
    prev = cur;
    cur = evalAt(t);
    nfev++;
  }

  // Zoom phase: shrink the bracket; `lo` always holds the lowest value seen.
  let [lo, hi] = bracket[0].f <= bracket[1].f ? bracket : [bracket[1], bracket[0]];
  let insufficientProgress = false;
  while (nfev < maxEvals) {
    const width = Math.abs(hi.t - lo.t);
    if (
      width * dNorm < tolChange ||
      width <= Number.EPSILON * Math.max(Math.abs(lo.t), Math.abs(hi.t))
    )
      break;
    const a = Math.min(lo.t, hi.t);
    const b = Math.max(lo.t, hi.t);
    let t = cubicInterpolate(lo.t, lo.f, lo.gtd, hi.t, hi.f, hi.gtd);
    // Keep trial steps away from the bracket ends so the bracket really shrinks.
    const eps = 0.1 * (b - a);
    if (Math.min(b - t, t - a) < eps) {
      if (insufficientProgress || t >= b || t <= a) {
        t = Math.abs(t - b) < Math.abs(t - a) ? b - eps : a + eps;
        insufficientProgress = false;
      } else insufficientProgress = true;
    } else insufficientProgress = false;
    const p = evalAt(t);
    nfev++;
    if (!armijo(p) || p.f >= lo.f) {
      hi = p;
    } else {
      if (curvature(p)) return { t: p.t, f: p.f, g: p.g, nfev, wolfe: true };
      if (p.gtd * (hi.t - lo.t) >= 0) hi = lo;
      lo = p;
    }
    if (hi.f < lo.f) [lo, hi] = [hi, lo];
  }
  return { t: lo.t, f: lo.f, g: lo.g, nfev, wolfe: false };
}
