// SQLite migration 8 upgrades a head-end database written before the premises became the distribution key: entries,
// postings, reviews, billed marks and outgoing CDRs get their premises (and postings their booked_at) from the rows
// they belong to, and the ledger is immutable again afterwards.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { applyMigrations, openMigratedDb } from "../../../core/storage/index.ts";
import { UTILITY_MIGRATIONS } from "./migrations.ts";

test("SQLite migration 8 backfills premises and booked_at into a version-7 database, and keeps the ledger immutable", () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  const path = join(dir, "old.db");
  const old = new Database(path, { create: true, strict: true });
  applyMigrations(old, path, UTILITY_MIGRATIONS.slice(0, 7));
  old.exec(`INSERT INTO sessions (session_id, revision, vin, premises_id, hub_id, status, settlement, binding_status, energy_wh, started_at, received_at, body)
      VALUES ('S1', 1, NULL, 'PREM-1', 'HUB-1', 'posted', 'default', 'none', 10, 1000, 1000, '{}');
    INSERT INTO journal_entries (id, kind, session_id, revision, at, memo) VALUES (1, 'session', 'S1', 1, 1000, 'session S1');
    INSERT INTO journal_entries (id, kind, session_id, revision, at, memo) VALUES (2, 'session', NULL, NULL, 5000, 'fixed charges 2024-06 PREM-2');
    INSERT INTO postings (entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, line_kind) VALUES (1, 'customer:A', 5, 10, 'p', 900, 'pev-debit');
    INSERT INTO postings (entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, line_kind) VALUES (1, 'revenue:energy', -5, 0, '', NULL, 'contra');
    INSERT INTO postings (entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, line_kind) VALUES (2, 'customer:B', 7, 0, 'f', NULL, 'fixed');
    INSERT INTO postings (entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, line_kind) VALUES (2, 'revenue:fixed', -7, 0, '', NULL, 'contra');`);
  old.close();
  const db = openMigratedDb(path, UTILITY_MIGRATIONS);
  assert.equal(db.query("SELECT id, premises_id FROM journal_entries ORDER BY id").all(), [{ id: 1, premises_id: "PREM-1" }, { id: 2, premises_id: "PREM-2" }]);
  assert.equal(db.query("SELECT premises_id, booked_at FROM postings ORDER BY id").all(), [
    { premises_id: "PREM-1", booked_at: 900 }, { premises_id: "PREM-1", booked_at: 1000 }, { premises_id: "PREM-2", booked_at: 5000 }, { premises_id: "PREM-2", booked_at: 5000 },
  ]);
  assert.throws(() => db.run("UPDATE postings SET amount_nano = 0"), /immutable/);
  assert.throws(() => db.run("UPDATE journal_entries SET memo = 'x'"), /immutable/);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
