// One energy window, one charge (issue 13): the same energy must not be billed twice under two session IDs. Each
// revision's energy window is stored on its session row; a session whose window overlaps a settled (posted or
// awaiting-final) session of the same PEV, or of the same EUMD (the hub's meter at the premises), is held for review:
// the later one loses. The lookups walk the sessions table's existing (vin, started_at) and (premises_id,
// started_at) indexes, bounded by the longest session seen, so intake writes no extra index per report.
import type { Database, Statement } from "bun:sqlite";
import type { EnergyWindow } from "../binding/binding-grants.ts";

const SETTLED = `s.status IN ('posted', 'awaiting-final') AND s.session_id != ?
  AND COALESCE(s.energy_from, s.started_at) < ? AND COALESCE(s.energy_to, s.ended_at, s.started_at + 86400) > ?
  AND NOT EXISTS (SELECT 1 FROM sessions n WHERE n.session_id = s.session_id AND n.revision > s.revision)`;

export class SettledWindows {
  private readonly byVin: Statement;
  private readonly byEumd: Statement;
  /** The longest span from plug-in to the end of energy seen: bounds the index range an overlap query walks. */
  private longest: number;

  constructor(db: Database) {
    this.byVin = db.prepare(`SELECT s.session_id, s.energy_from, s.energy_to FROM sessions s WHERE s.vin = ? AND s.started_at > ? AND s.started_at < ?
      AND ${SETTLED} LIMIT 1`);
    this.byEumd = db.prepare(`SELECT s.session_id, s.energy_from, s.energy_to FROM sessions s WHERE s.premises_id = ? AND s.hub_id = ? AND s.started_at > ? AND s.started_at < ?
      AND ${SETTLED} LIMIT 1`);
    this.longest = (db.query("SELECT MAX(COALESCE(energy_to, ended_at, started_at + 86400) - started_at) AS m FROM sessions").get() as { m: number | null }).m ?? 86_400;
  }

  /** Another settled session whose energy overlaps `w` for this PEV or this EUMD, with the reason; or null. */
  overlap(sessionId: string, vin: string | null, premisesId: string, hubId: string, w: EnergyWindow): string | null {
    const lo = w.from - this.longest - 1;
    const byVin = vin !== null ? this.byVin.get(vin, lo, w.to, sessionId, w.to, w.from) : null;
    const hit = (byVin ?? this.byEumd.get(premisesId, hubId, lo, w.to, sessionId, w.to, w.from)) as { session_id: string; energy_from: number | null; energy_to: number | null } | null;
    if (!hit) return null;
    const who = byVin ? `PEV ${vin}` : `the EUMD of hub ${hubId}`;
    return `energy window ${w.from}-${w.to} overlaps session ${hit.session_id} (${hit.energy_from ?? "?"}-${hit.energy_to ?? "?"}) already settled for ${who}: the same energy would be billed twice`;
  }

  /** Called with every stored revision's window: keeps the query bound covering it. */
  seen(startedAt: number, w: EnergyWindow | null): void {
    if (w) this.longest = Math.max(this.longest, w.to - startedAt);
  }
}
