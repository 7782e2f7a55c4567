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
