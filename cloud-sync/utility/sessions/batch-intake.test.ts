// A batch of session reports is taken first without savepoints (issue 15: two round trips fewer per report on
// PostgreSQL). These tests are the attacker's and the crash's side of that shortcut: a report refused by its checks
// fails alone in the same transaction; a report that fails after it wrote — here the ledger write itself fails — must
// leave nothing behind, and the rest of the batch must be stored exactly once.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { HeadEnd } from "../head-end.ts";
import { inProcessHeadEnd, sessionReport } from "../test-support.ts";
import type { NewEntry } from "../ledger/ledger.ts";

const T0 = Date.UTC(2024, 5, 3, 8, 0, 0) / 1000;
let h: HeadEnd;
let drop: () => Promise<void>;
let transactions = 0;

test.before(async () => {
  ({ h, close: drop } = await inProcessHeadEnd());
  // Counts every transaction and savepoint the head-end opens.
  const transaction = h.db.transaction.bind(h.db);
  h.db.transaction = (fn) => { transactions++; return transaction(fn); };
});
test.after(async () => { await drop(); });

const report = (sessionId: string, day: number, utilityId = "UTIL-A") =>
  sessionReport({ sessionId, hubId: "HUB-1", premisesId: "P1", utilityId, vin: null, start: T0 + day * 86_400, wh: [1000, 1200], rate: "default" });
const stored = async (sessionId: string) => ({
  sessions: (await h.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM sessions WHERE premises_id = 'P1' AND session_id = ?", sessionId))!.n,
  entries: (await h.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM journal_entries WHERE premises_id = 'P1' AND session_id = ?", sessionId))!.n,
});

test("FR-29: a report refused by its checks fails alone in a batch taken in one transaction (no savepoints)", async () => {
  transactions = 0;
  const out = await h.sessions.intakeBatch([report("S-1", 0), report("S-2", 1, "UTIL-B"), report("S-3", 2)]);
  assert.equal(out.map((r) => r.ok), [true, false, true]);
  assert.match(String((out[1] as { error: Error }).error.message), /utility UTIL-B is not this utility/);
  assert.is(transactions, 1, "one transaction, no savepoint per report");
  assert.equal(await stored("S-1"), { sessions: 1, entries: 1 });
  assert.equal(await stored("S-2"), { sessions: 0, entries: 0 });
  assert.equal(await stored("S-3"), { sessions: 1, entries: 1 });
});

test("FR-29: a report that fails after writing is rolled back alone; the batch is retaken with savepoints, each report stored once", async () => {
  const post = h.ledger.post.bind(h.ledger);
  // The ledger write of S-5 lands, then the process "fails" before the session row: nothing of S-5 may stay.
  h.ledger.post = async (e: NewEntry) => {
    const id = await post(e);
    if (e.sessionId === "S-5") throw new Error("disk failed after the entry was written");
    return id;
  };
  transactions = 0;
  try {
    const out = await h.sessions.intakeBatch([report("S-4", 3), report("S-5", 4), report("S-6", 5)]);
    assert.equal(out.map((r) => r.ok), [true, false, true]);
    assert.match(String((out[1] as { error: Error }).error.message), /disk failed/);
  } finally {
    h.ledger.post = post;
  }
  assert.is(transactions, 1 + 1 + 3, "the first attempt, then the retake with one savepoint per report");
  assert.equal(await stored("S-4"), { sessions: 1, entries: 1 });
  assert.equal(await stored("S-5"), { sessions: 0, entries: 0 });
  assert.equal(await stored("S-6"), { sessions: 1, entries: 1 });
  assert.is(await h.ledger.totalNano(), 0);
  // Sent again (the hub never got its receipts): duplicates, nothing posted twice.
  const again = await h.sessions.intakeBatch([report("S-4", 3), report("S-6", 5)]);
  assert.equal(again.map((r) => r.ok && r.receipt.outcome), ["duplicate", "duplicate"]);
  assert.equal(await stored("S-4"), { sessions: 1, entries: 1 });
});

test.run();
