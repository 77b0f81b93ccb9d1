// Rating: metered intervals to energy and exact cost per (rate version, period, tier).
// Splitting rule (for an interval that straddles a period, month, version or DST boundary): the interval's Wh are
// shared pro rata by time with cumulative flooring: with part durations d₁…dₖ (Σ = L) and Cⱼ = d₁+…+dⱼ, part j gets
// ⌊E·Cⱼ/L⌋ − ⌊E·Cⱼ₋₁/L⌋. The parts sum to E exactly (no Wh lost or invented), each is within 1 Wh of its exact
// share, and the result depends only on the interval itself, so a bill and an estimate split it the same way.
import type { HolidayCalendar, MeteredInterval, PeriodCharge, Rating } from "./types.ts";
import type { Wh } from "../units/energy.ts";
import { TariffError } from "./tariff-error.ts";
import { costNanoUsd } from "./money.ts";
import { DEFAULT_HOLIDAYS } from "./holidays.ts";
import { compileTariff, noVersionError, nextRun, runAt, SLOT_S, type CompiledTariff } from "./period-table.ts";
import { daysInMonth } from "./local-time.ts";
import type { Tariff } from "./types.ts";

/** Shares `total` over parts of the given durations by the cumulative-floor rule above. */
export function splitWh(total: number, durations: readonly number[]): number[] {
  const L = durations.reduce((a, b) => a + b, 0);
  if (!(L > 0)) throw new RangeError("splitWh: durations must add up to more than zero");
  const out: number[] = [];
  let cum = 0;
  let prev = 0;
  for (const d of durations) {
    cum += d;
    const upTo = Math.floor((total * cum) / L);
    out.push(upTo - prev);
    prev = upTo;
  }
  return out;
}

function badInterval(i: number, iv: MeteredInterval): never {
  if (typeof iv !== "object" || iv === null) throw new TariffError(`intervals[${i}]`, "must be an object {start, lengthS, wh}");
  if (!Number.isSafeInteger(iv.start) || iv.start < 0) throw new TariffError(`intervals[${i}].start`, `${iv.start} must be whole UTC seconds`);
  if (!Number.isSafeInteger(iv.lengthS) || iv.lengthS <= 0) throw new TariffError(`intervals[${i}].lengthS`, `${iv.lengthS} must be a whole, positive number of seconds`);
  throw new TariffError(`intervals[${i}].wh`, `${iv.wh} must be a whole, non-negative number of Wh`);
}

const iso = (t: number): string => new Date(t * 1000).toISOString().replace(".000Z", "Z");

/**
 * Refuses intervals that share any second: a meter interval given twice (a retried upload, two sources merged)
 * would otherwise be billed twice. Names both intervals and the overlap. O(n log n); run when input is unsorted.
 */
export function checkNoOverlap(intervals: readonly MeteredInterval[], order?: readonly number[]): void {
  const idx = order ?? intervals.map((_, i) => i).sort((a, b) => intervals[a]!.start - intervals[b]!.start || a - b);
  let prev = -1; // index of the interval reaching furthest so far
  let prevEnd = -Infinity;
  for (const i of idx) {
    const iv = intervals[i]!;
    if (iv.start < prevEnd) overlapError(intervals, prev, i);
    const end = iv.start + iv.lengthS;
    if (end > prevEnd) { prevEnd = end; prev = i; }
  }
}

function overlapError(intervals: readonly MeteredInterval[], a: number, b: number): never {
  const [i, j] = a < b ? [a, b] : [b, a];
  const x = intervals[i]!, y = intervals[j]!;
  const span = (iv: MeteredInterval): string => `[${iso(iv.start)}, ${iso(iv.start + iv.lengthS)})`;
  if (x.start === y.start && x.lengthS === y.lengthS) {
    throw new TariffError(`intervals[${j}]`, `${span(y)} duplicates intervals[${i}]: the same meter interval cannot be billed twice`);
  }
  const from = Math.max(x.start, y.start), to = Math.min(x.start + x.lengthS, y.start + y.lengthS);
  throw new TariffError(`intervals[${j}]`, `${span(y)} overlaps intervals[${i}] ${span(x)} over [${iso(from)}, ${iso(to)}): energy of one moment cannot be billed twice`);
}

/** Receives one priced piece of energy: tier-0 line of its (version, period), its local month key, Wh. */
type Sink = (line: number, monthKey: number, wh: number) => void;

/** Splits an interval across the runs it covers and hands each part to sink. */
function splitInterval(c: CompiledTariff, holidays: HolidayCalendar, i: number, s: number, len: number, e: number, sink: Sink): void {
  const lines: number[] = [], months: number[] = [], durs: number[] = [];
  const end = s + len;
  let ref = runAt(c, holidays, s);
  let t = s;
  while (t < end) {
    const runEnd = Math.min(ref.tb.runEnd[ref.r]!, end);
    const line = ref.tb.runLine[ref.r]!;
    if (line < 0) throw noVersionError(c, t, `intervals[${i}].start`);
    lines.push(line); months.push(ref.tb.runMonth[ref.r]!); durs.push(runEnd - t);
    t = runEnd;
    if (t < end) ref = nextRun(c, holidays, ref);
  }
  const parts = splitWh(e, durs);
  for (let k = 0; k < parts.length; k++) if (parts[k]! > 0) sink(lines[k]!, months[k]!, parts[k]!);
}

/**
 * Adds the intervals' energy to `acc` (Wh per rate line). With `onlyMonth`, keeps only energy falling in that local
 * month (year × 12 + month − 1): the part of a straddling interval outside it belongs to the neighbouring bill.
 */
export function accumulate(
  c: CompiledTariff, holidays: HolidayCalendar, intervals: readonly MeteredInterval[], acc: Float64Array, onlyMonth?: number,
): void {
  if (c.tiered) return accumulateTiered(c, holidays, intervals, acc, onlyMonth);
  const filter = onlyMonth ?? -1;
  const sink: Sink = (line, month, wh) => { if (filter < 0 || month === filter) acc[line] += wh; };
  let tStart = 1, tEnd = 0;
  let slotRun: Int32Array = new Int32Array(0), runEnd: Float64Array = new Float64Array(0);
  let runLine: Int32Array = new Int32Array(0), runMonth: Int32Array = new Int32Array(0);
  // Intervals in time order (the usual case) are checked for overlap on the way: each must start at or after the
  // previous one's end. Anything else gets the full sorted check once the loop has validated every field.
  let lastEnd = -Infinity;
  let inOrder = true;
  const n = intervals.length;
  for (let i = 0; i < n; i++) {
    const iv = intervals[i]!;
    const s = iv.start, len = iv.lengthS, e = iv.wh;
    // One combined test keeps the loop fast; badInterval works out which field is wrong.
    if (!(e >= 0 && len > 0 && s >= 0) || e % 1 !== 0 || len % 1 !== 0 || s % 1 !== 0 || e > Number.MAX_SAFE_INTEGER) badInterval(i, iv);
    if (s < lastEnd) inOrder = false;
    lastEnd = s + len;
    if (s < tStart || s >= tEnd) {
      const ref = runAt(c, holidays, s);
      tStart = ref.tb.start; tEnd = ref.tb.end;
      slotRun = ref.tb.slotRun; runEnd = ref.tb.runEnd; runLine = ref.tb.runLine; runMonth = ref.tb.runMonth;
    }
    const r = slotRun[((s - tStart) / SLOT_S) | 0]!;
    if (s + len <= runEnd[r]!) {
      const line = runLine[r]!;
      if (line < 0) throw noVersionError(c, s, `intervals[${i}].start`);
      if (filter < 0 || runMonth[r] === filter) acc[line] += e;
    } else {
      splitInterval(c, holidays, i, s, len, e, sink);
    }
  }
  if (!inOrder) checkNoOverlap(intervals);
}

/**
 * Tiered rates: a tier's ceiling counts all energy of the local month so far (all periods), so energy is taken in
 * time order. Counting starts from zero at the first interval given, so rate a whole month for exact tiers.
 */
function accumulateTiered(
  c: CompiledTariff, holidays: HolidayCalendar, intervals: readonly MeteredInterval[], acc: Float64Array, onlyMonth?: number,
): void {
  const order = intervals.map((_, i) => i).sort((a, b) => intervals[a]!.start - intervals[b]!.start || a - b);
  const used = new Map<number, number>();
  const sink: Sink = (line0, month, wh) => {
    if (onlyMonth !== undefined && month !== onlyMonth) return;
    let soFar = used.get(month) ?? 0;
    const days = daysInMonth(Math.floor(month / 12), (month % 12) + 1);
    let rem = wh;
    const count = c.lines[line0]!.tierCount;
    for (let k = 0; k < count && rem > 0; k++) {
      const l = c.lines[line0 + k]!;
      const ceiling = k === count - 1 ? Infinity : l.daily ? l.maxWh * days : l.maxWh;
      const take = Math.min(rem, Math.max(0, ceiling - soFar));
      acc[line0 + k] += take;
      rem -= take;
      soFar += take;
    }
    used.set(month, soFar);
  };
  for (const i of order) {
    const iv = intervals[i]!;
    const s = iv.start, len = iv.lengthS, e = iv.wh;
    if (!(e >= 0 && len > 0 && s >= 0) || e % 1 !== 0 || len % 1 !== 0 || s % 1 !== 0 || e > Number.MAX_SAFE_INTEGER) badInterval(i, iv);
  }
  checkNoOverlap(intervals, order);
  for (const i of order) {
    const iv = intervals[i]!;
    const s = iv.start, len = iv.lengthS, e = iv.wh;
    splitInterval(c, holidays, i, s, len, e, sink);
  }
}

export function chargesFrom(c: CompiledTariff, acc: Float64Array): PeriodCharge[] {
  const out: PeriodCharge[] = [];
  for (let k = 0; k < acc.length; k++) {
    const wh = acc[k]!;
    if (wh === 0) continue;
    const l = c.lines[k]!;
    out.push({
      period: l.period, periodName: l.periodName, wh: wh as Wh, costNanoUsd: costNanoUsd(wh, l.price),
      priceMicroUsdPerKWh: l.price, tier: l.tier, effectiveFrom: l.effectiveFrom,
    });
  }
  return out;
}

/**
 * Energy and exact cost per (version, period, tier) of metered intervals under a tariff. Periods with no energy
 * are left out. `holidays` defaults to the US federal calendar (DEFAULT_HOLIDAYS); pass NO_HOLIDAYS for none.
 */
export function rateIntervals(tariff: Tariff, intervals: readonly MeteredInterval[], holidays: HolidayCalendar = DEFAULT_HOLIDAYS): Rating {
  const c = compileTariff(tariff);
  const acc = new Float64Array(c.lines.length);
  accumulate(c, holidays, intervals, acc);
  const byPeriod = chargesFrom(c, acc);
  let totalWh = 0, totalNanoUsd = 0;
  for (const p of byPeriod) { totalWh += p.wh; totalNanoUsd += p.costNanoUsd; }
  if (!Number.isSafeInteger(totalNanoUsd)) throw new RangeError("rating total exceeds exact integer range (2^53 nano-dollars)");
  return { byPeriod, totalWh: totalWh as Wh, totalNanoUsd };
}
