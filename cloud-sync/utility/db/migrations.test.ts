// The head-end's schema on an existing database: one at version 6 (CDR dead-lettering and backoff, account dates)
// upgrades to 7 (credit CDRs) keeping every row and column version 6 added, and a fresh database reaches the same
// schema. Migration 9 (the premises as distribution key) backfills an older database; SQLite 12 and PostgreSQL 3 carry
// billed postings over to billed-entry marks. Real SQLite files, and the PostgreSQL server on its run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, openMigratedDb, PostgresStore } from "../../../core/storage/index.ts";
import { testDatabase, testEngine } from "../../../core/storage/testing/index.ts";
import { UTILITY_MIGRATIONS } from "./migrations.ts";
import { UTILITY_PG_MIGRATIONS } from "./postgres-migrations.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-migrations-"));
const columns = (db: Database, table: string) => (db.query(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).sort();

test("issue 14: a head-end database at version 6 upgrades to 7 keeping its CDRs out (attempts, backoff, clearinghouse ID, home outcome) and in", () => {
  const path = join(dir, "utility.db");
  const db = new Database(path, { create: true, strict: true });
  assert.is(applyMigrations(db, path, UTILITY_MIGRATIONS.slice(0, 6)), 6);
  db.query(`INSERT INTO cdrs_out (session_id, cdr_id, home_utility_id, body, state, last_error, sent_at, attempts, next_attempt_at, clearinghouse_id, home_outcome)
    VALUES ('S-1', 'CDR-S-1', 'UTIL-B', '{}', 'sent', NULL, 100, 2, 140, 'ch-1', 'refused'), ('S-2', 'CDR-S-2', 'UTIL-B', '{}', 'dead', 'HTTP 422', NULL, 1, 0, NULL, NULL)`).run();
  db.query("INSERT INTO cdrs_in (cdr_id, session_id, vin, account_id, body, entry_id, received_at) VALUES ('ch-9', 'S-9', 'VIN', 'ACCT-1', '{}', 7, 50)").run();
  db.close();

  const up = new Database(path, { strict: true });
  assert.is(applyMigrations(up, path, UTILITY_MIGRATIONS), UTILITY_MIGRATIONS.length);
  assert.equal(up.query("SELECT cdr_id, session_id, state, last_error, sent_at, attempts, next_attempt_at, clearinghouse_id, home_outcome, credit_of, credited_by FROM cdrs_out ORDER BY cdr_id").all(), [
    { cdr_id: "CDR-S-1", session_id: "S-1", state: "sent", last_error: null, sent_at: 100, attempts: 2, next_attempt_at: 140, clearinghouse_id: "ch-1", home_outcome: "refused", credit_of: null, credited_by: null },
    { cdr_id: "CDR-S-2", session_id: "S-2", state: "dead", last_error: "HTTP 422", sent_at: null, attempts: 1, next_attempt_at: 0, clearinghouse_id: null, home_outcome: null, credit_of: null, credited_by: null },
  ]);
  // A credit CDR and a replacement for the same session now fit (the session is no longer the key).
  up.query("INSERT INTO cdrs_out (session_id, cdr_id, home_utility_id, body, state, credit_of) VALUES ('S-1', 'CDR-S-1-C', 'UTIL-B', '{}', 'pending', 'CDR-S-1')").run();
  assert.equal(up.query("SELECT cdr_id, session_id, ocpi_cdr_id, from_utility_id, entry_id FROM cdrs_in").all(), [{ cdr_id: "ch-9", session_id: "S-9", ocpi_cdr_id: "ch-9", from_utility_id: "", entry_id: 7 }]);

  const freshPath = join(dir, "fresh.db");
  const fresh = new Database(freshPath, { create: true, strict: true });
  applyMigrations(fresh, freshPath, UTILITY_MIGRATIONS);
  for (const t of ["cdrs_out", "cdrs_in", "accounts", "ami_intervals", "roaming_tokens", "foreign_pevs"]) assert.equal(columns(fresh, t), columns(up, t), t);
  fresh.close();
  up.close();
});

test("SQLite migration 9 backfills premises and booked_at into a version-8 database, and keeps the ledger immutable", () => {
  const path = join(dir, "old.db");
  const old = new Database(path, { create: true, strict: true });
  applyMigrations(old, path, UTILITY_MIGRATIONS.slice(0, 8));
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
});

test("issue 15: SQLite migration 12 carries billed postings over to billed-entry marks, one per entry and bill, up to the last posting billed", () => {
  const path = join(dir, "v11.db");
  const old = new Database(path, { create: true, strict: true });
  applyMigrations(old, path, UTILITY_MIGRATIONS.slice(0, 11));
  // Entry 1 spans May (booked 100, 200) and June (300, 400): May's bill took 100 and 200, June's bill 300; 400 is
  // not billed yet. Entry 2 was never billed. The contra postings are never on a bill.
  old.exec(`INSERT INTO journal_entries (id, premises_id, kind, session_id, revision, at, memo) VALUES (1, 'P1', 'session', 'S1', 1, 500, 's'), (2, 'P1', 'session', 'S2', 1, 600, 's');
    INSERT INTO postings (id, premises_id, entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, booked_at, line_kind) VALUES
      (1, 'P1', 1, 'customer:A', 5, 1, 'p', 100, 100, 'pev-debit'), (2, 'P1', 1, 'customer:A', 5, 1, 'p', 200, 200, 'pev-debit'),
      (3, 'P1', 1, 'customer:A', 5, 1, 'p', 300, 300, 'pev-debit'), (4, 'P1', 1, 'customer:A', 5, 1, 'p', 400, 400, 'pev-debit'),
      (5, 'P1', 1, 'revenue:energy', -20, 0, '', 100, 100, 'contra'), (6, 'P1', 2, 'customer:A', 7, 1, 'p', 250, 250, 'pev-debit'),
      (7, 'P1', 2, 'revenue:energy', -7, 0, '', 250, 250, 'contra');
    INSERT INTO bills (id, account_id, month, body, closed_at) VALUES ('bill-A-2024-05', 'A', '2024-05', '{}', 1), ('bill-A-2024-06', 'A', '2024-06', '{}', 2);
    INSERT INTO bill_postings (posting_id, bill_id, premises_id, booked_at) VALUES (1, 'bill-A-2024-05', 'P1', 100), (2, 'bill-A-2024-05', 'P1', 200), (3, 'bill-A-2024-06', 'P1', 300);`);
  old.close();
  const db = openMigratedDb(path, UTILITY_MIGRATIONS);
  assert.equal(db.query("SELECT premises_id, entry_id, ledger_account, billed_from, billed_before, bill_id FROM bill_entries ORDER BY billed_from").all(), [
    { premises_id: "P1", entry_id: 1, ledger_account: "customer:A", billed_from: 100, billed_before: 201, bill_id: "bill-A-2024-05" },
    { premises_id: "P1", entry_id: 1, ledger_account: "customer:A", billed_from: 300, billed_before: 301, bill_id: "bill-A-2024-06" },
  ]);
  // Billed = under a mark of its entry and account: postings 1-3; 4 and 6 are still to bill.
  assert.equal(db.query(`SELECT p.id FROM postings p WHERE p.ledger_account = 'customer:A' AND NOT EXISTS (SELECT 1 FROM bill_entries b
    WHERE b.premises_id = p.premises_id AND b.entry_id = p.entry_id AND b.ledger_account = p.ledger_account AND b.billed_before > p.booked_at) ORDER BY p.id`).all(), [{ id: 4 }, { id: 6 }]);
  assert.equal(db.query("SELECT name FROM sqlite_master WHERE name = 'bill_postings'").all(), [], "bill_postings is gone");
  db.close();
});

test("issue 15: PostgreSQL migration 3 carries billed postings over to billed-entry marks, as SQLite's 12 does", async () => {
  if (testEngine() !== "postgres") return; // the SQLite side is the test above
  const database = await testDatabase();
  const at2 = await PostgresStore.open(database.target, UTILITY_PG_MIGRATIONS.slice(0, 2), { schema: database.schema!, poolMax: 1 });
  await at2.exec(`INSERT INTO journal_entries (premises_id, id, kind, session_id, revision, at, memo) VALUES ('P1', 1, 'session', 'S1', 1, 500, 's');
    INSERT INTO postings (premises_id, id, entry_id, ledger_account, amount_nano, energy_wh, period, interval_start, booked_at, line_kind) VALUES
      ('P1', 1, 1, 'customer:A', 5, 1, 'p', 100, 100, 'pev-debit'), ('P1', 2, 1, 'customer:A', 5, 1, 'p', 200, 200, 'pev-debit'),
      ('P1', 3, 1, 'customer:A', 5, 1, 'p', 300, 300, 'pev-debit'), ('P1', 4, 1, 'revenue:energy', -15, 0, '', 100, 100, 'contra');
    INSERT INTO bill_postings (premises_id, posting_id, booked_at, bill_id) VALUES ('P1', 1, 100, 'bill-A-2024-05'), ('P1', 2, 200, 'bill-A-2024-06');`);
  await at2.close();
  const db = await PostgresStore.open(database.target, UTILITY_PG_MIGRATIONS, { schema: database.schema!, poolMax: 1 });
  try {
    assert.equal(await db.all("SELECT entry_id, ledger_account, billed_from, billed_before, bill_id FROM bill_entries ORDER BY billed_from"), [
      { entry_id: 1, ledger_account: "customer:A", billed_from: 100, billed_before: 101, bill_id: "bill-A-2024-05" },
      { entry_id: 1, ledger_account: "customer:A", billed_from: 200, billed_before: 201, bill_id: "bill-A-2024-06" },
    ]);
    assert.is(await db.get("SELECT to_regclass('bill_postings') AS t").then((r) => (r as { t: string | null }).t), null, "bill_postings is gone");
  } finally {
    await db.close();
    await database.drop();
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
