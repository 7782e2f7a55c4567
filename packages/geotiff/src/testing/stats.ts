/** Statistics the tests compare with GDAL's: NaN cells are not valid. */
export interface Stats {
  validCount: number;
  sum: number;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Valid count, sum (Neumaier-compensated, to match Python's exact `math.fsum`), min, max and mean, skipping NaN. */
export function statsOf(values: ArrayLike<number>): Stats {
  let n = 0;
  let sum = 0;
  let c = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    n++;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const total = sum + c;
  return n === 0
    ? { validCount: 0, sum: 0, min: null, max: null, mean: null }
    : { validCount: n, sum: total, min, max, mean: total / n };
}
