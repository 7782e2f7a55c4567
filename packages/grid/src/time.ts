import { GridError } from "./errors.js";

/**
 * CF calendars (CF conventions §4.4.1). `standard` (alias `gregorian`) is Julian before
 * 1582-10-15 and Gregorian from then on, as in udunits, cftime and xarray.
 */
export type Calendar =
  | "standard"
  | "proleptic_gregorian"
  | "julian"
  | "noleap"
  | "all_leap"
  | "360_day";

/** A date-time in a CF calendar. Not a JS `Date`: 2001-02-30 exists in `360_day`. */
export interface CFDatetime {
  /** Astronomical year (year 0 exists, like cftime with `has_year_zero` for fixed calendars). */
  year: number;
  /** 1–12. */
  month: number;
  /** 1–31 (1–30 in `360_day`). */
  day: number;
  /** 0–23. */
  hour: number;
  /** 0–59. */
  minute: number;
  /** 0–59.999999 (microsecond resolution). */
  second: number;
  /** The calendar the fields are in. */
  calendar: Calendar;
}

/** Parsed `"<unit> since <reference date>"`. */
export interface TimeUnits {
  /** Canonical unit name. */
  unit:
    | "microseconds"
    | "milliseconds"
    | "seconds"
    | "minutes"
    | "hours"
    | "days"
    | "months"
    | "years";
  /** The reference date-time, in UTC. */
  reference: CFDatetime;
}

const CALENDAR_ALIASES: Record<string, Calendar> = {
  standard: "standard",
  gregorian: "standard",
  proleptic_gregorian: "proleptic_gregorian",
  julian: "julian",
  noleap: "noleap",
  "365_day": "noleap",
  all_leap: "all_leap",
  "366_day": "all_leap",
  "360_day": "360_day",
};

/**
 * Canonical calendar name from a CF `calendar` attribute (case-insensitive; missing means
 * `standard`).
 *
 * @throws GridError `UNSUPPORTED_CALENDAR` for unknown names (e.g. `none`)
 */
export function parseCalendar(name: string | undefined): Calendar {
  if (name === undefined || name.trim() === "") return "standard";
  const c = CALENDAR_ALIASES[name.trim().toLowerCase()];
  if (c === undefined) {
    throw new GridError(
      "UNSUPPORTED_CALENDAR",
      `calendar '${name}' is not one of ${Object.keys(CALENDAR_ALIASES).join(", ")}`,
    );
  }
  return c;
}

const UNIT_ALIASES: Record<string, TimeUnits["unit"]> = {
  microseconds: "microseconds",
  microsecond: "microseconds",
  us: "microseconds",
  milliseconds: "milliseconds",
  millisecond: "milliseconds",
  ms: "milliseconds",
  seconds: "seconds",
  second: "seconds",
  secs: "seconds",
  sec: "seconds",
  s: "seconds",
  minutes: "minutes",
  minute: "minutes",
  mins: "minutes",
  min: "minutes",
  hours: "hours",
  hour: "hours",
  hrs: "hours",
  hr: "hours",
  h: "hours",
  days: "days",
  day: "days",
  d: "days",
  months: "months",
  month: "months",
  years: "years",
  year: "years",
};

const SECONDS_PER: Record<string, number> = {
  microseconds: 1e-6,
  milliseconds: 1e-3,
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
};

const REFERENCE_RE =
  /^(-?\d{1,6})-(\d{1,2})(?:-(\d{1,2}))?(?:[T\s]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d*)?))?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?$/i;

/** True when a `units` attribute has the CF time form `"<unit> since <date>"`. */
export function isTimeUnits(units: unknown): units is string {
  return typeof units === "string" && /^\s*\w+\s+since\s+/i.test(units);
}

/**
 * Parse `"<unit> since <date>"` (e.g. `"hours since 1800-1-1 00:00:0.0"`,
 * `"days since 2000-01-01T00:00:00Z"`, `"seconds since 1970-01-01 00:00 -6:00"`).
 *
 * @throws GridError `INVALID_TIME_UNITS`
 */
export function parseTimeUnits(units: string, calendar: Calendar = "standard"): TimeUnits {
  const m = /^\s*(\w+)\s+since\s+(.+?)\s*$/i.exec(units);
  const unit = m === null ? undefined : UNIT_ALIASES[m[1].toLowerCase()];
  const r = m === null ? null : REFERENCE_RE.exec(m[2]);
  if (m === null || unit === undefined || r === null) {
    throw new GridError(
      "INVALID_TIME_UNITS",
      `time units '${units}' are not '<unit> since <YYYY-MM-DD[ hh:mm:ss]>'`,
    );
  }
  const month = Number(r[2]);
  const day = r[3] === undefined ? 1 : Number(r[3]);
  const hour = r[4] === undefined ? 0 : Number(r[4]);
  const minute = r[5] === undefined ? 0 : Number(r[5]);
  const second = r[6] === undefined ? 0 : Number(r[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second >= 61) {
    throw new GridError("INVALID_TIME_UNITS", `reference date in '${units}' is not a valid date`);
  }
  let reference: CFDatetime = { year: Number(r[1]), month, day, hour, minute, second, calendar };
  if (day > daysInMonth(reference.year, month, calendar)) {
    throw new GridError(
      "INVALID_TIME_UNITS",
      `reference date in '${units}' does not exist in the ${calendar} calendar`,
    );
  }
  const tz = r[7];
  if (tz !== undefined && !/^(Z|UTC|GMT)$/i.test(tz)) {
    // A local-time reference: shift to UTC (CF/udunits semantics: "T -6:00" means UTC-6).
    const tm = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(tz)!;
    const offsetMinutes = (Number(tm[2]) * 60 + Number(tm[3] ?? 0)) * (tm[1] === "-" ? -1 : 1);
    reference = addSeconds(reference, -offsetMinutes * 60);
  }
  return { unit, reference };
}

function isLeap(year: number, calendar: Calendar): boolean {
  switch (calendar) {
    case "noleap":
    case "360_day":
      return false;
    case "all_leap":
      return true;
    case "julian":
      return mod(year, 4) === 0;
    case "proleptic_gregorian":
      return mod(year, 4) === 0 && (mod(year, 100) !== 0 || mod(year, 400) === 0);
    case "standard":
      return year < 1583
        ? mod(year, 4) === 0
        : mod(year, 4) === 0 && (mod(year, 100) !== 0 || mod(year, 400) === 0);
  }
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Number of days in a month of a calendar. */
export function daysInMonth(year: number, month: number, calendar: Calendar): number {
  if (calendar === "360_day") return 30;
  if (month === 2) return isLeap(year, calendar) ? 29 : 28;
  return MONTH_DAYS[month - 1];
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

// Julian Day Number of a proleptic Gregorian / Julian date (Fliegel–Van Flandern, with
// floor division so negative years work).
function gregorianToJdn(y: number, m: number, d: number): number {
  const a = Math.floor((14 - m) / 12);
  const yy = y + 4800 - a;
  const mm = m + 12 * a - 3;
  return (
    d +
    Math.floor((153 * mm + 2) / 5) +
    365 * yy +
    Math.floor(yy / 4) -
    Math.floor(yy / 100) +
    Math.floor(yy / 400) -
    32045
  );
}

function julianToJdn(y: number, m: number, d: number): number {
  const a = Math.floor((14 - m) / 12);
  const yy = y + 4800 - a;
  const mm = m + 12 * a - 3;
  return d + Math.floor((153 * mm + 2) / 5) + 365 * yy + Math.floor(yy / 4) - 32083;
}

function jdnToGregorian(jdn: number): [number, number, number] {
  const a = jdn + 32044;
  const b = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * b) / 4);
  return civilFromDayCount(b * 100, c);
}

function jdnToJulian(jdn: number): [number, number, number] {
  return civilFromDayCount(0, jdn + 32082);
}

function civilFromDayCount(century: number, c: number): [number, number, number] {
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  const day = e - Math.floor((153 * m + 2) / 5) + 1;
  const month = m + 3 - 12 * Math.floor(m / 10);
  const year = century + d - 4800 + Math.floor(m / 10);
  return [year, month, day];
}

const GREGORIAN_START_JDN = 2299161; // 1582-10-15

const CUM_NOLEAP = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const CUM_LEAP = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366];

/** Day number of a date in its calendar (consecutive integers, any origin). */
export function dayNumber(year: number, month: number, day: number, calendar: Calendar): number {
  switch (calendar) {
    case "proleptic_gregorian":
      return gregorianToJdn(year, month, day);
    case "julian":
      return julianToJdn(year, month, day);
    case "standard": {
      const g = gregorianToJdn(year, month, day);
      return g >= GREGORIAN_START_JDN ? g : julianToJdn(year, month, day);
    }
    case "noleap":
      return year * 365 + CUM_NOLEAP[month - 1] + day - 1;
    case "all_leap":
      return year * 366 + CUM_LEAP[month - 1] + day - 1;
    case "360_day":
      return year * 360 + (month - 1) * 30 + day - 1;
  }
}

/** Inverse of {@link dayNumber}. */
export function fromDayNumber(n: number, calendar: Calendar): [number, number, number] {
  switch (calendar) {
    case "proleptic_gregorian":
      return jdnToGregorian(n);
    case "julian":
      return jdnToJulian(n);
    case "standard":
      return n >= GREGORIAN_START_JDN ? jdnToGregorian(n) : jdnToJulian(n);
    case "noleap":
    case "all_leap": {
      const len = calendar === "noleap" ? 365 : 366;
      const cum = calendar === "noleap" ? CUM_NOLEAP : CUM_LEAP;
      const year = Math.floor(n / len);
      const doy = n - year * len;
      let month = 1;
      while (cum[month] <= doy) month++;
      return [year, month, doy - cum[month - 1] + 1];
    }
    case "360_day": {
      const year = Math.floor(n / 360);
      const doy = n - year * 360;
      return [year, Math.floor(doy / 30) + 1, (doy % 30) + 1];
    }
  }
}

/** Add (possibly negative, fractional) seconds to a date-time, with microsecond rounding. */
export function addSeconds(t: CFDatetime, seconds: number): CFDatetime {
  const base = dayNumber(t.year, t.month, t.day, t.calendar);
  // Work in integer microseconds within the day so hour/minute fields never drift.
  const micros = Math.round((t.hour * 3600 + t.minute * 60 + t.second + seconds) * 1e6);
  const dayMicros = 86400e6;
  const extraDays = Math.floor(micros / dayMicros);
  let rest = micros - extraDays * dayMicros;
  const [year, month, day] = fromDayNumber(base + extraDays, t.calendar);
  const hour = Math.floor(rest / 3600e6);
  rest -= hour * 3600e6;
  const minute = Math.floor(rest / 60e6);
  rest -= minute * 60e6;
  return { year, month, day, hour, minute, second: rest / 1e6, calendar: t.calendar };
}

function addMonths(t: CFDatetime, months: number): CFDatetime {
  const total = t.year * 12 + (t.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(t.day, daysInMonth(year, month, t.calendar));
  return { ...t, year, month, day };
}

/**
 * Decode numeric CF times to calendar date-times. NaN values (masked) decode to
 * `undefined`. `months`/`years` are whole calendar months/years (fractional values are
 * rejected, since their length is ambiguous).
 *
 * @throws GridError `INVALID_TIME_UNITS` / `UNSUPPORTED_CALENDAR`
 */
export function decodeTimes(
  values: ArrayLike<number>,
  units: string,
  calendarName?: string,
): Array<CFDatetime | undefined> {
  const calendar = parseCalendar(calendarName);
  const { unit, reference } = parseTimeUnits(units, calendar);
  const out = new Array<CFDatetime | undefined>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = undefined;
    } else if (unit === "months" || unit === "years") {
      if (!Number.isInteger(v)) {
        throw new GridError(
          "INVALID_TIME_UNITS",
          `'${units}' with a fractional value ${v}: calendar months/years have no fixed length`,
        );
      }
      out[i] = addMonths(reference, unit === "years" ? v * 12 : v);
    } else {
      out[i] = addSeconds(reference, v * SECONDS_PER[unit]);
    }
  }
  return out;
}

/**
 * Encode a date-time as a number in `units` (inverse of {@link decodeTimes}); used for
 * selection by date and for writing time coordinates.
 *
 * @throws GridError `INVALID_TIME_UNITS`
 */
export function encodeTime(t: CFDatetime, units: string, calendarName?: string): number {
  const calendar = parseCalendar(calendarName ?? t.calendar);
  const { unit, reference } = parseTimeUnits(units, calendar);
  if (unit === "months" || unit === "years") {
    const months = (t.year - reference.year) * 12 + (t.month - reference.month);
    return unit === "years" ? months / 12 : months;
  }
  const days =
    dayNumber(t.year, t.month, t.day, calendar) -
    dayNumber(reference.year, reference.month, reference.day, calendar);
  const seconds =
    days * 86400 +
    (t.hour - reference.hour) * 3600 +
    (t.minute - reference.minute) * 60 +
    (t.second - reference.second);
  return seconds / SECONDS_PER[unit];
}

/** Build a date-time (missing fields default to the start of the day, `standard` calendar). */
export function cfDatetime(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  calendar: Calendar = "standard",
): CFDatetime {
  return { year, month, day, hour, minute, second, calendar };
}

/** ISO-8601-like text `YYYY-MM-DDThh:mm:ss[.ffffff]` (as cftime/xarray print it). */
export function formatCFDatetime(t: CFDatetime): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const whole = Math.floor(t.second);
  const micros = Math.round((t.second - whole) * 1e6);
  const y = t.year < 0 ? `-${p(-t.year, 4)}` : p(t.year, 4);
  const frac = micros > 0 ? `.${p(micros, 6)}` : "";
  return `${y}-${p(t.month)}-${p(t.day)}T${p(t.hour)}:${p(t.minute)}:${p(whole)}${frac}`;
}

/** Day of the year, 1-based (1–360 in `360_day`, 1–366 in leap years). */
export function dayOfYear(t: CFDatetime): number {
  return dayNumber(t.year, t.month, t.day, t.calendar) - dayNumber(t.year, 1, 1, t.calendar) + 1;
}

/** Length of the date-time's year in days. */
export function daysInYear(year: number, calendar: Calendar): number {
  return dayNumber(year + 1, 1, 1, calendar) - dayNumber(year, 1, 1, calendar);
}
