// A billing month is a calendar month in the utility's time zone; its UTC bounds come from core/tariff's
// local-time rules (so DST months are 743 or 745 hours long, exactly as the tariff engine counts them).
import { localMidnightUtc } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import { badRequest } from "../errors.ts";

export interface MonthBounds { month: string; start: UtcSeconds; end: UtcSeconds }

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthBounds(month: string, timeZone: string, field = "month"): MonthBounds {
  const m = MONTH.exec(month);
  if (!m) throw badRequest(`${JSON.stringify(month)} is not a month YYYY-MM`, field);
  const y = Number(m[1]), mo = Number(m[2]);
  const start = localMidnightUtc(timeZone, y, mo, 1) as UtcSeconds;
  const end = (mo === 12 ? localMidnightUtc(timeZone, y + 1, 1, 1) : localMidnightUtc(timeZone, y, mo + 1, 1)) as UtcSeconds;
  return { month, start, end };
}

/** The YYYY-MM containing UTC second `t` in `timeZone`. */
export function monthOf(t: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(new Date(t * 1000));
  const y = parts.find((p) => p.type === "year")!.value;
  const mo = parts.find((p) => p.type === "month")!.value;
  return `${y}-${mo}`;
}

/** A cached "end of the billing month containing t" for hot paths (session intake). */
export function monthEndFinder(timeZone: string): (t: number) => number {
  const known: MonthBounds[] = [];
  return (t) => {
    for (const b of known) if (t >= b.start && t < b.end) return b.end;
    const b = monthBounds(monthOf(t, timeZone), timeZone);
    known.push(b);
    if (known.length > 48) known.shift();
    return b.end;
  };
}
