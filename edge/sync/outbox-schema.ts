// The outbox's tables in the hub's SQLite store. `migrate` is idempotent and is called by the hub's
// store at open (and by the Outbox constructor), so a new hub and an upgraded one end up the same.
import type { Database } from "bun:sqlite";

export const OUTBOX_SCHEMA_VERSION = 2;

export function migrate(db: Database): void {
  db.transaction(() => {
    db.run(`CREATE TABLE IF NOT EXISTS outbox_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      stream TEXT NOT NULL,             -- ordering key: messages of one stream go one at a time, in id order
      kind TEXT NOT NULL,
      session_id TEXT,                  -- session reports only: with revision, the utility's dedup key
      revision INTEGER,
      body BLOB NOT NULL,               -- gzip of the validated JSON message
      bytes INTEGER NOT NULL,
      created_at_ms INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at_ms INTEGER NOT NULL,
      last_error TEXT
    )`);
    db.run(`CREATE INDEX IF NOT EXISTS outbox_messages_stream ON outbox_messages (stream, id)`);
    db.run(`CREATE UNIQUE INDEX IF NOT EXISTS outbox_messages_session_revision ON outbox_messages (session_id, revision) WHERE session_id IS NOT NULL`);
    // Messages the utility refused for good (4xx naming a field): kept for the operator, never silently dropped.
    db.run(`CREATE TABLE IF NOT EXISTS outbox_dead_letters (
      id INTEGER PRIMARY KEY,
      stream TEXT NOT NULL, kind TEXT NOT NULL, session_id TEXT, revision INTEGER,
      body BLOB NOT NULL, bytes INTEGER NOT NULL, created_at_ms INTEGER NOT NULL,
      attempts INTEGER NOT NULL, failed_at_ms INTEGER NOT NULL, error TEXT NOT NULL
    )`);
    db.run(`CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
    db.run(`INSERT OR IGNORE INTO outbox_meta (key, value) VALUES ('schema_version', ?1), ('delivered_total', 0), ('superseded_total', 0)`, [OUTBOX_SCHEMA_VERSION]);
    // v2 (issue 12). Every deterministic command ID ever queued (an ack: session and device; a DR status: event and
    // status), so a replayed step queues nothing twice, even after the first copy was delivered.
    db.run(`CREATE TABLE IF NOT EXISTS outbox_keys (key TEXT PRIMARY KEY, queued_at_ms INTEGER NOT NULL) WITHOUT ROWID`);
    // The highest revision of each session the utility acknowledged: with the queue, what the start-up
    // reconciliation checks every session's latest revision against.
    db.run(`CREATE TABLE IF NOT EXISTS outbox_delivered_sessions (session_id TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID`);
    db.run(`UPDATE outbox_meta SET value = ?1 WHERE key = 'schema_version' AND value < ?1`, [OUTBOX_SCHEMA_VERSION]);
  })();
}
