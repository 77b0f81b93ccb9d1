// The same download as CSV, one row per reading: the usage point, the interval's start as UTC seconds (machine) and as
// ISO-8601 local time with its offset (human; unambiguous in the repeated hour of a DST fall-back), its length, Wh,
// the cost in dollars to ESPI's precision (10⁻⁵ $, empty where the head-end charges nothing itself) and ESPI's
// QualityOfReading code (empty = valid).
import { stringify } from "csv-stringify/sync";
import { offsetAt } from "../../../core/tariff/index.ts";
import { espiCostFromNano } from "./espi-codes.ts";
import type { AccountUsage } from "./usage-model.ts";

export const CSV_COLUMNS = [
  "usage_point", "kind", "start_utc_s", "start_local", "duration_s", "wh", "cost_usd", "quality_code",
] as const;

export function usageCsv(u: AccountUsage): string {
  const rows: (string | number)[][] = [];
  for (const p of u.usagePoints) {
    for (const s of p.series) {
      for (const r of s.readings) {
        rows.push([
          p.key, p.kind, r.start, localIso(u.timeZone, r.start), r.durationS, r.wh,
          r.costNano === null ? "" : dollars(espiCostFromNano(r.costNano)), r.quality ?? "",
        ]);
      }
    }
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
}

/** ESPI cost units (10⁻⁵ $) as an exact decimal string: 12345 → "0.12345". */
export function dollars(e5: number): string {
  const mag = Math.abs(e5);
  return `${e5 < 0 ? "-" : ""}${Math.floor(mag / 100_000)}.${String(mag % 100_000).padStart(5, "0")}`;
}

function localIso(timeZone: string, t: number): string {
  const off = offsetAt(timeZone, t);
  const wall = new Date((t + off) * 1000).toISOString().slice(0, 19);
  const a = Math.abs(off);
  return `${wall}${off < 0 ? "-" : "+"}${String(Math.floor(a / 3600)).padStart(2, "0")}:${String(Math.floor((a % 3600) / 60)).padStart(2, "0")}`;
}
