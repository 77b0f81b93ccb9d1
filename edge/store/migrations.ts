// Versioned schema of the hub's store. Each entry runs once, in order, inside a transaction, and
// PRAGMA user_version records how far a database has come. Never edit a shipped entry: add a new one.
import { applyMigrations } from "../../core/storage/index.ts";
import type { Database } from "bun:sqlite";

export interface Migration { version: number; name: string; sql: string }

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "sessions, events, intervals, settings, PEVs, engine snapshot",
    sql: `
      CREATE TABLE engine_snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        premises_id TEXT NOT NULL,
        vin TEXT,
        plugged_at INTEGER NOT NULL,
        ended_at INTEGER,
        phase TEXT NOT NULL,
        binding_path TEXT,
        binding_status TEXT,
        program_id TEXT,
        program_name TEXT,
        tariff_id TEXT,
        offline INTEGER NOT NULL DEFAULT 0,
        fallback_reason TEXT,
        rate TEXT NOT NULL,
        revision INTEGER NOT NULL,
        total_wh INTEGER NOT NULL DEFAULT 0,
        commissioning TEXT,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX sessions_plugged_at ON sessions (plugged_at);
      CREATE TABLE session_events (
        id INTEGER PRIMARY KEY,
        session_seq INTEGER,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX session_events_session ON session_events (session_seq, at);
      -- One row per (interval start, session). Integer columns only and no rowid: a year of 1-minute rows stays small.
      CREATE TABLE eumd_intervals (
        start INTEGER NOT NULL,
        session_seq INTEGER NOT NULL,
        length_s INTEGER NOT NULL,
        wh INTEGER NOT NULL CHECK (wh >= 0),
        quality INTEGER NOT NULL,
        PRIMARY KEY (start, session_seq)
      ) WITHOUT ROWID;
      CREATE INDEX eumd_intervals_session ON eumd_intervals (session_seq);
      CREATE TABLE premises_intervals (
        start INTEGER PRIMARY KEY,
        length_s INTEGER NOT NULL,
        wh INTEGER NOT NULL CHECK (wh >= 0),
        quality INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE pevs (
        vin TEXT PRIMARY KEY,
        program_id TEXT NOT NULL,
        secret_hex TEXT,
        credential TEXT,
        commissioned_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "vehicle tags: RFID cards and Autocharge IDs the owner registered for a VIN (issue 16)",
    sql: `
      CREATE TABLE vehicle_tags (
        tag TEXT PRIMARY KEY,
        vin TEXT NOT NULL,
        registered_at INTEGER NOT NULL
      );
      CREATE INDEX vehicle_tags_vin ON vehicle_tags (vin);
    `,
  },
  {
    version: 3,
    name: "several charge points per hub (issue 16 item 7): sessions name their charge point, one engine snapshot per charge point",
    // NULL is the hub's own charger ([devices.charger]); its snapshot stays in engine_snapshot, so a store written
    // before this migration resumes unchanged. Every other charge point ([[charge_points]]) has its own row here.
    sql: `
      ALTER TABLE sessions ADD COLUMN charge_point TEXT;
      CREATE TABLE charge_point_snapshots (
        charge_point TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
];

/** Brings `db` up to the newest schema; refuses a database written by a newer Offpeak. */
export function migrate(db: Database, migrations: Migration[] = MIGRATIONS, file = "store"): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${file}: migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  return applyMigrations(db, file, migrations.map((m) => m.sql));
}
