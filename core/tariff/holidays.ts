// Holidays, which most time-of-use rates price like weekends. The US federal holidays are built in, with the
// observed-day rule of 5 U.S.C. 6103: a holiday on a Saturday is observed the Friday before, on a Sunday the
// Monday after. Utilities often use a subset (SCE: no MLK, Columbus or Juneteenth), so the set is configurable.
import type { HolidayCalendar } from "./types.ts";
import { TariffError } from "./tariff-error.ts";

export const US_FEDERAL_HOLIDAY_NAMES = [
  "New Year's Day", "Martin Luther King Jr. Day", "Washington's Birthday", "Memorial Day", "Juneteenth",
  "Independence Day", "Labor Day", "Columbus Day", "Veterans Day", "Thanksgiving Day", "Christmas Day",
] as const;
export type UsFederalHolidayName = (typeof US_FEDERAL_HOLIDAY_NAMES)[number];

const pad = (n: number): string => String(n).padStart(2, "0");
const ymd = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;
/** 0 = Sunday. */
const weekday = (y: number, m: number, d: number): number => new Date(Date.UTC(y, m - 1, d)).getUTCDay();

/** The n-th (1-based) `wd` of a month, or the last one when n = -1. */
function nthWeekday(y: number, m: number, wd: number, n: number): number {
  if (n > 0) {
    const first = weekday(y, m, 1);
    return 1 + ((wd - first + 7) % 7) + (n - 1) * 7;
  }
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return last - ((weekday(y, m, last) - wd + 7) % 7);
}

/** Actual dates of the federal holidays of year y (Juneteenth from 2021, when it became one). */
function actualDates(y: number): [UsFederalHolidayName, number, number][] {
  const out: [UsFederalHolidayName, number, number][] = [
    ["New Year's Day", 1, 1],
    ["Martin Luther King Jr. Day", 1, nthWeekday(y, 1, 1, 3)],
    ["Washington's Birthday", 2, nthWeekday(y, 2, 1, 3)],
    ["Memorial Day", 5, nthWeekday(y, 5, 1, -1)],
    ["Independence Day", 7, 4],
    ["Labor Day", 9, nthWeekday(y, 9, 1, 1)],
    ["Columbus Day", 10, nthWeekday(y, 10, 1, 2)],
    ["Veterans Day", 11, 11],
    ["Thanksgiving Day", 11, nthWeekday(y, 11, 4, 4)],
    ["Christmas Day", 12, 25],
  ];
  if (y >= 2021) out.push(["Juneteenth", 6, 19]);
  return out;
}

/** The observed date: Saturday → Friday before, Sunday → Monday after (may cross into the previous year). */
function observed(y: number, m: number, d: number): string {
  const wd = weekday(y, m, d);
  const shift = wd === 6 ? -1 : wd === 0 ? 1 : 0;
  const t = new Date(Date.UTC(y, m - 1, d + shift));
  return ymd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(s: string, path: string): string {
  const m = DATE_RE.exec(s);
  const ok = m && (() => {
    const t = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return t.getUTCFullYear() === Number(m[1]) && t.getUTCMonth() + 1 === Number(m[2]) && t.getUTCDate() === Number(m[3]);
  })();
  if (!ok) throw new TariffError(path, `${JSON.stringify(s)} is not a calendar date YYYY-MM-DD`);
  return s;
}

/**
 * US federal holidays, both the actual and the observed date (the actual one falls on a weekend when the two
 * differ, so counting it changes nothing for weekday/weekend rates), plus `extra` local dates.
 * `only` restricts the built-in set to the named holidays (e.g. a utility's own list).
 */
export function usFederalHolidays(extra: readonly string[] = [], opts: { only?: readonly UsFederalHolidayName[] } = {}): HolidayCalendar {
  const extras = new Set(extra.map((d, i) => checkDate(d, `holidays.extra[${i}]`)));
  const only = opts.only ? new Set<string>(opts.only) : null;
  opts.only?.forEach((n, i) => {
    if (!(US_FEDERAL_HOLIDAY_NAMES as readonly string[]).includes(n)) throw new TariffError(`holidays.only[${i}]`, `unknown US federal holiday ${JSON.stringify(n)}`);
  });
  const byYear = new Map<number, Set<string>>();
  const yearSet = (y: number): Set<string> => {
    let s = byYear.get(y);
    if (!s) {
      s = new Set();
      // Observed dates of next year's New Year's Day can fall on Dec 31 of this year.
      for (const yy of [y, y + 1]) {
        for (const [name, m, d] of actualDates(yy)) {
          if (only && !only.has(name)) continue;
          s.add(ymd(yy, m, d));
          s.add(observed(yy, m, d));
        }
      }
      byYear.set(y, s);
    }
    return s;
  };
  return {
    isHoliday(localDate: string): boolean {
      return extras.has(localDate) || yearSet(Number(localDate.slice(0, 4))).has(localDate);
    },
  };
}

/** An explicit list of holiday dates (YYYY-MM-DD), for utilities with their own calendar. */
export function holidayList(dates: readonly string[]): HolidayCalendar {
  const set = new Set(dates.map((d, i) => checkDate(d, `holidays[${i}]`)));
  return { isHoliday: (d) => set.has(d) };
}

/** No holidays: every Monday-Friday uses the weekday schedule. */
export const NO_HOLIDAYS: HolidayCalendar = { isHoliday: () => false };

/** What rating uses when no calendar is passed: the full US federal set. One shared object, so caches hit. */
export const DEFAULT_HOLIDAYS: HolidayCalendar = usFederalHolidays();
