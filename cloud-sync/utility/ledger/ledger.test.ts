// The double-entry ledger on its own: balanced entries only, reversal as the only correction, immutability.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openMigratedDb } from "../../../core/storage/index.ts";
import { UTILITY_MIGRATIONS } from "../db/migrations.ts";
import { Ledger, LedgerError, REVENUE_ENERGY, customerLedger } from "./ledger.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Posting } from "../types.ts";

const at = 1_717_401_600 as UtcSeconds;
const p = (account: string, amountNano: number, energyWh = 0): Posting =>
  ({ ledgerAccount: account, amountNano, energyWh, period: "Off-Peak", intervalStart: at, lineKind: "pev-debit", tariffId: "t", priceMicroUsdPerKWh: 200_000 });

test("FR-31: an entry must balance to zero, else it is refused whole", () => {
  const db = openMigratedDb(":memory:", UTILITY_MIGRATIONS);
  const l = new Ledger(db);
  assert.throws(() => l.post({ kind: "session", sessionId: "S", revision: 1, at, memo: "x", postings: [p("customer:A", 10), p(REVENUE_ENERGY, -9)] }), (e: Error) => e instanceof LedgerError && /sum to 1/.test(e.message));
  assert.throws(() => l.post({ kind: "session", sessionId: "S", revision: 1, at, memo: "x", postings: [p("customer:A", 0)] }), /at least two/);
  assert.throws(() => l.post({ kind: "session", sessionId: "S", revision: 1, at, memo: "x", postings: [p("customer:A", 0.5), p(REVENUE_ENERGY, -0.5)] }), /whole number/);
  assert.is(l.totalNano(), 0);
  assert.is((db.query("SELECT COUNT(*) AS n FROM postings").get() as { n: number }).n, 0);
  db.close();
});

test("FR-31: a correction is a reversal entry; the original stays; a second reversal is refused", () => {
  const db = openMigratedDb(":memory:", UTILITY_MIGRATIONS);
  const l = new Ledger(db);
  const id = l.post({ kind: "session", sessionId: "S", revision: 1, at, memo: "r1", postings: [p(customerLedger("A"), 800_000_000, 4000), p(REVENUE_ENERGY, -800_000_000)] });
  assert.is(l.balanceNano(customerLedger("A")), 800_000_000);
  const rev = l.reverse(id, at, "r2 replaces r1");
  assert.is(l.balanceNano(customerLedger("A")), 0);
  assert.is(l.entry(rev)!.reversesEntryId, id);
  assert.is(l.entry(id)!.postings[0]!.amountNano, 800_000_000, "original untouched");
  assert.equal(l.standingEntries("S"), []);
  assert.throws(() => l.reverse(id, at, "again"), /already reversed/);
  assert.is(l.totalNano(), 0);
  db.close();
});

test("ledger rows cannot be updated or deleted (SQLite triggers)", () => {
  const db = openMigratedDb(":memory:", UTILITY_MIGRATIONS);
  const l = new Ledger(db);
  l.post({ kind: "session", sessionId: "S", revision: 1, at, memo: "r1", postings: [p("customer:A", 5), p(REVENUE_ENERGY, -5)] });
  assert.throws(() => db.run("UPDATE postings SET amount_nano = 6"), /immutable/);
  assert.throws(() => db.run("DELETE FROM postings"), /immutable/);
  assert.throws(() => db.run("UPDATE journal_entries SET memo = 'x'"), /immutable/);
  db.close();
});

test("migrations: a database is built to the latest version and reopening it changes nothing", () => {
  const db = openMigratedDb(":memory:", UTILITY_MIGRATIONS);
  assert.is((db.query("PRAGMA user_version").get() as { user_version: number }).user_version, UTILITY_MIGRATIONS.length);
  db.close();
});

test.run();
