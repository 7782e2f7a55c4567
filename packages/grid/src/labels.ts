/**
 * Labels as users write them — numbers, strings, ISO 8601 dates, JS `Date`s and CF
 * date-times on any calendar — turned into the numeric domain of a coordinate, and
 * coordinate values turned back into readable labels (decoded dates) for messages.
 */
import { describe, isPlainObject } from "./args.js";
import type { Coordinate } from "./data-array.js";
import { GridError } from "./errors.js";
import {
  type Calendar,
  type CFDatetime,
  daysInMonth,
  decodeTimes,
  encodeTime,
  formatCFDatetime,
  isTimeUnits,
  parseCalendar,
} from "./time.js";
import { attrString } from "./types.js";

/** One label: a coordinate value, a string label, an ISO 8601 date, a `Date` or a CF date-time. */
export type Label = number | string | Date | CFDatetime;

/** True when `x` looks like a CF date-time (`{ year, month, day, … }`). */
export function isCFDatetime(x: unknown): x is CFDatetime {
  return (
    typeof x === "object" &&
    x !== null &&
    !(x instanceof Date) &&
    typeof (x as CFDatetime).year === "number" &&
    typeof (x as CFDatetime).month === "number"
  );
}

/** True when `x` is a single label (not a range or a list). */
export function isLabel(x: unknown): x is Label {
  return (
    typeof x === "number" ||
    typeof x === "string" ||
    x instanceof Date ||
    (isCFDatetime(x) && !isPlainRange(x))
  );
}

function isPlainRange(x: unknown): boolean {
  return isPlainObject(x) && ("from" in x || "to" in x || "step" in x);
}

/** True when a coordinate holds CF times (has `units: "<unit> since <date>"`). */
export function isTimeCoord(coord: Coordinate): boolean {
  return isTimeUnits(coord.attrs.units) || coord.times !== undefined;
}

function calendarOf(coord: Coordinate): Calendar {
  const cal = attrString(coord.attrs, "calendar");
  if (cal !== undefined) return parseCalendar(cal);
  return coord.times?.[0]?.calendar ?? "standard";
}

const ISO_RE =
  /^(-?\d{1,6})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?)?)?\s*(?:Z|UTC)?$/i;

/** A parsed ISO 8601 label and the precision it was written to. */
export interface ParsedDate {
  /** Start of the period the text names. */
  start: CFDatetime;
  /** Start of the next period (`2001-03` → 2001-04-01), or undefined for a day or finer. */
  end?: CFDatetime;
}

/**
 * Parse `YYYY`, `YYYY-MM`, `YYYY-MM-DD[Thh:mm[:ss]]` in `calendar`. A year or a month is
 * a period (like pandas' partial-string indexing); a day or finer is a point.
 *
 * @throws GridError `INVALID_SELECTION` when the text is not a date or the date does not exist
 */
export function parseDateLabel(text: string, calendar: Calendar, where: string): ParsedDate {
  const m = ISO_RE.exec(text.trim());
  if (m === null) {
    throw new GridError(
      "INVALID_SELECTION",
      `${where}: ${JSON.stringify(text)} is not an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD[Thh:mm:ss])`,
    );
  }
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  checkDate({ year, month, day, hour, minute, second, calendar }, where, text);
  const start: CFDatetime = { year, month, day, hour, minute, second, calendar };
  if (m[2] === undefined) return { start, end: { ...start, year: year + 1 } };
  if (m[3] === undefined) {
    const next = month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
    return { start, end: { ...start, ...next } };
  }
  return { start };
}

function checkDate(t: CFDatetime, where: string, text: string): void {
  if (
    t.month < 1 ||
    t.month > 12 ||
    t.day < 1 ||
    t.day > daysInMonth(t.year, t.month, t.calendar) ||
    t.hour > 23 ||
    t.minute > 59 ||
    t.second >= 60
  ) {
    throw new GridError(
      "INVALID_SELECTION",
      `${where}: ${text} does not exist in the ${t.calendar} calendar`,
    );
  }
}

/**
 * The numeric value (or period) of a label in a coordinate's domain. Time labels are
 * encoded with the coordinate's units and calendar; a `Date` is read in UTC.
 *
 * @returns `{ value }` for a point, `{ value, end }` for a period `[value, end)`
 * @throws GridError `INVALID_SELECTION`
 */
export function labelValue(
  coord: Coordinate,
  dim: string,
  x: unknown,
  where: string,
): { value: number; end?: number } {
  if (typeof x === "number") {
    if (Number.isNaN(x)) throw new GridError("INVALID_SELECTION", `${where}: '${dim}' label NaN`);
    return { value: x };
  }
  const time = isTimeCoord(coord);
  if (!time) {
    throw new GridError(
      "INVALID_SELECTION",
      `${where}: '${dim}' has numeric labels (no time units); got ${describe(x)}`,
    );
  }
  const units = attrString(coord.attrs, "units");
  if (units === undefined || !isTimeUnits(units)) {
    throw new GridError(
      "INVALID_SELECTION",
      `${where}: '${dim}' has no time units to place a date`,
    );
  }
  const calendar = calendarOf(coord);
  const enc = (t: CFDatetime) => encodeTime({ ...t, calendar }, units, calendar);
  if (typeof x === "string") {
    const p = parseDateLabel(x, calendar, `${where}: '${dim}'`);
    return p.end === undefined ? { value: enc(p.start) } : { value: enc(p.start), end: enc(p.end) };
  }
  if (x instanceof Date) {
    if (Number.isNaN(x.getTime()))
      throw new GridError("INVALID_SELECTION", `${where}: '${dim}' label is an invalid Date`);
    const t: CFDatetime = {
      year: x.getUTCFullYear(),
      month: x.getUTCMonth() + 1,
      day: x.getUTCDate(),
      hour: x.getUTCHours(),
      minute: x.getUTCMinutes(),
      second: x.getUTCSeconds() + x.getUTCMilliseconds() / 1000,
      calendar,
    };
    checkDate(t, `${where}: '${dim}'`, x.toISOString());
    return { value: enc(t) };
  }
  if (isCFDatetime(x)) {
    const t: CFDatetime = {
      year: x.year,
      month: x.month,
      day: x.day ?? 1,
      hour: x.hour ?? 0,
      minute: x.minute ?? 0,
      second: x.second ?? 0,
      calendar,
    };
    checkDate(t, `${where}: '${dim}'`, formatCFDatetime(t));
    return { value: enc(t) };
  }
  throw new GridError(
    "INVALID_SELECTION",
    `${where}: '${dim}' label must be a number, an ISO 8601 string, a Date or a CF date-time; got ${describe(x)}`,
  );
}

/** A coordinate value as people read it: a decoded date for time coordinates. */
export function formatLabel(coord: Coordinate | undefined, value: number | string): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (coord !== undefined && isTimeUnits(coord.attrs.units) && Number.isFinite(value)) {
    try {
      const t = decodeTimes([value], coord.attrs.units, attrString(coord.attrs, "calendar"))[0];
      if (t !== undefined) return shortDate(t);
    } catch {
      // fall through to the number
    }
  }
  return String(value);
}

/** `YYYY-MM-DD`, with the time of day only when it is not midnight. */
export function shortDate(t: CFDatetime): string {
  const s = formatCFDatetime(t);
  return s.endsWith("T00:00:00") ? s.slice(0, -9) : s;
}
