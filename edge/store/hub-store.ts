// The hub's durable store: bun:sqlite in WAL mode. The engine's state snapshot, the session rows, their events
// and intervals from one engine step are written in ONE transaction, before any command is carried out,
// so a hub killed at any instant restarts with every interval present exactly once.
import type { SessionRowView } from "../../core/index.ts";
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { BillSummary } from "../../cloud-sync/protocol/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { ClosedInterval, Command, HubState, IntervalQuality, Session, SessionEventRecord } from "../engine/types.ts";
import { migrate } from "./migrations.ts";

const BILLS_KEY = "sync.bills";
const QUALITY_CODES: IntervalQuality[] = ["ok", "partial", "estimated", "reset", "suspect"];
const qualityCode = (q: IntervalQuality): number => QUALITY_CODES.indexOf(q);
const qualityName = (c: number): IntervalQuality => QUALITY_CODES[c] ?? "suspect";

/** A session row as the store keeps it: the wire's row (core/hub-api) without the fields its view derives. */
export interface SessionRow extends Omit<SessionRowView, "pluggedAtIso" | "endedAtIso" | "established" | "fallbackReasonText" | "commissioning" | "chargePoint"> {
  commissioning: Session["commissioning"];
  /** The charge point the session ran on: null for the hub's own charger ([devices.charger]), else its [[charge_points]] id. */
  chargePoint: string | null;
}

export interface StoredInterval { start: number; lengthS: number; wh: number; quality: IntervalQuality }
export interface StoredEvent { at: number; kind: string; reason: string }
export interface SessionDetail extends SessionRow { events: StoredEvent[]; intervals: StoredInterval[] }
export interface DayEnergy { day: number; wh: number }
/** An idTag (RFID card or Autocharge VID:<MAC>) the owner registered for a VIN: the charger's vehicle identity. */
export interface VehicleTag { tag: string; vin: string; registeredAt: number }
export interface PevRecord { vin: string; programId: string; secretHex: string | null; credential: unknown; commissionedAt: number }

interface RawSession {
  id: string; seq: number; premises_id: string; vin: string | null; plugged_at: number; ended_at: number | null; phase: string;
  binding_path: string | null; binding_status: string | null; program_id: string | null; program_name: string | null;
  tariff_id: string | null; offline: number; fallback_reason: string | null; rate: string; revision: number; total_wh: number;
  commissioning: string | null; charge_point: string | null;
}

const toRow = (r: RawSession): SessionRow => ({
  id: r.id, seq: r.seq, premisesId: r.premises_id, vin: r.vin, pluggedAt: r.plugged_at, endedAt: r.ended_at, phase: r.phase,
  bindingPath: r.binding_path, bindingStatus: r.binding_status, programId: r.program_id, programName: r.program_name,
  tariffId: r.tariff_id, offline: r.offline === 1, fallbackReason: r.fallback_reason, rate: r.rate, revision: r.revision,
  totalWh: r.total_wh, commissioning: r.commissioning ? JSON.parse(r.commissioning) : null, chargePoint: r.charge_point,
});

interface RawInterval { start: number; length_s: number; wh: number; quality: number }
const toInterval = (i: RawInterval): StoredInterval => ({ start: i.start, lengthS: i.length_s, wh: i.wh, quality: qualityName(i.quality) });

export class HubStore {
  readonly db: Database;
  private readonly stmts;

  constructor(readonly path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { create: true, strict: true });
    this.db.exec("PRAGMA journal_mode = WAL");
    this.db.exec("PRAGMA synchronous = NORMAL"); // WAL + NORMAL: durable across process kills; a power cut may lose the last commit, never corrupt
    this.db.exec("PRAGMA busy_timeout = 5000");
    this.db.exec("PRAGMA foreign_keys = ON");
    migrate(this.db, undefined, path);
    this.stmts = {
      snapshot: this.db.query("INSERT INTO engine_snapshot (id, state, updated_at) VALUES (1, $state, $at) ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"),
      loadSnapshot: this.db.query("SELECT state FROM engine_snapshot WHERE id = 1"),
      cpSnapshot: this.db.query("INSERT INTO charge_point_snapshots (charge_point, state, updated_at) VALUES ($cp, $state, $at) ON CONFLICT(charge_point) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"),
      loadCpSnapshot: this.db.query("SELECT state FROM charge_point_snapshots WHERE charge_point = $cp"),
      maxSeq: this.db.query("SELECT COALESCE(MAX(seq), 0) AS seq FROM sessions"),
      upsertSession: this.db.query(`INSERT INTO sessions (id, seq, premises_id, vin, plugged_at, ended_at, phase, binding_path, binding_status,
          program_id, program_name, tariff_id, offline, fallback_reason, rate, revision, total_wh, commissioning, updated_at, charge_point)
        VALUES ($id, $seq, $premises, $vin, $plugged, $ended, $phase, $path, $status, $program, $programName, $tariff, $offline,
          $reason, $rate, $revision, $total, $commissioning, $at, $cp)
        ON CONFLICT(id) DO UPDATE SET vin = excluded.vin, ended_at = excluded.ended_at, phase = excluded.phase,
          binding_path = excluded.binding_path, binding_status = excluded.binding_status, program_id = excluded.program_id,
          program_name = excluded.program_name, tariff_id = excluded.tariff_id, offline = excluded.offline,
          fallback_reason = excluded.fallback_reason, rate = excluded.rate, revision = excluded.revision,
          total_wh = excluded.total_wh, commissioning = excluded.commissioning, updated_at = excluded.updated_at`),
      insertEvent: this.db.query("INSERT INTO session_events (session_seq, at, kind, reason) VALUES ($seq, $at, $kind, $reason)"),
      insertInterval: this.db.query("INSERT INTO eumd_intervals (start, session_seq, length_s, wh, quality) VALUES ($start, $seq, $len, $wh, $q)"),
      insertPremises: this.db.query("INSERT INTO premises_intervals (start, length_s, wh, quality) VALUES ($start, $len, $wh, $q) ON CONFLICT(start) DO NOTHING"),
      seqOf: this.db.query("SELECT seq FROM sessions WHERE id = $id"),
      listSessions: this.db.query("SELECT * FROM sessions WHERE plugged_at < $before ORDER BY plugged_at DESC LIMIT $limit"),
      getSession: this.db.query("SELECT * FROM sessions WHERE id = $id"),
      sessionEvents: this.db.query("SELECT at, kind, reason FROM session_events WHERE session_seq = $seq ORDER BY at, id"),
      sessionIntervals: this.db.query("SELECT start, length_s, wh, quality FROM eumd_intervals WHERE session_seq = $seq ORDER BY start"),
      intervalsOfSession: this.db.query("SELECT start, length_s, wh, quality FROM eumd_intervals WHERE session_seq = (SELECT seq FROM sessions WHERE id = $id) ORDER BY start"),
      hubEvents: this.db.query("SELECT at, kind, reason FROM session_events WHERE session_seq IS NULL ORDER BY id DESC LIMIT $limit"),
      dailyEumd: this.db.query("SELECT (start / 86400) * 86400 AS day, SUM(wh) AS wh FROM eumd_intervals WHERE start >= $from AND start < $to GROUP BY start / 86400 ORDER BY day"),
      rangeEumd: this.db.query("SELECT start, length_s, wh, quality FROM eumd_intervals WHERE start >= $from AND start < $to ORDER BY start"),
      rangeEumdSeq: this.db.query("SELECT start, length_s, wh, quality, session_seq FROM eumd_intervals WHERE start >= $from AND start < $to ORDER BY start"),
      sessionRatesBetween: this.db.query(`SELECT seq, rate, tariff_id FROM sessions
        WHERE seq IN (SELECT DISTINCT session_seq FROM eumd_intervals WHERE start >= $from AND start < $to)`),
      rangePremises: this.db.query("SELECT start, length_s, wh, quality FROM premises_intervals WHERE start >= $from AND start < $to ORDER BY start"),
      getSetting: this.db.query("SELECT value FROM settings WHERE key = $key"),
      setSetting: this.db.query("INSERT INTO settings (key, value, updated_at) VALUES ($key, $value, $at) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"),
      savePev: this.db.query(`INSERT INTO pevs (vin, program_id, secret_hex, credential, commissioned_at) VALUES ($vin, $program, $secret, $credential, $at)
        ON CONFLICT(vin) DO UPDATE SET program_id = excluded.program_id, secret_hex = COALESCE(excluded.secret_hex, pevs.secret_hex),
          credential = COALESCE(excluded.credential, pevs.credential), commissioned_at = excluded.commissioned_at`),
      putTag: this.db.query("INSERT INTO vehicle_tags (tag, vin, registered_at) VALUES ($tag, $vin, $at) ON CONFLICT(tag) DO UPDATE SET vin = excluded.vin, registered_at = excluded.registered_at"),
      deleteTag: this.db.query("DELETE FROM vehicle_tags WHERE tag = $tag"),
      getTag: this.db.query("SELECT vin FROM vehicle_tags WHERE tag = $tag"),
      listTags: this.db.query("SELECT tag, vin, registered_at AS registeredAt FROM vehicle_tags ORDER BY vin, tag LIMIT 200"),
      getPev: this.db.query("SELECT vin, program_id, secret_hex, credential, commissioned_at FROM pevs WHERE vin = $vin"),
    };
  }

  /** The engine state a charge point last committed (null: the hub's own charger). */
  loadSnapshot(chargePoint: string | null = null): HubState | null {
    const row = (chargePoint === null ? this.stmts.loadSnapshot.get() : this.stmts.loadCpSnapshot.get({ cp: chargePoint })) as { state: string } | null;
    return row ? (JSON.parse(row.state) as HubState) : null;
  }

  /** The highest session number any charge point used: a new engine numbers its sessions after it (unique per premises). */
  maxSessionSeq(): number { return (this.stmts.maxSeq.get() as { seq: number }).seq; }

  /**
   * Persists one engine step atomically: the new state, the current session row, recorded events and closed intervals.
   * `before` is the state the step started from, so a session that ended in this step is written in its final form.
   */
  commitStep(before: HubState, after: HubState, commands: readonly Command[], now: UtcSeconds, within?: () => void, chargePoint: string | null = null): void {
    this.db.transaction(() => {
      if (chargePoint === null) this.stmts.snapshot.run({ state: JSON.stringify(after), at: now });
      else this.stmts.cpSnapshot.run({ cp: chargePoint, state: JSON.stringify(after), at: now });
      const touched = new Map<number, Session>();
      if (after.lastEnded && after.lastEnded !== before.lastEnded) touched.set(after.lastEnded.seq, after.lastEnded);
      if (after.session) touched.set(after.session.seq, after.session);
      for (const c of commands) {
        if (c.type === "record") this.insertEvent(c.event, after, before);
        else if (c.type === "interval") this.insertInterval(c.interval, after, before);
      }
      for (const s of touched.values()) this.upsertSession(s, after.settings.premisesId, now, chargePoint);
      // The outbox lives in this database: what the step sends is queued in this same transaction (issue 12).
      within?.();
    })();
  }

  private seqFor(id: string | null, after: HubState, before: HubState): number | null {
    if (id === null) return null;
    for (const s of [after.session, after.lastEnded, before.session]) if (s && s.id === id) return s.seq;
    return (this.stmts.seqOf.get({ id }) as { seq: number } | null)?.seq ?? null;
  }

  private insertEvent(e: SessionEventRecord, after: HubState, before: HubState): void {
    this.stmts.insertEvent.run({ seq: this.seqFor(e.sessionId, after, before), at: e.at, kind: e.kind, reason: e.reason });
  }

  private insertInterval(i: ClosedInterval, after: HubState, before: HubState): void {
    const seq = this.seqFor(i.sessionId, after, before);
    if (seq === null) throw new Error(`interval for unknown session ${i.sessionId}`);
    this.stmts.insertInterval.run({ start: i.start, seq, len: i.lengthS, wh: i.wh, q: qualityCode(i.quality) });
  }

  private upsertSession(s: Session, premisesId: string, now: UtcSeconds, chargePoint: string | null): void {
    this.stmts.upsertSession.run({ cp: chargePoint,
      id: s.id, seq: s.seq, premises: premisesId, vin: s.vin, plugged: s.pluggedAt,
      ended: s.endedAt, phase: s.phase, path: s.binding.path, status: s.binding.status, program: s.binding.programId,
      programName: s.binding.programName, tariff: s.binding.tariffId, offline: s.binding.offline ? 1 : 0,
      reason: s.fallbackReason, rate: s.rate, revision: s.revision, total: s.metering.totalWh,
      commissioning: s.commissioning ? JSON.stringify(s.commissioning) : null, at: now,
    });
  }

  /** Every session's ID and latest revision: what the outbox reconciliation checks at start-up. */
  sessionRevisions(): { id: string; revision: number }[] {
    return this.db.query<{ id: string; revision: number }, []>("SELECT id, revision FROM sessions ORDER BY seq").all();
  }

  listSessions(limit = 50, before = Number.MAX_SAFE_INTEGER): SessionRow[] {
    return (this.stmts.listSessions.all({ before, limit }) as RawSession[]).map(toRow);
  }

  getSession(id: string): SessionDetail | null {
    const raw = this.stmts.getSession.get({ id }) as RawSession | null;
    if (!raw) return null;
    const row = toRow(raw);
    const events = this.stmts.sessionEvents.all({ seq: row.seq }) as StoredEvent[];
    const intervals = (this.stmts.sessionIntervals.all({ seq: row.seq }) as RawInterval[]).map(toInterval);
    return { ...row, events, intervals };
  }

  /** A session's closed intervals without its events: what a cost estimate needs. Empty for an unknown session. */
  sessionIntervals(id: string): StoredInterval[] {
    return (this.stmts.intervalsOfSession.all({ id }) as RawInterval[]).map(toInterval);
  }

  hubEvents(limit = 100): StoredEvent[] { return this.stmts.hubEvents.all({ limit }) as StoredEvent[]; }

  /** EUMD energy per UTC day in [from, to): the dashboard's month view. */
  dailyEnergy(from: number, to: number): DayEnergy[] { return this.stmts.dailyEumd.all({ from, to }) as DayEnergy[]; }

  intervalsBetween(kind: "eumd" | "premises", from: number, to: number): StoredInterval[] {
    const q = kind === "eumd" ? this.stmts.rangeEumd : this.stmts.rangePremises;
    return (q.all({ from, to }) as RawInterval[]).map(toInterval);
  }

  /** EUMD intervals in [from, to) with the rate their session was billed at (program or default) and its tariff. */
  ratedIntervalsBetween(from: number, to: number): (StoredInterval & { rate: string; tariffId: string | null })[] {
    // Two plain queries and a map: a JOIN per interval row costs more than the rows themselves on a month of minutes.
    const rates = new Map<number, { rate: string; tariffId: string | null }>();
    for (const r of this.stmts.sessionRatesBetween.all({ from, to }) as { seq: number; rate: string; tariff_id: string | null }[]) rates.set(r.seq, { rate: r.rate, tariffId: r.tariff_id });
    return (this.stmts.rangeEumdSeq.all({ from, to }) as { start: number; length_s: number; wh: number; quality: number; session_seq: number }[])
      .map((i) => ({ start: i.start, lengthS: i.length_s, wh: i.wh, quality: qualityName(i.quality), rate: rates.get(i.session_seq)?.rate ?? "default", tariffId: rates.get(i.session_seq)?.tariffId ?? null }));
  }

  /** Premises-meter intervals; a repeat of a start already stored is ignored (at-most-once per slot). */
  insertPremisesIntervals(rows: readonly StoredInterval[], within?: () => void): void {
    this.db.transaction(() => {
      for (const r of rows) this.stmts.insertPremises.run({ start: r.start, len: r.lengthS, wh: r.wh, q: qualityCode(r.quality) });
      within?.();
    })();
  }

  getSetting<T>(key: string): T | null {
    const row = this.stmts.getSetting.get({ key }) as { value: string } | null;
    return row ? (JSON.parse(row.value) as T) : null;
  }
  setSetting(key: string, value: unknown, now: number): void { this.stmts.setSetting.run({ key, value: JSON.stringify(value), at: now }); }

  /** Bills synced from the utility (FR-34), validated on arrival; kept so the dashboard shows them offline (FR-35). */
  saveBills(bills: readonly BillSummary[], now: number): void { this.setSetting(BILLS_KEY, bills, now); }
  bills(): BillSummary[] { return this.getSetting<BillSummary[]>(BILLS_KEY) ?? []; }

  savePev(p: PevRecord): void {
    this.stmts.savePev.run({ vin: p.vin, program: p.programId, secret: p.secretHex, credential: p.credential === null || p.credential === undefined ? null : JSON.stringify(p.credential), at: p.commissionedAt });
  }
  getPev(vin: string): PevRecord | null {
    const r = this.stmts.getPev.get({ vin }) as { vin: string; program_id: string; secret_hex: string | null; credential: string | null; commissioned_at: number } | null;
    return r ? { vin: r.vin, programId: r.program_id, secretHex: r.secret_hex, credential: r.credential ? JSON.parse(r.credential) : null, commissionedAt: r.commissioned_at } : null;
  }

  registerVehicleTag(tag: string, vin: string, now: number): void { this.stmts.putTag.run({ tag, vin, at: now }); }
  /** Returns whether the tag was registered. */
  removeVehicleTag(tag: string): boolean { return this.stmts.deleteTag.run({ tag }).changes > 0; }
  vinForTag(tag: string): string | null { return (this.stmts.getTag.get({ tag }) as { vin: string } | null)?.vin ?? null; }
  listVehicleTags(): VehicleTag[] { return this.stmts.listTags.all() as VehicleTag[]; }

  close(): void { this.db.close(); }
}
