// The sessions history as CSV (RFC 4180): local time in the premises' zone for people, UTC ISO for machines.
import type { DashboardSessionRow } from "../../../core/index.ts";
import { toIso, type UtcSeconds } from "../../../core/time/index.ts";

const cell = (v: string | number | null): string => {
  const s = v === null ? "" : String(v);
  // Quote when needed; a leading = + - @ would be run as a formula by spreadsheets, so prefix it.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === "string" ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function localTime(tz: string, t: number): string {
  const f = new Intl.DateTimeFormat("sv-SE", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  return f.format(new Date(t * 1000));
}

export function sessionsCsv(rows: readonly DashboardSessionRow[], tz: string): string {
  const head = ["session_id", `plugged_in_local (${tz})`, `ended_local (${tz})`, "plugged_in_utc", "ended_utc", "vin", "outcome", "program", "rate", "fallback_reason", "energy_kwh", "cost_usd", "sync"];
  const lines = [head.map(cell).join(",")];
  for (const r of rows) {
    lines.push([
      r.id, localTime(tz, r.pluggedAt), r.endedAt === null ? null : localTime(tz, r.endedAt), toIso(r.pluggedAt as UtcSeconds),
      r.endedAt === null ? null : toIso(r.endedAt as UtcSeconds), r.vin, r.phase === "fallback" || r.rate === "default" ? "fallback" : r.bindingStatus ?? r.phase,
      r.programName, r.rate, r.fallbackReason, (r.totalWh / 1000).toFixed(3), r.costNanoUsd === null ? null : (r.costNanoUsd / 1e9).toFixed(4), r.sync,
    ].map(cell).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}
