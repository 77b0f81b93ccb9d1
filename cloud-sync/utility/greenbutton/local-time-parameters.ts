// ESPI LocalTimeParameters from an IANA zone: the standard offset, the DST offset and the DST start and end rules in
// ESPI's bit-packed DstRuleType (schema/espi.xsd): month in bits 28-31, operator 25-27, day of month 20-24, weekday
// 17-19 (Monday = 1), hour 12-16, seconds 0-11. The rule is read off the zone's real transitions (through core/tariff's
// Intl-based offsets) and written the way the zone's law states it when that law holds for the next years too:
// "second Sunday of March at 02:00" (US), "last Sunday of March" (EU). A rule ESPI cannot express becomes the exact
// date of this year's transition.
import { daysInMonth, offsetAt, offsetSpans } from "../../../core/tariff/index.ts";

export interface LocalTimeParameters {
  /** Standard time minus UTC, seconds (no DST): −28800 for America/Los_Angeles. */
  tzOffsetS: number;
  /** Daylight time minus standard time, seconds; 0 where the zone keeps no DST. */
  dstOffsetS: number;
  /** HexBinary32, 8 hex digits; FFFFFFFF = no DST. */
  dstStartRule: string;
  dstEndRule: string;
}

/** DstRuleType value "rule processing disabled". */
export const NO_DST_RULE = "FFFFFFFF";

/** Operators of DstRuleType. */
const OP_DAY_OF_MONTH = 0;
const OP_NTH_WEEKDAY = 2; // 2..6 = 1st..5th occurrence
const OP_LAST_WEEKDAY = 7;

interface Transition { year: number; month: number; day: number; weekday: number; hour: number; seconds: number }
interface Rule { op: number; dayOfMonth: number; weekday: number }

/** The zone's parameters in force during `year` (the year a download starts in). */
export function localTimeParameters(timeZone: string, year: number): LocalTimeParameters {
  const key = `${timeZone}|${year}`;
  let p = cache.get(key);
  if (!p) {
    p = compute(timeZone, year);
    if (cache.size > 64) cache.clear();
    cache.set(key, p);
  }
  return p;
}

/** Years a rule must also hold for: seven cover every weekday a date can fall on, so "4th" and "last" part. */
const CHECK_YEARS = 7;
const cache = new Map<string, LocalTimeParameters>();

function compute(timeZone: string, year: number): LocalTimeParameters {
  const found = transitions(timeZone, year);
  if (!found) return { tzOffsetS: offsetAt(timeZone, Date.UTC(year, 0, 1) / 1000), dstOffsetS: 0, dstStartRule: NO_DST_RULE, dstEndRule: NO_DST_RULE };
  const later = Array.from({ length: CHECK_YEARS - 1 }, (_, i) => transitions(timeZone, year + 1 + i));
  const rule = (pick: (t: NonNullable<typeof found>) => Transition): string => {
    const now = pick(found);
    const fits = (r: Rule) => [now, ...later.filter((t) => t !== null).map((t) => pick(t))].every((t) => ruleMatches(r, t));
    const candidates = ruleCandidates(now);
    return encode(candidates.find(fits) ?? candidates[candidates.length - 1]!, now);
  };
  return { tzOffsetS: found.standard, dstOffsetS: found.dst, dstStartRule: rule((t) => t.start), dstEndRule: rule((t) => t.end) };
}

/** The year's DST start and end as local wall times (start in standard time, end in daylight time), or null. */
function transitions(timeZone: string, year: number): { standard: number; dst: number; start: Transition; end: Transition } | null {
  const from = Date.UTC(year, 0, 1) / 1000;
  const to = Date.UTC(year + 1, 0, 1) / 1000;
  const spans = offsetSpans(timeZone, from, to);
  if (spans.length !== 3) return null; // no DST this year, or a zone that changed its law mid-year
  const offsets = spans.map((s) => s.offset);
  const standard = Math.min(...offsets);
  const daylight = Math.max(...offsets);
  const [startAt, endAt] = spans[1]!.offset === daylight ? [spans[1]!.from, spans[2]!.from] : [spans[2]!.from, spans[1]!.from];
  return { standard, dst: daylight - standard, start: wallTime(startAt + standard), end: wallTime(endAt + daylight) };
}

function wallTime(localSeconds: number): Transition {
  const d = new Date(localSeconds * 1000);
  const secondsOfDay = localSeconds - Math.floor(localSeconds / 86_400) * 86_400;
  return {
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() === 0 ? 7 : d.getUTCDay(),
    hour: Math.floor(secondsOfDay / 3600), seconds: secondsOfDay % 3600,
  };
}

/** The ways ESPI can state this transition, the zone's usual law first, the exact date last. */
function ruleCandidates(t: Transition): Rule[] {
  const nth = Math.ceil(t.day / 7);
  const out: Rule[] = [];
  if (nth <= 4) out.push({ op: OP_NTH_WEEKDAY + nth - 1, dayOfMonth: 0, weekday: t.weekday });
  out.push({ op: OP_LAST_WEEKDAY, dayOfMonth: 0, weekday: t.weekday });
  out.push({ op: OP_DAY_OF_MONTH, dayOfMonth: t.day, weekday: 0 });
  return out;
}

function ruleMatches(r: Rule, t: Transition): boolean {
  if (r.op === OP_DAY_OF_MONTH) return t.day === r.dayOfMonth;
  if (t.weekday !== r.weekday) return false;
  if (r.op === OP_LAST_WEEKDAY) return t.day + 7 > daysInMonth(t.year, t.month);
  return Math.ceil(t.day / 7) === r.op - OP_NTH_WEEKDAY + 1;
}

function encode(r: Rule, t: Transition): string {
  const v = ((t.month << 28) | (r.op << 25) | (r.dayOfMonth << 20) | (r.weekday << 17) | (t.hour << 12) | t.seconds) >>> 0;
  return v.toString(16).toUpperCase().padStart(8, "0");
}
