// One energy window, one charge (issue 13): the same energy must not be billed twice under two session IDs. Each
// revision's energy window is stored on its session row; a session whose window overlaps a settled (posted or
// awaiting-final) session of the same PEV, or of the same EUMD (the hub's meter at the premises), is held for review:
// the later one loses. The lookups walk the sessions table's existing (vin, started_at) and (premises_id,
// started_at) indexes, bounded by the longest session seen, so intake writes no extra index per report.
import type { SqlStore } from "../../../core/storage/index.ts";
import type { EnergyWindow } from "../binding/binding-grants.ts";
import { WorkerCache, type WorkerCacheOptions } from "../worker-cache.ts";

const SETTLED = `s.status IN ('posted', 'awaiting-final') AND s.session_id != ?
  AND COALESCE(s.energy_from, s.started_at) < ? AND COALESCE(s.energy_to, s.ended_at, s.started_at + 86400) > ?
  AND NOT EXISTS (SELECT 1 FROM sessions n WHERE n.premises_id = s.premises_id AND n.session_id = s.session_id AND n.revision > s.revision)`;

export class SettledWindows {
  private readonly byVinOrEumd: string;
  private readonly byEumd: string;
  /** The longest span from plug-in to the end of energy seen: bounds the index range an overlap query walks. */
  private longest: number | null = null;
  private readonly fresh: WorkerCache<"longest", true>;

  constructor(private readonly db: SqlStore, cache: WorkerCacheOptions = {}) {
    this.fresh = new WorkerCache(cache);
    // A PEV charges at any premises (home, guest, roaming): its overlap check looks at every premises. The PEV's and
    // the EUMD's checks are one statement (one round trip per report, issue 15); a hit by the PEV is named first.
    const byVin = `SELECT 1 AS by_vin, s.session_id, s.energy_from, s.energy_to FROM sessions s WHERE s.vin = ? AND s.started_at > ? AND s.started_at < ?
      AND ${SETTLED} LIMIT 1 -- multi-shard: one PEV's sessions at every premises
`;
    const byEumd = `SELECT 0 AS by_vin, s.session_id, s.energy_from, s.energy_to FROM sessions s WHERE s.premises_id = ? AND s.hub_id = ? AND s.started_at > ? AND s.started_at < ?
      AND ${SETTLED} LIMIT 1`;
    this.byVinOrEumd = `SELECT * FROM (${byVin}) v UNION ALL SELECT * FROM (${byEumd}) m ORDER BY by_vin DESC LIMIT 1`;
    this.byEumd = byEumd;
  }

  /**
   * The bound over every session stored so far, shared by every head-end worker through the settings row
   * `longest_session_span_s` (a worker that stores a longer session raises it in the same transaction), read again
   * after 5 s (worker-cache.ts). Without the row (a database older than it) it is computed once from the sessions.
   */
  private async longestSpan(): Promise<number> {
    if (this.longest === null || !this.fresh.peek("longest")) {
      const row = await this.db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'longest_session_span_s'");
      let m = row ? Number(row.value) : null;
      if (m === null) {
        m = (await this.db.get<{ m: number | null }>("SELECT MAX(COALESCE(energy_to, ended_at, started_at + 86400) - started_at) AS m FROM sessions -- multi-shard: once, before the bound is kept"))?.m ?? 86_400;
        await this.raise(m);
      }
      this.longest = Math.max(this.longest ?? 0, m);
      this.fresh.set("longest", true);
    }
    return this.longest;
  }

  /** Raises the shared bound to `span` unless it is already as high (never lowers it). */
  private async raise(span: number): Promise<void> {
    await this.db.run(`INSERT INTO settings (key, value) VALUES ('longest_session_span_s', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value
      WHERE CAST(settings.value AS BIGINT) < CAST(excluded.value AS BIGINT)`, String(span));
  }

  /** Another settled session whose energy overlaps `w` for this PEV or this EUMD, with the reason; or null. */
  async overlap(sessionId: string, vin: string | null, premisesId: string, hubId: string, w: EnergyWindow): Promise<string | null> {
    type Hit = { by_vin: number; session_id: string; energy_from: number | null; energy_to: number | null };
    const lo = w.from - (await this.longestSpan()) - 1;
    const eumd = [premisesId, hubId, lo, w.to, sessionId, w.to, w.from];
    const hit = vin !== null
      ? await this.db.get<Hit>(this.byVinOrEumd, vin, lo, w.to, sessionId, w.to, w.from, ...eumd)
      : await this.db.get<Hit>(this.byEumd, ...eumd);
    if (!hit) return null;
    const who = hit.by_vin === 1 ? `PEV ${vin}` : `the EUMD of hub ${hubId}`;
    return `energy window ${w.from}-${w.to} overlaps session ${hit.session_id} (${hit.energy_from ?? "?"}-${hit.energy_to ?? "?"}) already settled for ${who}: the same energy would be billed twice`;
  }

  /** Called with every stored revision's window, in its transaction: keeps the bound covering it, for every worker. */
  async seen(startedAt: number, w: EnergyWindow | null): Promise<void> {
    if (!w) return;
    const span = w.to - startedAt;
    if (this.longest !== null && span <= this.longest) return;
    if (span <= await this.longestSpan()) return;
    await this.raise(span);
    this.longest = span;
  }
}
