import { type Calendar, type CFDatetime, type Coordinate, dayNumber, dayOfYear } from "@geoml/grid";
import { BatchError } from "./errors.js";

/** Columns a formula may use besides the grid's variables, one value per step. */
export interface TimeFeatures {
  /** Decimal years since the first step. */
  t: Float64Array;
  /** Calendar year. */
  year: Float64Array;
  /** Month, 1–12. */
  month: Float64Array;
  /** Day of the year, 1-based. */
  doy: Float64Array;
  /** The constant π, so `cos(2*pi*month/12)` reads as written. */
  pi: Float64Array;
}

/** Names of the {@link TimeFeatures}. */
export const TIME_FEATURES = ["t", "year", "month", "doy", "pi"] as const;

/** Mean length of a year in each calendar, in days: `t` counts in these years. */
const YEAR_DAYS: Record<Calendar, number> = {
  standard: 365.2425,
  proleptic_gregorian: 365.2425,
  julian: 365.25,
  noleap: 365,
  all_leap: 366,
  "360_day": 360,
};

/**
 * The time columns of a decoded time coordinate. `t` is the time since the first step
 * divided by the calendar's mean year (365.2425 days in the Gregorian calendars, 365.25
 * Julian, 365 `noleap`, 366 `all_leap`, 360 `360_day`).
 *
 * @throws BatchError `INVALID_ARGUMENT` when the coordinate has no decoded CF times
 */
export function timeFeatures(coord: Coordinate | undefined, along: string): TimeFeatures {
  const times = coord?.times;
  if (times === undefined || times.length !== coord!.values.length) {
    throw new BatchError(
      "INVALID_ARGUMENT",
      `'${along}' has no CF time units, so t, year, month and doy are not defined`,
      { variable: along },
    );
  }
  return featuresOf(times);
}

/** {@link TimeFeatures} of a list of date-times. */
export function featuresOf(times: readonly CFDatetime[]): TimeFeatures {
  const n = times.length;
  const f: TimeFeatures = {
    t: new Float64Array(n),
    year: new Float64Array(n),
    month: new Float64Array(n),
    doy: new Float64Array(n),
    pi: new Float64Array(n).fill(Math.PI),
  };
  if (n === 0) return f;
  const secondsOf = (x: CFDatetime) =>
    dayNumber(x.year, x.month, x.day, x.calendar) * 86400 +
    x.hour * 3600 +
    x.minute * 60 +
    x.second;
  const t0 = secondsOf(times[0]);
  const year = YEAR_DAYS[times[0].calendar] * 86400;
  times.forEach((x, i) => {
    f.t[i] = (secondsOf(x) - t0) / year;
    f.year[i] = x.year;
    f.month[i] = x.month;
    f.doy[i] = dayOfYear(x);
  });
  return f;
}
