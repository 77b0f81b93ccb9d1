// Demand-response events (issued by the operator) and the hubs' status reports. Events reach hubs through the
// config pull (protocol hub-config `drEvents`); a hub reports received/started/completed/opted-out back.
import type { SqlStore } from "../../../core/storage/index.ts";
import type { PremisesId } from "../../../core/ids/index.ts";
import type { Clock } from "../../../core/time/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { DrEvent } from "../../protocol/index.ts";
import type { DrStatusReport } from "../../protocol/index.ts";
import type { EnrollmentStore } from "../enrollment/enrollment-store.ts";
import { conflict, notFound } from "../errors.ts";
import type { DrEventRecord } from "../types.ts";

interface DrRow {
  id: string; program_id: string | null; premises_ids: string | null; start_at: number; duration_s: number;
  body: string; cancelled: number; created_at: number;
}

export interface DrReportRecord { eventId: string; hubId: string; premisesId: string; status: string; at: UtcSeconds; receivedAt: UtcSeconds }

/** How long after its end an event is still sent to hubs (so a hub offline during it still reports on it). */
const KEEP_AFTER_END_S = 86_400;

export class DrEvents {
  constructor(private readonly db: SqlStore, private readonly clock: Clock, private readonly enrollment: EnrollmentStore) {}

  async issue(event: DrEvent, target: { programId: string | null; premisesIds: string[] | null }): Promise<DrEventRecord> {
    if (await this.get(event.id)) throw conflict(`demand-response event ${event.id} already exists`, "id");
    if (target.programId && !await this.enrollment.program(target.programId)) throw notFound("program", target.programId, "programId");
    const now = this.clock.now();
    await this.db.run(`INSERT INTO dr_events (id, program_id, premises_ids, start_at, duration_s, body, cancelled, created_at)
      VALUES (?, ?, ?, ?, ?, ?, 0, ?)`, event.id, target.programId, target.premisesIds ? JSON.stringify(target.premisesIds) : null,
      event.start, event.durationS, JSON.stringify(event), now);
    return { event, programId: target.programId, premisesIds: target.premisesIds as PremisesId[] | null, createdAt: now };
  }

  async cancel(id: string): Promise<DrEventRecord> {
    const e = await this.get(id);
    if (!e) throw notFound("demand-response event", id, "id");
    if (e.event.cancelledAt !== undefined) return e;
    const event: DrEvent = { ...e.event, cancelledAt: this.clock.now() };
    await this.db.run("UPDATE dr_events SET cancelled = 1, body = ? WHERE id = ?", JSON.stringify(event), id);
    return { ...e, event };
  }

  async get(id: string): Promise<DrEventRecord | null> {
    const r = await this.db.get<DrRow>("SELECT * FROM dr_events WHERE id = ?", id);
    return r ? toRecord(r) : null;
  }

  /** Events a hub at `premisesId` should know about now: not over for more than a day, targeted at it. */
  async forPremises(premisesId: string): Promise<DrEvent[]> {
    const now = this.clock.now();
    const programIds = new Set((await this.enrollment.enrollmentsAtPremises(premisesId)).map((e) => e.programId));
    const rows = await this.db.all<DrRow>("SELECT * FROM dr_events WHERE start_at + duration_s + ? > ? ORDER BY start_at, id", KEEP_AFTER_END_S, now);
    return rows.map(toRecord).filter((r) =>
      (r.programId === null || programIds.has(r.programId)) && (r.premisesIds === null || r.premisesIds.includes(premisesId as PremisesId)),
    ).map((r) => r.event);
  }

  /** Every event that targeted a premises (for the S4 customer API), newest first. */
  async historyForPremises(premisesIds: readonly string[], limit = 100): Promise<(DrEventRecord & { reports: DrReportRecord[] })[]> {
    const rows = await this.db.all<DrRow>("SELECT * FROM dr_events ORDER BY start_at DESC LIMIT 1000");
    const out: (DrEventRecord & { reports: DrReportRecord[] })[] = [];
    const programs = new Set((await Promise.all(premisesIds.map((p) => this.enrollment.enrollmentsAtPremises(p)))).flat().map((e) => e.programId));
    for (const r of rows.map(toRecord)) {
      const hit = (r.programId === null || programs.has(r.programId)) && (r.premisesIds === null || r.premisesIds.some((p) => premisesIds.includes(p)));
      if (hit) out.push({ ...r, reports: (await this.reports(r.event.id)).filter((x) => premisesIds.includes(x.premisesId)) });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Records a hub's status report; the same (event, hub, status) again is a duplicate. */
  async report(rep: DrStatusReport): Promise<{ duplicate: boolean }> {
    if (!await this.get(rep.eventId)) throw notFound("demand-response event", rep.eventId, "eventId");
    const dup = await this.db.get("SELECT 1 AS one FROM dr_reports WHERE premises_id = ? AND event_id = ? AND hub_id = ? AND status = ?", rep.premisesId, rep.eventId, rep.hubId, rep.status);
    if (dup) return { duplicate: true };
    await this.db.run("INSERT INTO dr_reports (event_id, hub_id, premises_id, status, opt_out, at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rep.eventId, rep.hubId, rep.premisesId, rep.status, rep.status === "opted-out" ? 1 : 0, rep.at, this.clock.now());
    return { duplicate: false };
  }

  async reports(eventId: string): Promise<DrReportRecord[]> {
    const rows = await this.db.all<{ event_id: string; hub_id: string; premises_id: string; status: string; at: number; received_at: number }>("SELECT event_id, hub_id, premises_id, status, at, received_at FROM dr_reports WHERE event_id = ? ORDER BY at, hub_id, status -- multi-shard: an event's reports from every premises", eventId);
    return rows.map((r) => ({ eventId: r.event_id, hubId: r.hub_id, premisesId: r.premises_id, status: r.status, at: r.at as UtcSeconds, receivedAt: r.received_at as UtcSeconds }));
  }
}

const toRecord = (r: DrRow): DrEventRecord => ({
  event: JSON.parse(r.body) as DrEvent,
  programId: r.program_id,
  premisesIds: r.premises_ids ? (JSON.parse(r.premises_ids) as PremisesId[]) : null,
  createdAt: r.created_at as UtcSeconds,
});
