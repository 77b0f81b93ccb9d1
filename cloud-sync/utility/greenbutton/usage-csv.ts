// The same download as CSV, one row per reading: the usage point, the interval's start as UTC seconds (machine) and as
// ISO-8601 local time with its offset (human; unambiguous in the repeated hour of a DST fall-back), its length, Wh,
// the cost in dollars to ESPI's precision (10⁻⁵ $, empty where the head-end charges nothing itself) and ESPI's
// QualityOfReading code (empty = valid). Written as RFC 4180 by the few lines below: csv-stringify measured 8× slower
// (250 ms against 30 ms for a year of readings, bench/greenbutton.bench.ts) for output that never needs more than
// quoting; the test reads it back with csv-parse.
import { offsetSpans, type OffsetSpan } from "../../../core/tariff/index.ts";
import { espiCostFromNano } from "./espi-codes.ts";
import type { AccountUsage } from "./usage-model.ts";

export const CSV_COLUMNS = [
  "usage_point", "kind", "start_utc_s", "start_local", "duration_s", "wh", "cost_usd", "quality_code",
] as const;

export function usageCsv(u: AccountUsage): string {
  // The zone's offsets over the period, found once (Intl is slow per call); each row then looks its offset up.
  const spans = offsetSpans(u.timeZone, u.period.start, u.period.end);
  const rows: string[] = [CSV_COLUMNS.join(",")];
  for (const p of u.usagePoints) {
    for (const s of p.series) {
      for (const r of s.readings) {
        rows.push([
          p.key, p.kind, r.start, localIso(spans, r.start), r.durationS, r.wh,
          r.costNano === null ? "" : dollars(espiCostFromNano(r.costNano)), r.quality ?? "",
        ].map(field).join(","));
      }
    }
  }
  return `${rows.join("\r\n")}\r\n`;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function field(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** ESPI cost units (10⁻⁵ $) as an exact decimal string: 12345 → "0.12345". */
export function dollars(e5: number): string {
  const mag = Math.abs(e5);
  return `${e5 < 0 ? "-" : ""}${Math.floor(mag / 100_000)}.${String(mag % 100_000).padStart(5, "0")}`;
}

function localIso(spans: readonly OffsetSpan[], t: number): string {
  let lo = 0, hi = spans.length - 1; // the last span starting at or before t
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (spans[mid]!.from <= t) lo = mid;
    else hi = mid - 1;
  }
  const off = spans[lo]!.offset;
  const wall = new Date((t + off) * 1000).toISOString().slice(0, 19);
  const a = Math.abs(off);
  return `${wall}${off < 0 ? "-" : "+"}${String(Math.floor(a / 3600)).padStart(2, "0")}:${String(Math.floor((a % 3600) / 60)).padStart(2, "0")}`;
}
