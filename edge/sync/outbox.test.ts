import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../core/time/index.ts";
import type { SessionId } from "../../core/ids/index.ts";
import { ProtocolError } from "../../cloud-sync/protocol/index.ts";
import { exampleDrStatus, exampleEumdAck, exampleIntervals, examplePevAck, exampleSessionReport, EXAMPLE_T0 } from "../../cloud-sync/protocol/index.ts";
import type { SessionReport } from "../../cloud-sync/protocol/index.ts";
import { Outbox, OutboxFullError, type DeliveryOutcome, type OutboxEntry } from "./outbox.ts";
import { Backoff } from "./backoff.ts";

const report = (session: string, revision: number, intervals = 4): SessionReport => {
  const list = exampleIntervals(EXAMPLE_T0, intervals);
  return exampleSessionReport({ sessionId: session as SessionId, revision, intervals: list, totalWh: list.reduce((a, i) => a + i.wh, 0) as never });
};

function fresh(o: { random?: () => number; maxBytes?: number } = {}) {
  const clock = new TestClock();
  const db = new Database(":memory:");
  const outbox = new Outbox(db, { clock, backoff: { baseMs: 1000, maxMs: 60_000, random: o.random ?? (() => 0.5) }, maxBytes: o.maxBytes });
  return { clock, db, outbox };
}

const label = (e: OutboxEntry) => (e.kind === "session-report" ? `${e.body.sessionId}#${e.body.revision}` : `${e.kind}:${e.kind === "ack" ? e.body.kind : e.kind === "dr-status" ? e.body.status : ""}`);

test("messages of one session go one at a time, in order; other sessions are not held up", async () => {
  const { outbox } = fresh();
  outbox.enqueue({ kind: "ack", body: examplePevAck() });
  outbox.enqueue({ kind: "ack", body: exampleEumdAck() });
  outbox.enqueue({ kind: "session-report", body: report("sess-0001", 1) });
  outbox.enqueue({ kind: "session-report", body: report("sess-b", 1) });
  const heads = outbox.claimDue(10).map(label);
  assert.equal(heads, ["ack:pev", "sess-b#1"], "one head per stream");
  assert.equal(outbox.claimDue(10), [], "nothing more until those are settled");
  const sent: string[] = [];
  for (const h of outbox.peekAll()) if (label(h) === "ack:pev" || label(h) === "sess-b#1") outbox.settle(h, { kind: "delivered" });
  await outbox.drain(async (e) => { sent.push(label(e)); return { kind: "delivered" }; }, { concurrency: 1 });
  assert.equal(sent, ["ack:eumd", "sess-0001#1"]);
  assert.is(outbox.stats().depth, 0);
  assert.is(outbox.stats().deliveredTotal, 4);
});

test("a newer revision supersedes an undelivered older one, never the one in flight; duplicates and stale revisions are ignored", () => {
  const { outbox } = fresh();
  outbox.enqueue({ kind: "session-report", body: report("s1", 1) });
  const [inFlight] = outbox.claimDue(1);
  assert.is(label(inFlight!), "s1#1");
  outbox.enqueue({ kind: "session-report", body: report("s1", 2) });
  const r3 = outbox.enqueue({ kind: "session-report", body: report("s1", 3, 8) });
  assert.equal(r3.status === "queued" && r3.superseded, 1, "revision 2 was replaced");
  assert.equal(outbox.enqueue({ kind: "session-report", body: report("s1", 3, 8) }), { status: "duplicate" });
  assert.equal(outbox.enqueue({ kind: "session-report", body: report("s1", 2) }), { status: "stale" });
  assert.equal(outbox.peekAll().map(label), ["s1#1", "s1#3"]);
  outbox.settle(inFlight!, { kind: "delivered" });
  assert.equal(outbox.claimDue(5).map(label), ["s1#3"]);
  assert.is(outbox.stats().supersededTotal, 1);
});

test("a message is validated before it is queued, naming the field", () => {
  const { outbox } = fresh();
  const bad = { ...report("s1", 1), totalWh: 1 } as SessionReport;
  assert.throws(() => outbox.enqueue({ kind: "session-report", body: bad }), (e: unknown) => e instanceof ProtocolError && e.path === "totalWh");
  assert.is(outbox.stats().depth, 0);
});

test("retries back off exponentially with jitter on the TestClock, and retryNow() cuts the wait (reconnect)", () => {
  const { clock, outbox } = fresh();
  outbox.enqueue({ kind: "dr-status", body: exampleDrStatus() });
  const waits: number[] = [];
  for (let i = 0; i < 8; i++) {
    const [e] = outbox.claimDue(1);
    assert.ok(e, `attempt ${i + 1} is due`);
    const t = clock.nowMs();
    outbox.settle(e!, { kind: "retry", error: "503" });
    const next = outbox.stats().nextAttemptAtMs!;
    waits.push(next - t);
    assert.equal(outbox.claimDue(1), [], "not due before its backoff");
    clock.advance(next - t);
  }
  // random = 0.5 → ¾ of min(60 s, 1 s·2ⁿ⁻¹)
  assert.equal(waits, [750, 1500, 3000, 6000, 12000, 24000, 45000, 45000]);
  const [e] = outbox.claimDue(1);
  outbox.settle(e!, { kind: "retry", error: "503", retryAfterMs: 120_000 });
  assert.is(outbox.stats().nextAttemptAtMs! - clock.nowMs(), 120_000, "Retry-After is honoured when longer");
  outbox.retryNow();
  assert.is(outbox.claimDue(1).length, 1);
});

test("jitter spreads retries between half and all of the ceiling", () => {
  const lo = new Backoff({ baseMs: 1000, maxMs: 8000, random: () => 0 });
  const hi = new Backoff({ baseMs: 1000, maxMs: 8000, random: () => 0.999999 });
  assert.equal([1, 2, 3, 4, 5, 100000].map((n) => lo.delayMs(n)), [500, 1000, 2000, 4000, 4000, 4000]);
  assert.equal([1, 2, 3, 4, 5].map((n) => hi.delayMs(n)), [1000, 2000, 4000, 8000, 8000]);
  assert.throws(() => new Backoff({ baseMs: 0 }), /invalid backoff/);
});

test("a message the utility refuses for good goes to dead letters and the stream moves on; requeue brings it back", async () => {
  const { outbox } = fresh();
  outbox.enqueue({ kind: "ack", body: examplePevAck() });
  outbox.enqueue({ kind: "session-report", body: report("sess-0001", 1) });
  const sent: string[] = [];
  const r = await outbox.drain(async (e) => { sent.push(label(e)); return e.kind === "ack" ? { kind: "rejected", error: "400 programId" } : { kind: "delivered" }; });
  assert.equal(sent, ["ack:pev", "sess-0001#1"]);
  assert.is(r.rejected, 1);
  const dead = outbox.deadLetters();
  assert.is(dead.length, 1);
  assert.is(dead[0]!.error, "400 programId");
  assert.is(outbox.requeueDeadLetters(), 1);
  assert.equal(outbox.peekAll().map(label), ["ack:pev"]);
});

test("drain stops at the first retry (the utility is down) instead of hammering it", async () => {
  const { outbox } = fresh();
  for (let i = 0; i < 20; i++) outbox.enqueue({ kind: "session-report", body: report(`s${i}`, 1) });
  let calls = 0;
  const r = await outbox.drain(async (): Promise<DeliveryOutcome> => { calls++; return { kind: "retry", error: "connection refused" }; }, { concurrency: 2 });
  assert.ok(r.stopped);
  assert.is(calls, 2);
  assert.is(r.lastError, "connection refused");
});

test("a hub killed mid-delivery loses nothing: close the database, reopen, everything is still queued in order", () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  try {
    const path = join(dir, "hub.sqlite");
    const clock = new TestClock();
    let db = new Database(path);
    db.run("PRAGMA journal_mode = WAL");
    let outbox = new Outbox(db, { clock });
    outbox.enqueue({ kind: "ack", body: examplePevAck() });
    outbox.enqueue({ kind: "session-report", body: report("sess-0001", 1) });
    outbox.enqueue({ kind: "session-report", body: report("sess-0001", 2, 6) });
    outbox.enqueue({ kind: "dr-status", body: exampleDrStatus() });
    const claimed = outbox.claimDue(10);
    assert.is(claimed.length, 2, "in flight when the hub dies");
    db.close(); // no settle(): the answers never came
    db = new Database(path);
    outbox = new Outbox(db, { clock });
    assert.equal(outbox.peekAll().map(label), ["ack:pev", "sess-0001#2", "dr-status:received"]);
    const again = outbox.claimDue(10).map(label);
    assert.equal(again, ["ack:pev", "dr-status:received"], "the in-flight ones are sent again (at-least-once)");
    assert.equal((outbox.peekAll().find((e) => e.kind === "session-report")!.body as SessionReport).intervals.length, 6);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the byte cap refuses new messages rather than filling the disk, but a superseding revision is always accepted", () => {
  const { outbox } = fresh({ maxBytes: 2500 });
  outbox.enqueue({ kind: "session-report", body: report("s1", 1, 96) });
  let full = false;
  try {
    for (let i = 0; i < 50; i++) outbox.enqueue({ kind: "session-report", body: report(`x${i}`, 1, 96) });
  } catch (e) {
    full = e instanceof OutboxFullError;
  }
  assert.ok(full, "cap reached");
  assert.ok(outbox.stats().bytes <= 2500 + 2000);
  const r = outbox.enqueue({ kind: "session-report", body: report("s1", 2, 96) });
  assert.is(r.status, "queued");
});

test("what the dashboard reads: the sessions with a report waiting, and why the newest failed send failed", async () => {
  const { outbox } = fresh();
  assert.equal([...outbox.queuedSessionIds()], []);
  assert.is(outbox.lastError(), null);
  outbox.enqueue({ kind: "session-report", body: report("sess-a", 1) });
  outbox.enqueue({ kind: "ack", body: examplePevAck() });
  outbox.enqueue({ kind: "session-report", body: report("sess-b", 1) });
  assert.equal([...outbox.queuedSessionIds()].sort(), ["sess-a", "sess-b"], "acks are not sessions");
  await outbox.drain(async (e) => (e.kind === "session-report" && e.body.sessionId === "sess-a" ? { kind: "delivered" } : { kind: "retry", error: `utility answered 503 for ${e.kind}` }), { concurrency: 1 });
  assert.equal([...outbox.queuedSessionIds()], ["sess-b"], "a delivered report leaves the list");
  assert.match(outbox.lastError() ?? "", /^utility answered 503 for /);
});

test.run();
