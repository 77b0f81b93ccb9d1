// The hub's durable outbox (design: "Sync"). Messages wait in the hub's SQLite store until the utility
// acknowledges them: at-least-once, in order per stream (a session's next message waits for the previous
// ack), retried with exponential backoff and jitter, kept through restarts and weeks offline.
//
// Disk stays bounded because a session report is a full snapshot: a newer revision replaces every
// undelivered older one of the same session (never the one in flight), so each session holds at most two
// rows; bodies are gzipped JSON; and an optional byte cap refuses new non-superseding messages with
// OutboxFullError rather than growing without limit. docs/sync.md states the resulting bound.
import type { Database } from "bun:sqlite";
import { gunzipSync, gzipSync } from "node:zlib";
import type { Clock } from "../../core/time/index.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import { migrate } from "./outbox-schema.ts";
import { streamOf, validateOutboxMessage, type OutboxKind, type OutboxMessage } from "./outbox-message.ts";

export class OutboxFullError extends Error {
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`outbox full: ${bytes} bytes queued, cap ${maxBytes}; the message was not queued`);
    this.name = "OutboxFullError";
  }
}

export type OutboxEntry = OutboxMessage & {
  id: number;
  stream: string;
  attempts: number;
  createdAtMs: number;
  lastError: string | null;
  /** Length of the message's JSON (uncompressed), for a batch's byte budget. */
  jsonBytes: number;
};

/** What a send attempt came to. `retry`: try again later (utility down, 5xx). `rejected`: the utility refused it for good. */
export type DeliveryOutcome =
  | { kind: "delivered" }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "rejected"; error: string };

export type EnqueueResult =
  | { status: "queued"; id: number; superseded: number }
  | { status: "duplicate" } // this (session, revision) is already queued
  | { status: "stale" }; // a newer revision of this session is already queued

export interface OutboxStats {
  /** Messages waiting (including in flight). */
  depth: number;
  streams: number;
  /** Compressed bytes of the waiting messages. */
  bytes: number;
  inFlight: number;
  oldestCreatedAtMs: number | null;
  /** Earliest time a waiting stream head may be tried again (wall ms); null when the queue is empty. */
  nextAttemptAtMs: number | null;
  deadLetters: number;
  deliveredTotal: number;
  supersededTotal: number;
}

export interface DrainResult {
  delivered: number;
  retried: number;
  rejected: number;
  /** True when a retry stopped the drain early (the utility is likely down). */
  stopped: boolean;
  lastError: string | null;
}

/**
 * Sending several stream heads in one request (session reports through the batch route). Only heads of
 * different streams are ever put together, so per-stream order is the same as one at a time.
 */
export interface DrainBatching {
  /** The kinds that may share a request. */
  kinds: readonly OutboxKind[];
  /**
   * Sends ≥ 2 entries of those kinds and returns one outcome per entry, in order. A per-entry `retry` does not
   * stop the drain (the utility answered); a throw means the request as a whole failed: every entry is retried
   * and the drain stops, as for a single message.
   */
  send: (entries: OutboxEntry[]) => Promise<DeliveryOutcome[]>;
  /** Most entries per request (default 100). */
  maxMessages?: number;
  /** Most JSON bytes per request (default 1 MiB); a larger message travels alone. */
  maxBytes?: number;
}

export const DEFAULT_BATCH_MAX_MESSAGES = 100;
export const DEFAULT_BATCH_MAX_BYTES = 1024 * 1024;

export interface OutboxOptions {
  clock: Clock;
  backoff?: BackoffOptions;
  /** Cap on queued compressed bytes; default 64 MiB. Superseding session reports are always accepted. */
  maxBytes?: number;
}

interface Row {
  id: number; stream: string; kind: string; session_id: string | null; revision: number | null; body: Uint8Array;
  bytes: number; created_at_ms: number; attempts: number; next_attempt_at_ms: number; last_error: string | null;
}

export const DEFAULT_OUTBOX_MAX_BYTES = 64 * 1024 * 1024;

export class Outbox {
  private readonly clock: Clock;
  readonly backoff: Backoff;
  private readonly maxBytes: number;
  private readonly inFlight = new Set<number>();
  private readonly inFlightStreams = new Set<string>();
  private readonly q;

  constructor(private readonly db: Database, o: OutboxOptions) {
    migrate(db);
    this.clock = o.clock;
    this.backoff = new Backoff(o.backoff);
    this.maxBytes = o.maxBytes ?? DEFAULT_OUTBOX_MAX_BYTES;
    this.q = {
      insert: db.query<{ id: number }, [string, string, string | null, number | null, Uint8Array, number, number, number, number]>(
        `INSERT INTO outbox_messages (stream, kind, session_id, revision, body, bytes, created_at_ms, attempts, next_attempt_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id`),
      revisions: db.query<{ id: number; revision: number; attempts: number; next_attempt_at_ms: number }, [string]>(
        `SELECT id, revision, attempts, next_attempt_at_ms FROM outbox_messages WHERE session_id = ?1 ORDER BY revision`),
      deleteId: db.query<unknown, [number]>(`DELETE FROM outbox_messages WHERE id = ?1`),
      heads: db.query<Row, [number]>(
        `SELECT m.* FROM outbox_messages m
         JOIN (SELECT stream, MIN(id) AS id FROM outbox_messages GROUP BY stream) h ON h.id = m.id
         WHERE m.next_attempt_at_ms <= ?1 ORDER BY m.id`),
      get: db.query<Row, [number]>(`SELECT * FROM outbox_messages WHERE id = ?1`),
      bytes: db.query<{ n: number; b: number | null; s: number; oldest: number | null }, []>(
        `SELECT COUNT(*) AS n, SUM(bytes) AS b, COUNT(DISTINCT stream) AS s, MIN(created_at_ms) AS oldest FROM outbox_messages`),
      nextAttempt: db.query<{ t: number | null }, []>(
        `SELECT MIN(m.next_attempt_at_ms) AS t FROM outbox_messages m
         JOIN (SELECT stream, MIN(id) AS id FROM outbox_messages GROUP BY stream) h ON h.id = m.id`),
      failed: db.query<unknown, [number, number, string]>(
        `UPDATE outbox_messages SET attempts = attempts + 1, next_attempt_at_ms = ?2, last_error = ?3 WHERE id = ?1`),
      toDead: db.query<unknown, [number, number, string]>(
        `INSERT INTO outbox_dead_letters (id, stream, kind, session_id, revision, body, bytes, created_at_ms, attempts, failed_at_ms, error)
         SELECT id, stream, kind, session_id, revision, body, bytes, created_at_ms, attempts + 1, ?2, ?3 FROM outbox_messages WHERE id = ?1`),
      deadCount: db.query<{ n: number }, []>(`SELECT COUNT(*) AS n FROM outbox_dead_letters`),
      queuedSessions: db.query<{ id: string }, []>(`SELECT DISTINCT session_id AS id FROM outbox_messages WHERE session_id IS NOT NULL`),
      lastError: db.query<{ e: string }, []>(`SELECT last_error AS e FROM outbox_messages WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT 1`),
      meta: db.query<{ value: number }, [string]>(`SELECT value FROM outbox_meta WHERE key = ?1`),
      bump: db.query<unknown, [string, number]>(`UPDATE outbox_meta SET value = value + ?2 WHERE key = ?1`),
      retryNow: db.query<unknown, [number]>(`UPDATE outbox_messages SET next_attempt_at_ms = ?1 WHERE next_attempt_at_ms > ?1`),
      claimKey: db.query<unknown, [string, number]>(`INSERT OR IGNORE INTO outbox_keys (key, queued_at_ms) VALUES (?1, ?2)`),
      delivered: db.query<unknown, [string, number]>(
        `INSERT INTO outbox_delivered_sessions (session_id, revision) VALUES (?1, ?2)
         ON CONFLICT(session_id) DO UPDATE SET revision = MAX(revision, excluded.revision)`),
      hasRevision: db.query<{ n: number }, [string, number]>(
        `SELECT (SELECT COUNT(*) FROM outbox_messages WHERE session_id = ?1 AND revision >= ?2)
              + (SELECT COUNT(*) FROM outbox_dead_letters WHERE session_id = ?1 AND revision >= ?2)
              + (SELECT COUNT(*) FROM outbox_delivered_sessions WHERE session_id = ?1 AND revision >= ?2) AS n`),
    };
  }

  /**
   * Whether revision `revision` of a session (or a later one) is accounted for: queued, delivered, or kept as a dead
   * letter for the operator. The start-up reconciliation re-queues a session whose latest revision is not.
   */
  hasSessionRevision(sessionId: string, revision: number): boolean {
    return (this.q.hasRevision.get(sessionId, revision)?.n ?? 0) > 0;
  }

  /**
   * Validates and queues a message durably (the row is committed when this returns, or with the caller's transaction
   * when called inside one). `key`: the command's deterministic ID; a key queued before (even if since delivered) is
   * a replay and queues nothing.
   */
  enqueue(message: OutboxMessage, o: { key?: string } = {}): EnqueueResult {
    const m = validateOutboxMessage(message);
    const stream = streamOf(m);
    const json = JSON.stringify(m.body);
    const body = gzipSync(json, { level: 6 });
    const now = this.clock.nowMs();
    return this.db.transaction((): EnqueueResult => {
      if (o.key !== undefined && this.q.claimKey.run(o.key, now).changes === 0) return { status: "duplicate" };
      let superseded = 0;
      let attempts = 0;
      let nextAt = now;
      let sessionId: string | null = null;
      let revision: number | null = null;
      if (m.kind === "session-report") {
        sessionId = m.body.sessionId;
        revision = m.body.revision;
        for (const r of this.q.revisions.all(sessionId)) {
          if (r.revision === revision) return { status: "duplicate" };
          if (r.revision > revision) return { status: "stale" };
          // Older and not on the wire: the new snapshot contains everything it had. Keep its backoff,
          // so a hub offline for a week does not try every new revision at once.
          if (!this.inFlight.has(r.id)) {
            this.q.deleteId.run(r.id);
            superseded++;
            attempts = Math.max(attempts, r.attempts);
            nextAt = Math.max(nextAt, r.next_attempt_at_ms);
          }
        }
      }
      if (superseded === 0) {
        const used = this.q.bytes.get()?.b ?? 0;
        if (used + body.byteLength > this.maxBytes) throw new OutboxFullError(used, this.maxBytes);
      } else {
        this.q.bump.run("superseded_total", superseded);
      }
      const row = this.q.insert.get(stream, m.kind, sessionId, revision, body, body.byteLength, now, attempts, nextAt);
      return { status: "queued", id: row!.id, superseded };
    })();
  }

  /**
   * Claims up to `limit` stream heads that are due: one per stream, oldest first, none already in flight.
   * Each must be settled with settle().
   */
  claimDue(limit: number): OutboxEntry[] {
    const now = this.clock.nowMs();
    const out: OutboxEntry[] = [];
    for (const r of this.q.heads.all(now)) {
      if (out.length >= limit) break;
      if (this.inFlightStreams.has(r.stream)) continue;
      out.push(this.toEntry(r));
      this.inFlight.add(r.id);
      this.inFlightStreams.add(r.stream);
    }
    // A wall clock stepped backwards must not park messages for longer than the backoff ceiling.
    if (out.length === 0) this.unparkFutureHeads(now);
    return out;
  }

  /** Records the outcome of sending a claimed entry. */
  settle(entry: Pick<OutboxEntry, "id" | "stream">, outcome: DeliveryOutcome): void {
    this.settleMany([entry], [outcome]);
  }

  /** Records the outcomes of several claimed entries in one transaction (a batch's answer). */
  settleMany(entries: readonly Pick<OutboxEntry, "id" | "stream">[], outcomes: readonly DeliveryOutcome[]): void {
    if (entries.length !== outcomes.length) throw new RangeError(`settleMany: ${entries.length} entries but ${outcomes.length} outcomes`);
    for (const e of entries) {
      this.inFlight.delete(e.id);
      this.inFlightStreams.delete(e.stream);
    }
    const now = this.clock.nowMs();
    this.db.transaction(() => {
      let delivered = 0;
      entries.forEach((entry, i) => {
        const outcome = outcomes[i]!;
        const row = this.q.get.get(entry.id);
        if (!row) return;
        switch (outcome.kind) {
          case "delivered":
            if (row.session_id !== null && row.revision !== null) this.q.delivered.run(row.session_id, row.revision);
            this.q.deleteId.run(entry.id);
            delivered++;
            break;
          case "retry": {
            const wait = Math.max(outcome.retryAfterMs ?? 0, this.backoff.delayMs(row.attempts + 1));
            this.q.failed.run(entry.id, now + wait, outcome.error.slice(0, 1000));
            break;
          }
          case "rejected":
            this.q.toDead.run(entry.id, now, outcome.error.slice(0, 1000));
            this.q.deleteId.run(entry.id);
            break;
        }
      });
      if (delivered > 0) this.q.bump.run("delivered_total", delivered);
    })();
  }

  /** Makes every waiting message due now: the utility is back (reconnect), so stop waiting out the backoff. */
  retryNow(): void {
    this.q.retryNow.run(this.clock.nowMs());
  }

  /**
   * Sends due messages until none is due or a request asks to retry (the utility is likely down).
   * Streams are independent, so up to `concurrency` requests travel at once; within a stream, strictly one
   * message. With `batch`, due heads of the batchable kinds go several per request (never two of one stream).
   */
  async drain(
    send: (entry: OutboxEntry) => Promise<DeliveryOutcome>,
    o: { concurrency?: number; maxMessages?: number; batch?: DrainBatching } = {},
  ): Promise<DrainResult> {
    const concurrency = Math.max(1, o.concurrency ?? 4);
    const max = o.maxMessages ?? Number.POSITIVE_INFINITY;
    const res: DrainResult = { delivered: 0, retried: 0, rejected: 0, stopped: false, lastError: null };
    let sent = 0;
    const count = (out: DeliveryOutcome, stops: boolean) => {
      if (out.kind === "delivered") res.delivered++;
      else if (out.kind === "retry") { res.retried++; res.lastError = out.error; if (stops) res.stopped = true; }
      else { res.rejected++; res.lastError = out.error; }
    };
    const sendUnit = async (unit: OutboxEntry[]): Promise<void> => {
      if (unit.length === 1) {
        const e = unit[0]!;
        let out: DeliveryOutcome;
        try {
          out = await send(e);
        } catch (err) {
          out = { kind: "retry", error: (err as Error).message };
        }
        this.settle(e, out);
        count(out, true);
        return;
      }
      let outs: DeliveryOutcome[];
      let whole = false;
      try {
        outs = await o.batch!.send(unit);
        if (outs.length !== unit.length) throw new Error(`batch send returned ${outs.length} outcomes for ${unit.length} messages`);
      } catch (err) {
        // The request as a whole failed: every message in it is retried, and the drain stops like a single send's.
        const out: DeliveryOutcome = { kind: "retry", error: (err as Error).message };
        outs = unit.map(() => out);
        whole = true;
      }
      this.settleMany(unit, outs);
      for (const out of outs) count(out, whole);
    };
    while (sent < max && !res.stopped) {
      const units = o.batch ? this.claimUnits(concurrency, max - sent, o.batch) : this.claimDue(Math.min(concurrency, max - sent)).map((e) => [e]);
      if (units.length === 0) break;
      for (const u of units) sent += u.length;
      await Promise.all(units.map(sendUnit));
    }
    return res;
  }

  /**
   * Claims due stream heads as units of work: a batchable head joins the open batch (up to its count and byte
   * budget), any other head is a unit alone; at most `units` units and `maxMessages` entries. A batch that ends
   * with one entry is sent as a single message.
   */
  private claimUnits(units: number, maxMessages: number, b: DrainBatching): OutboxEntry[][] {
    const now = this.clock.nowMs();
    const perBatch = Math.max(1, b.maxMessages ?? DEFAULT_BATCH_MAX_MESSAGES);
    const budget = Math.max(1, b.maxBytes ?? DEFAULT_BATCH_MAX_BYTES);
    const out: OutboxEntry[][] = [];
    let open: OutboxEntry[] | null = null;
    let openBytes = 0;
    let claimed = 0;
    const claim = (e: OutboxEntry) => {
      this.inFlight.add(e.id);
      this.inFlightStreams.add(e.stream);
      claimed++;
    };
    for (const r of this.q.heads.all(now)) {
      if (claimed >= maxMessages) break;
      const roomForUnit = out.length < units;
      const openHasRoom = open !== null && open.length < perBatch;
      if (!roomForUnit && !openHasRoom) break;
      if (this.inFlightStreams.has(r.stream)) continue;
      if (!b.kinds.includes(r.kind as OutboxKind)) {
        if (!roomForUnit) continue;
        const e = this.toEntry(r);
        claim(e);
        out.push([e]);
        continue;
      }
      const e = this.toEntry(r);
      if (open && open.length < perBatch && openBytes + e.jsonBytes <= budget) {
        open.push(e);
        openBytes += e.jsonBytes;
      } else if (roomForUnit) {
        open = [e];
        openBytes = e.jsonBytes;
        out.push(open);
      } else {
        continue; // the open batch is full by bytes and no unit is left: this head waits for the next round
      }
      claim(e);
    }
    if (out.length === 0) this.unparkFutureHeads(now);
    return out;
  }

  /** Every waiting message in queue order (for the dashboard and tests). */
  peekAll(): OutboxEntry[] {
    return this.db.query<Row, []>(`SELECT * FROM outbox_messages ORDER BY id`).all().map((r) => this.toEntry(r));
  }

  /** Sessions with a report still waiting (or in flight): the dashboard shows them as "queued". */
  queuedSessionIds(): Set<string> {
    return new Set(this.q.queuedSessions.all().map((r) => r.id));
  }

  /** Why the newest message that failed to go out failed, while it still waits; null when none has failed. */
  lastError(): string | null {
    return this.q.lastError.get()?.e ?? null;
  }

  deadLetters(): Array<OutboxEntry & { error: string; failedAtMs: number }> {
    return this.db.query<Row & { error: string; failed_at_ms: number }, []>(`SELECT *, NULL AS next_attempt_at_ms, error AS last_error FROM outbox_dead_letters ORDER BY id`).all()
      .map((r) => ({ ...this.toEntry(r), error: r.error, failedAtMs: r.failed_at_ms }));
  }

  /** Puts dead letters back in the queue (after the operator fixed the cause). Returns how many. */
  requeueDeadLetters(): number {
    const now = this.clock.nowMs();
    return this.db.transaction(() => {
      const n = this.q.deadCount.get()?.n ?? 0;
      this.db.run(`INSERT OR IGNORE INTO outbox_messages (id, stream, kind, session_id, revision, body, bytes, created_at_ms, attempts, next_attempt_at_ms)
                   SELECT id, stream, kind, session_id, revision, body, bytes, created_at_ms, 0, ?1 FROM outbox_dead_letters`, [now]);
      this.db.run(`DELETE FROM outbox_dead_letters`);
      return n;
    })();
  }

  stats(): OutboxStats {
    const b = this.q.bytes.get()!;
    return {
      depth: b.n,
      streams: b.s,
      bytes: b.b ?? 0,
      inFlight: this.inFlight.size,
      oldestCreatedAtMs: b.oldest,
      nextAttemptAtMs: this.q.nextAttempt.get()?.t ?? null,
      deadLetters: this.q.deadCount.get()?.n ?? 0,
      deliveredTotal: this.q.meta.get("delivered_total")?.value ?? 0,
      supersededTotal: this.q.meta.get("superseded_total")?.value ?? 0,
    };
  }

  /** If the wall clock stepped back, heads may be parked far in the future: pull them in to the backoff ceiling. */
  private unparkFutureHeads(now: number): void {
    this.db.run(`UPDATE outbox_messages SET next_attempt_at_ms = ?1 WHERE next_attempt_at_ms > ?1`, [now + this.backoff.maxMs]);
  }

  private toEntry(r: Row): OutboxEntry {
    const json = gunzipSync(r.body);
    const body: unknown = JSON.parse(json.toString("utf8"));
    return {
      id: r.id,
      stream: r.stream,
      kind: r.kind as OutboxKind,
      body,
      attempts: r.attempts,
      createdAtMs: r.created_at_ms,
      lastError: r.last_error,
      jsonBytes: json.byteLength,
    } as OutboxEntry;
  }
}
