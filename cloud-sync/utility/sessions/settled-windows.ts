// One energy window, one charge (issue 13): the same energy must not be billed twice under two session IDs. Every
// settled session's energy window is kept per PEV (VIN) and per EUMD (the hub's meter); a session whose window
// overlaps another settled session of the same PEV or the same EUMD is held for review (the later one loses).
import type { Database, Statement } from "bun:sqlite";
import type { EnergyWindow } from "../binding/binding-grants.ts";

export class SettledWindows {
  private readonly upsert: Statement;
  private readonly remove: Statement;
  private readonly byVin: Statement;
  private readonly byHub: Statement;
  /** The longest window stored: bounds the index range an overlap query walks. */
  private longest: number;

  constructor(db: Database) {
    this.upsert = db.prepare(`INSERT INTO settled_windows (session_id, vin, hub_id, energy_from, energy_to) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (session_id) DO UPDATE SET vin = excluded.vin, hub_id = excluded.hub_id, energy_from = excluded.energy_from, energy_to = excluded.energy_to`);
    this.remove = db.prepare("DELETE FROM settled_windows WHERE session_id = ?");
    // Only windows starting within `longest` before this one can reach into it; the index range stays short.
    this.byVin = db.prepare(`SELECT session_id, energy_from, energy_to FROM settled_windows WHERE vin = ? AND energy_from > ? AND energy_from < ?
      AND energy_to > ? AND session_id != ? LIMIT 1`);
    this.byHub = db.prepare(`SELECT session_id, energy_from, energy_to FROM settled_windows WHERE hub_id = ? AND energy_from > ? AND energy_from < ?
      AND energy_to > ? AND session_id != ? LIMIT 1`);
    this.longest = (db.query("SELECT MAX(energy_to - energy_from) AS m FROM settled_windows").get() as { m: number | null }).m ?? 0;
  }

  /** Another settled session whose energy overlaps `w` for this PEV or this EUMD, with the reason; or null. */
  overlap(sessionId: string, vin: string | null, hubId: string, w: EnergyWindow): string | null {
    const lo = w.from - this.longest - 1;
    const hit = (vin !== null ? this.byVin.get(vin, lo, w.to, w.from, sessionId) : null) ?? this.byHub.get(hubId, lo, w.to, w.from, sessionId);
    if (!hit) return null;
    const h = hit as { session_id: string; energy_from: number; energy_to: number };
    const who = vin !== null && this.byVin.get(vin, lo, w.to, w.from, sessionId) ? `PEV ${vin}` : `the EUMD of hub ${hubId}`;
    return `energy window ${w.from}-${w.to} overlaps session ${h.session_id} (${h.energy_from}-${h.energy_to}) already settled for ${who}: the same energy would be billed twice`;
  }

  settled(sessionId: string, vin: string | null, hubId: string, w: EnergyWindow | null): void {
    if (!w) return this.unsettled(sessionId);
    this.upsert.run(sessionId, vin, hubId, w.from, w.to);
    this.longest = Math.max(this.longest, w.to - w.from);
  }

  unsettled(sessionId: string): void {
    this.remove.run(sessionId);
  }
}
