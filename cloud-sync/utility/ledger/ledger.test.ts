// The double-entry ledger on its own: balanced entries only, reversal as the only correction, immutability.
// Runs on the engine under test (SQLite, or PostgreSQL with OFFPEAK_TEST_DB=postgres).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { openTestStore, testEngine } from "../../../core/storage/testing/index.ts";
import { UTILITY_MIGRATIONS } from "../db/migrations.ts";
import { UTILITY_PG_MIGRATIONS } from "../db/postgres-migrations.ts";
import { Ledger, LedgerError, REVENUE_ENERGY, customerLedger } from "./ledger.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Posting } from "../types.ts";

const at = 1_717_401_600 as UtcSeconds;
const p = (account: string, amountNano: number, energyWh = 0): Posting =>
  ({ ledgerAccount: account, amountNano, energyWh, period: "Off-Peak", intervalStart: at, lineKind: "pev-debit", tariffId: "t", priceMicroUsdPerKWh: 200_000 });
const MIGRATIONS = { sqlite: UTILITY_MIGRATIONS, postgres: UTILITY_PG_MIGRATIONS };

const rejects = async (f: () => Promise<unknown>, pattern: RegExp | ((e: Error) => boolean)) => {
  try {
    await f();
  } catch (e) {
    if (pattern instanceof RegExp) assert.match((e as Error).message, pattern);
    else assert.ok(pattern(e as Error), (e as Error).message);
    return;
  }
  assert.unreachable("expected a rejection");
};

test("FR-31: an entry must balance to zero, else it is refused whole", async () => {
  const db = await openTestStore(MIGRATIONS);
  const l = new Ledger(db);
  await rejects(() => l.post({ kind: "session", premisesId: "P", sessionId: "S", revision: 1, at, memo: "x", postings: [p("customer:A", 10), p(REVENUE_ENERGY, -9)] }), (e: Error) => e instanceof LedgerError && /sum to 1/.test(e.message));
  await rejects(() => l.post({ kind: "session", premisesId: "P", sessionId: "S", revision: 1, at, memo: "x", postings: [p("customer:A", 0)] }), /at least two/);
  await rejects(() => l.post({ kind: "session", premisesId: "P", sessionId: "S", revision: 1, at, memo: "x", postings: [p("customer:A", 0.5), p(REVENUE_ENERGY, -0.5)] }), /whole number/);
  assert.is(await l.totalNano(), 0);
  assert.is((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM postings"))!.n, 0);
  await db.dispose();
});

test("FR-31: a correction is a reversal entry; the original stays; a second reversal is refused", async () => {
  const db = await openTestStore(MIGRATIONS);
  const l = new Ledger(db);
  const id = await l.post({ kind: "session", premisesId: "P", sessionId: "S", revision: 1, at, memo: "r1", postings: [p(customerLedger("A"), 800_000_000, 4000), p(REVENUE_ENERGY, -800_000_000)] });
  assert.is(await l.balanceNano(customerLedger("A")), 800_000_000);
  const rev = await l.reverse("P", id, at, "r2 replaces r1");
  assert.is(await l.balanceNano(customerLedger("A")), 0);
  assert.is((await l.entry("P", rev))!.reversesEntryId, id);
  assert.is((await l.entry("P", id))!.postings[0]!.amountNano, 800_000_000, "original untouched");
  assert.equal(await l.standingEntries("S", ["P"]), []);
  await rejects(() => l.reverse("P", id, at, "again"), /already reversed/);
  assert.is(await l.totalNano(), 0);
  await db.dispose();
});

test("amounts beyond 32 bits come back as exact numbers (PostgreSQL BIGINT and SUM's NUMERIC included)", async () => {
  const db = await openTestStore(MIGRATIONS);
  const l = new Ledger(db);
  const big = 9_000_000_000_000_001; // ~ $9 million in nano-USD: odd, so a float round-trip would show
  await l.post({ kind: "session", premisesId: "P", sessionId: "S", revision: 1, at, memo: "big", postings: [p(customerLedger("A"), big), p(REVENUE_ENERGY, -big)] });
  assert.is(await l.balanceNano(customerLedger("A")), big);
  assert.is(typeof (await l.entriesOfSession("S", ["P"]))[0]!.id, "number");
  await db.dispose();
});

test("ledger rows cannot be updated or deleted (triggers on both engines)", async () => {
  const db = await openTestStore(MIGRATIONS);
  const l = new Ledger(db);
  await l.post({ kind: "session", premisesId: "P", sessionId: "S", revision: 1, at, memo: "r1", postings: [p("customer:A", 5), p(REVENUE_ENERGY, -5)] });
  await rejects(() => db.run("UPDATE postings SET amount_nano = 6"), /immutable/);
  await rejects(() => db.run("DELETE FROM postings"), /immutable/);
  await rejects(() => db.run("UPDATE journal_entries SET memo = 'x'"), /immutable/);
  await db.dispose();
});

test("a failed transaction leaves nothing; a failed savepoint inside one rolls back alone", async () => {
  const db = await openTestStore(MIGRATIONS);
  await rejects(() => db.transaction(async () => {
    await db.run("INSERT INTO settings (key, value) VALUES ('a', '1')");
    throw new Error("boom");
  }), /boom/);
  assert.is(await db.get("SELECT value FROM settings WHERE key = 'a'"), null);
  await db.transaction(async () => {
    await db.run("INSERT INTO settings (key, value) VALUES ('b', '1')");
    await rejects(() => db.transaction(async () => {
      await db.run("INSERT INTO settings (key, value) VALUES ('c', '1')");
      await db.run("INSERT INTO settings (key, value) VALUES ('c', '2')"); // primary key violation
    }), /unique|UNIQUE|duplicate/);
  });
  assert.equal(await db.all("SELECT key FROM settings WHERE key IN ('b', 'c') ORDER BY key"), [{ key: "b" }]);
  await db.dispose();
});

test("statements outside a transaction wait for it instead of joining it", async () => {
  const db = await openTestStore(MIGRATIONS);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const tx = db.transaction(async () => {
    await db.run("INSERT INTO settings (key, value) VALUES ('inside', '1')");
    await gate;
    throw new Error("rolled back");
  });
  const outside = db.run("INSERT INTO settings (key, value) VALUES ('outside', '1')");
  release();
  await rejects(() => tx, /rolled back/);
  await outside;
  assert.equal(await db.all("SELECT key FROM settings WHERE key IN ('inside', 'outside') ORDER BY key"), [{ key: "outside" }]);
  await db.dispose();
});

test("migrations: a database is built to the latest version of its engine", async () => {
  const db = await openTestStore(MIGRATIONS);
  const h = await db.health();
  assert.is(h.engine, testEngine());
  assert.ok(h.ok);
  assert.is(h.schemaVersion, testEngine() === "postgres" ? UTILITY_PG_MIGRATIONS.length : UTILITY_MIGRATIONS.length);
  await db.dispose();
});

test.run();
