/** Area-weighted scores of a prediction against observations. */
export interface Metrics {
  /** Root mean squared error (same units as y). */
  rmse: number;
  /** Mean absolute error. */
  mae: number;
  /** Coefficient of determination, 1 − SSE/SST about the weighted mean. */
  r2: number;
}

/** Weighted RMSE, MAE and R² (weights: cell areas, so polar cells count less). */
export function metrics(
  y: ArrayLike<number>,
  yhat: ArrayLike<number>,
  w: ArrayLike<number>,
): Metrics {
  if (y.length !== yhat.length || y.length !== w.length || y.length === 0) {
    throw new RangeError(
      `metrics: lengths ${y.length}, ${yhat.length}, ${w.length} must agree and be > 0`,
    );
  }
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < y.length; i++) {
    sw += w[i];
    swy += w[i] * y[i];
  }
  const mean = swy / sw;
  let sse = 0;
  let sae = 0;
  let sst = 0;
  for (let i = 0; i < y.length; i++) {
    const e = y[i] - yhat[i];
    sse += w[i] * e * e;
    sae += w[i] * Math.abs(e);
    sst += w[i] * (y[i] - mean) ** 2;
  }
  return { rmse: Math.sqrt(sse / sw), mae: sae / sw, r2: 1 - sse / sst };
}

/** Area-weighted scores of class probabilities. */
export interface ClassScores {
  /** Share of rows whose most probable class is the true one. */
  accuracy: number;
  /** Mean negative log-probability of the true class (natural log). */
  logLoss: number;
  /** Mean over rows of Σₖ (pₖ − [y = k])². */
  brier: number;
}

/**
 * Weighted accuracy, log-loss and Brier score (for two classes the usual binary Brier
 * (p − y)², half the sum over both classes). `p` holds `k` probabilities per row
 * (row-major), `y` the true class 0…k−1. Probabilities are clipped to [1e-15, 1] in the
 * log-loss so a confident mistake costs 34.5, not infinity.
 */
export function classScores(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  k: number,
  w: ArrayLike<number>,
): ClassScores {
  const n = y.length;
  if (n === 0 || p.length !== n * k || w.length !== n) {
    throw new RangeError(
      `classScores: ${n} rows, ${p.length} probabilities (expected ${n}×${k}), ${w.length} weights`,
    );
  }
  let sw = 0;
  let hit = 0;
  let ll = 0;
  let brier = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    let b = 0;
    for (let c = 0; c < k; c++) {
      const pc = p[i * k + c];
      if (pc > p[i * k + best]) best = c;
      b += (pc - (c === y[i] ? 1 : 0)) ** 2;
    }
    sw += w[i];
    hit += best === y[i] ? w[i] : 0;
    ll -= w[i] * Math.log(Math.max(p[i * k + y[i]], 1e-15));
    brier += w[i] * b;
  }
  return { accuracy: hit / sw, logLoss: ll / sw, brier: brier / sw / (k === 2 ? 2 : 1) };
}
