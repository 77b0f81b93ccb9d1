// The local calendar days of a period in the utility's zone, as UTC spans: IntervalBlocks are one per local day (23 or
// 25 hours long on DST days), as Green Button files customarily are.
import { localDateAt, localMidnightUtc, parseLocalDate } from "../../../core/tariff/index.ts";

export interface LocalDay { date: string; start: number; end: number }

export function localDays(timeZone: string, start: number, end: number): LocalDay[] {
  const days: LocalDay[] = [];
  let t = start;
  while (t < end) {
    const date = localDateAt(timeZone, t);
    const [y, m, d] = parseLocalDate(date)!;
    const next = Date.UTC(y, m - 1, d + 1);
    const n = new Date(next);
    const dayEnd = Math.min(end, localMidnightUtc(timeZone, n.getUTCFullYear(), n.getUTCMonth() + 1, n.getUTCDate()));
    days.push({ date, start: Math.max(t, localMidnightUtc(timeZone, y, m, d)), end: dayEnd });
    t = dayEnd;
  }
  return days;
}
