// Local wall time in an IANA zone from UTC seconds, through the platform's Intl (ICU's tz database).
// Intl is slow per call (microseconds), so callers ask only for the UTC offset at a few points and for the
// instants where it changes (DST), then do the rest with integer arithmetic.
import { TariffError } from "./tariff-error.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", second: "numeric",
      });
    } catch {
      throw new TariffError("timeZone", `${JSON.stringify(timeZone)} is not an IANA time zone this platform knows`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws TariffError("timeZone") for an unknown zone. */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

/** Local wall time minus UTC, in seconds, at UTC second t (e.g. −25200 for PDT). */
export function offsetAt(timeZone: string, t: number): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(t * 1000))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) / 1000;
  return wall - t;
}

export interface OffsetSpan { from: number; offset: number }

/**
 * The UTC offsets in force over [from, to): the first span starts at `from`, each next one at a transition.
 * Samples every 12 hours (zones change offset at most a few times a year) and bisects to the second.
 */
export function offsetSpans(timeZone: string, from: number, to: number): OffsetSpan[] {
  const STEP = 12 * 3600;
  const spans: OffsetSpan[] = [{ from, offset: offsetAt(timeZone, from) }];
  let prevT = from;
  let prevOff = spans[0]!.offset;
  for (let t = from + STEP; ; t += STEP) {
    const probe = Math.min(t, to);
    const off = offsetAt(timeZone, probe);
    if (off !== prevOff) {
      let lo = prevT; // offset prevOff at lo, off at hi
      let hi = probe;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(timeZone, mid) === prevOff) lo = mid;
        else hi = mid;
      }
      spans.push({ from: hi, offset: off });
      prevOff = off;
    }
    prevT = probe;
    if (probe >= to) break;
  }
  return spans;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a local date YYYY-MM-DD, checking it is a real calendar day. Returns [y, m (1-12), d] or null. */
export function parseLocalDate(s: string): [number, number, number] | null {
  const m = DATE_RE.exec(s);
  if (!m) return null;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() + 1 !== mo || t.getUTCDate() !== d) return null;
  return [y, mo, d];
}

/** The UTC second at which local wall time (y, m, d, 00:00) begins in the zone. */
export function localMidnightUtc(timeZone: string, y: number, m: number, d: number): number {
  const wall = Date.UTC(y, m - 1, d) / 1000;
  let t = wall - offsetAt(timeZone, wall);
  t = wall - offsetAt(timeZone, t);
  return t;
}

const pad = (n: number): string => String(n).padStart(2, "0");
export const formatLocalDate = (y: number, m: number, d: number): string => `${y}-${pad(m)}-${pad(d)}`;

/** The local date (YYYY-MM-DD) of UTC second t. */
export function localDateAt(timeZone: string, t: number): string {
  const local = new Date((t + offsetAt(timeZone, t)) * 1000);
  return formatLocalDate(local.getUTCFullYear(), local.getUTCMonth() + 1, local.getUTCDate());
}

export const daysInMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();
