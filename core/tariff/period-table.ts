// The precomputed answer to "which rate line applies at this UTC second?", so rating never touches time zones
// per interval. A tariff is compiled once (validated, its (version, period, tier) lines numbered) and, per holiday
// calendar and UTC year, gets a table of 15-minute slots (every zone offset in use is a multiple of 15 min, so a
// local hour never starts inside a slot) grouped into runs: maximal spans with the same version, period and local
// month. An interval inside one run is priced by one array lookup; one that straddles a run boundary is split.
// Cached in WeakMaps keyed by the tariff and calendar objects: treat a Tariff as immutable once rated.
import type { HolidayCalendar, Tariff } from "./types.ts";
import { coverageText, validateTariff, versionIndexAt } from "./validate-tariff.ts";
import { formatLocalDate, localDateAt, offsetSpans } from "./local-time.ts";
import { TariffError } from "./tariff-error.ts";

export const SLOT_S = 900;

/** One priced line: a tier of a period of a version. */
export interface RateLine {
  version: number;
  period: number;
  tier: number;
  periodName: string;
  effectiveFrom: string;
  price: number; // rate + adj, µ$/kWh
  maxWh: number; // tier ceiling (Infinity for the last)
  daily: boolean; // maxWh counts per day of the month
  tierCount: number;
}

export interface PeriodTable {
  start: number; // UTC seconds, inclusive
  end: number; // exclusive
  slotRun: Int32Array;
  runStart: Float64Array;
  runEnd: Float64Array;
  /** Line of tier 0 of the run's (version, period); −1 where no version is in force yet. */
  runLine: Int32Array;
  /** Local month as year × 12 + (month − 1). */
  runMonth: Int32Array;
  runCount: number;
}

export interface CompiledTariff {
  tariff: Tariff;
  lines: RateLine[];
  lineBase: number[][];
  tiered: boolean;
  tables: WeakMap<HolidayCalendar, Map<number, PeriodTable>>;
}

const compiled = new WeakMap<Tariff, CompiledTariff>();

export function compileTariff(tariff: Tariff): CompiledTariff {
  let c = compiled.get(tariff);
  if (c) return c;
  validateTariff(tariff);
  const lines: RateLine[] = [];
  const lineBase: number[][] = [];
  let tiered = false;
  tariff.versions.forEach((v, vi) => {
    lineBase.push(v.energyratestructure.map((tiers, p) => {
      const base = lines.length;
      if (tiers.length > 1) tiered = true;
      tiers.forEach((t, k) => lines.push({
        version: vi, period: p, tier: k, periodName: v.periodNames[p]!, effectiveFrom: v.effectiveFrom,
        price: t.rate + t.adj, maxWh: t.maxWh ?? Infinity, daily: t.unit === "kWh daily", tierCount: tiers.length,
      }));
      return base;
    }));
  });
  c = { tariff, lines, lineBase, tiered, tables: new WeakMap() };
  compiled.set(tariff, c);
  return c;
}

function buildTable(c: CompiledTariff, holidays: HolidayCalendar, year: number): PeriodTable {
  const { tariff, lineBase } = c;
  const start = Date.UTC(year, 0, 1) / 1000;
  const end = Date.UTC(year + 1, 0, 1) / 1000;
  const slots = (end - start) / SLOT_S;
  const spans = offsetSpans(tariff.timeZone, start, end);
  const slotRun = new Int32Array(slots);
  const rs: number[] = [], re: number[] = [], rl: number[] = [], rm: number[] = [];
  let span = 0;
  let prevDay = NaN;
  let dayWeekend = false, dayVersion = -1, dayMonth = 0, dayMonthKey = 0;
  for (let i = 0; i < slots; i++) {
    const t = start + i * SLOT_S;
    while (span + 1 < spans.length && spans[span + 1]!.from <= t) span++;
    const local = t + spans[span]!.offset;
    const day = Math.floor(local / 86400);
    if (day !== prevDay) {
      prevDay = day;
      const d = new Date(day * 86400_000);
      const y = d.getUTCFullYear(), m = d.getUTCMonth() + 1;
      const date = formatLocalDate(y, m, d.getUTCDate());
      const wd = d.getUTCDay();
      dayWeekend = wd === 0 || wd === 6 || holidays.isHoliday(date);
      dayVersion = versionIndexAt(tariff, date);
      dayMonth = m - 1;
      dayMonthKey = y * 12 + m - 1;
    }
    const hour = Math.floor((local - day * 86400) / 3600);
    let line = -1;
    if (dayVersion >= 0) {
      const v = tariff.versions[dayVersion]!;
      const period = (dayWeekend ? v.energyweekendschedule : v.energyweekdayschedule)[dayMonth]![hour]!;
      line = lineBase[dayVersion]![period]!;
    }
    const last = rs.length - 1;
    if (last >= 0 && rl[last] === line && rm[last] === dayMonthKey) {
      re[last] = t + SLOT_S;
    } else {
      rs.push(t); re.push(t + SLOT_S); rl.push(line); rm.push(dayMonthKey);
    }
    slotRun[i] = rs.length - 1;
  }
  return {
    start, end, slotRun, runStart: Float64Array.from(rs), runEnd: Float64Array.from(re),
    runLine: Int32Array.from(rl), runMonth: Int32Array.from(rm), runCount: rs.length,
  };
}

/** The table covering UTC second t (its UTC calendar year). */
export function tableAt(c: CompiledTariff, holidays: HolidayCalendar, t: number): PeriodTable {
  let byYear = c.tables.get(holidays);
  if (!byYear) { byYear = new Map(); c.tables.set(holidays, byYear); }
  const year = new Date(t * 1000).getUTCFullYear();
  let tb = byYear.get(year);
  if (!tb) { tb = buildTable(c, holidays, year); byYear.set(year, tb); }
  return tb;
}

/** A run located in its table: what priceAt and the splitter walk. */
export interface RunRef { tb: PeriodTable; r: number }

export function runAt(c: CompiledTariff, holidays: HolidayCalendar, t: number): RunRef {
  const tb = tableAt(c, holidays, t);
  return { tb, r: tb.slotRun[Math.floor((t - tb.start) / SLOT_S)]! };
}

export function nextRun(c: CompiledTariff, holidays: HolidayCalendar, ref: RunRef): RunRef {
  return ref.r + 1 < ref.tb.runCount ? { tb: ref.tb, r: ref.r + 1 } : { tb: tableAt(c, holidays, ref.tb.end), r: 0 };
}

export function prevRun(c: CompiledTariff, holidays: HolidayCalendar, ref: RunRef): RunRef {
  if (ref.r > 0) return { tb: ref.tb, r: ref.r - 1 };
  const tb = tableAt(c, holidays, ref.tb.start - 1);
  return { tb, r: tb.runCount - 1 };
}

export function noVersionError(c: CompiledTariff, t: number, where: string): TariffError {
  const local = localDateAt(c.tariff.timeZone, t);
  return new TariffError(where, `no version of tariff ${c.tariff.id} is in force at ${new Date(t * 1000).toISOString()} (local date ${local}); its versions cover ${coverageText(c.tariff)}`);
}
