// Session reports delivered in batches: one signed request for many sessions' due reports, each report keeping
// the fate it would have had alone (delivered, retried with backoff, dead-lettered), order per session kept.
// Against the fake utility (edge/sync/testing) and, once, the real head-end (cloud-sync/utility).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../core/time/index.ts";
import type { SessionId } from "../../core/ids/index.ts";
import type { Wh } from "../../core/units/index.ts";
import { generateEd25519KeyPair } from "../../cloud-sync/protocol/index.ts";
import { exampleHubConfig, EXAMPLE_IDS, EXAMPLE_T0, exampleIntervals, examplePevAck, exampleSessionReport } from "../../cloud-sync/protocol/index.ts";
import type { SessionReport } from "../../cloud-sync/protocol/index.ts";
import { ROUTES } from "../../cloud-sync/protocol/index.ts";
import { Outbox, type OutboxEntry } from "../../edge/sync/index.ts";
import { UtilityClient } from "../../edge/sync/index.ts";
import { SyncWorker } from "../../edge/sync/index.ts";
import { FakeUtility } from "../../edge/sync/testing/fake-utility.ts";
import { defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, testUtility } from "../../cloud-sync/utility/test-support.ts";

const hubKey = generateEd25519KeyPair();
const utilityKey = generateEd25519KeyPair();
const HUB = EXAMPLE_IDS.hubId;

function report(id: string, revision = 1, intervals = 16): SessionReport {
  const list = exampleIntervals(EXAMPLE_T0, intervals, 900, 1000 + revision);
  return exampleSessionReport({ sessionId: id as SessionId, revision, intervals: list, totalWh: list.reduce((a, i) => a + i.wh, 0) as Wh });
}

function rig(o: { dbPath?: string; batch?: { maxMessages?: number; maxBytes?: number } } = {}) {
  const clock = new TestClock();
  const fake = new FakeUtility(new Map([[HUB, hubKey.publicKey]]), clock).start();
  fake.config = exampleHubConfig(utilityKey.publicKey);
  const db = new Database(o.dbPath ?? ":memory:");
  const outbox = new Outbox(db, { clock, backoff: { random: () => 0.5 } });
  const client = new UtilityClient({ baseUrl: fake.url, hubId: HUB, privateKey: hubKey.privateKey, clock, timeoutMs: 5000 });
  const worker = new SyncWorker({ outbox, client, clock, backoff: { random: () => 0.5 }, batch: o.batch });
  const step = async (ms: number) => { clock.advance(ms); await worker.whenIdle(); };
  const close = async () => { await worker.stop(); await fake.stop(); db.close(); };
  return { clock, fake, db, outbox, client, worker, step, close };
}

test("FR-29: 250 sessions due at once travel in batches of at most 100, each stored once, in far fewer requests", async () => {
  const { fake, outbox, worker, step, close } = rig();
  try {
    for (let i = 0; i < 250; i++) outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`) });
    worker.start();
    await step(0);
    assert.is(outbox.stats().depth, 0, `drained (last error: ${worker.state().lastError})`);
    assert.is(fake.sessions.size, 250);
    for (const s of fake.sessions.values()) assert.is(s.duplicates, 0);
    assert.ok(fake.batchSizes.every((n) => n >= 2 && n <= 100), `batch sizes ${fake.batchSizes.join(",")}`);
    assert.is(fake.batchSizes.reduce((a, b) => a + b, 0), 250, "every report went in a batch");
    assert.ok(fake.requests <= 10, `${fake.requests} requests for 250 reports (config pull included)`);
    assert.is(worker.state().deliveredTotal, 250);
  } finally {
    await close();
  }
});

test("FR-29: a batch respects its byte budget; a report bigger than the budget travels alone on the single route", async () => {
  const small = JSON.stringify(report("small-0", 1, 16)).length;
  const { fake, outbox, worker, step, close } = rig({ batch: { maxBytes: Math.floor(small * 2.5) } });
  try {
    for (let i = 0; i < 6; i++) outbox.enqueue({ kind: "session-report", body: report(`small-${i}`, 1, 16) });
    outbox.enqueue({ kind: "session-report", body: report("big", 1, 400) }); // far above the budget
    worker.start();
    await step(0);
    assert.is(outbox.stats().depth, 0);
    assert.equal(fake.batchSizes, [2, 2, 2], "two small reports fit the budget, three do not");
    assert.equal(fake.arrivals.filter((a) => a.path === ROUTES.sessions.path).map((a) => (a.body as SessionReport).sessionId), ["big"]);
    assert.is(fake.sessions.size, 7);
  } finally {
    await close();
  }
});

test("FR-29: one report the utility refuses (400) is dead-lettered alone; the rest of its batch is delivered", async () => {
  const { fake, outbox, worker, step, close } = rig();
  try {
    fake.refuseReport = (r) => (r.sessionId === "sess-bad" ? { status: 400, code: "bad-request", error: "utility util-x is not this utility", path: "utilityId" } : null);
    for (let i = 0; i < 5; i++) outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`) });
    outbox.enqueue({ kind: "session-report", body: report("sess-bad") });
    for (let i = 5; i < 10; i++) outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`) });
    worker.start();
    await step(0);
    assert.equal(fake.batchSizes, [11], "one request for all");
    assert.is(outbox.stats().depth, 0);
    assert.is(fake.sessions.size, 10);
    const dead = outbox.deadLetters();
    assert.is(dead.length, 1);
    assert.is(dead[0]!.kind === "session-report" && dead[0]!.body.sessionId, "sess-bad");
    assert.match(dead[0]!.error, /400 for session sess-bad revision 1: utility util-x is not this utility \(at reports\[5\]\.utilityId\)/);
    assert.is(worker.state().online, true, "a refused report does not take the link down");
  } finally {
    await close();
  }
});

test("FR-29: a 409 for one report counts as delivered; a per-report 503 is retried alone with backoff, without stopping the drain", async () => {
  const { clock, fake, outbox, worker, step, close } = rig();
  try {
    let flaky = 2;
    fake.refuseReport = (r) => {
      if (r.sessionId === "sess-held") return { status: 409, code: "conflict", error: "already held" };
      if (r.sessionId === "sess-flaky" && flaky > 0) { flaky--; return { status: 503, code: "unavailable", error: "ledger busy" }; }
      return null;
    };
    for (const id of ["sess-a", "sess-held", "sess-flaky", "sess-b"]) outbox.enqueue({ kind: "session-report", body: report(id) });
    worker.start();
    await step(0);
    assert.equal(outbox.peekAll().map((e) => e.kind === "session-report" && e.body.sessionId), ["sess-flaky"], "only the flaky one waits");
    const waiting = outbox.peekAll()[0]!;
    assert.is(waiting.attempts, 1);
    assert.match(waiting.lastError ?? "", /503 for session sess-flaky/);
    assert.is(worker.state().online, true, "the utility answered: the link stays up");
    const next = outbox.stats().nextAttemptAtMs! - clock.nowMs();
    assert.ok(next >= 1000 && next <= 2000, `backoff of the first retry: ${next} ms`);
    for (let i = 0; i < 10 && outbox.stats().depth > 0; i++) await step(1000);
    assert.is(outbox.stats().depth, 0);
    assert.is(outbox.stats().deadLetters, 0);
    assert.ok(fake.sessions.has("sess-flaky") && fake.sessions.has("sess-a") && fake.sessions.has("sess-b"));
    assert.is(outbox.stats().deliveredTotal, 4);
  } finally {
    await close();
  }
});

test("at-least-once: a batch whose answer is lost (500 after storing) is resent whole and deduplicated; the link backs off", async () => {
  const { fake, outbox, worker, step, close } = rig();
  try {
    worker.start();
    await step(0);
    fake.loseAnswers = 1;
    for (let i = 0; i < 8; i++) outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`) });
    worker.kick();
    await step(0);
    assert.is(worker.state().online, false, "a failed batch request takes the link down, like a failed single one");
    assert.is(outbox.stats().depth, 8, "nothing forgotten");
    for (let i = 0; i < 30 && outbox.stats().depth > 0; i++) await step(1000);
    assert.is(outbox.stats().depth, 0);
    assert.equal(fake.batchSizes, [8, 8]);
    for (const s of fake.sessions.values()) { assert.is(s.duplicates, 1); assert.equal(s.revisions, [1]); }
  } finally {
    await close();
  }
});

test("order per session: a batch never carries two messages of one stream; acks precede reports and revisions arrive in order", async () => {
  const { fake, outbox, client, close } = rig();
  try {
    for (let i = 0; i < 20; i++) {
      outbox.enqueue({ kind: "ack", body: examplePevAck({ sessionId: `sess-${i}` as SessionId }) });
      outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`, 1) });
    }
    const batches: string[][] = [];
    const revised = new Set<string>();
    const send = async (entries: OutboxEntry[]) => {
      batches.push(entries.map((e) => e.stream));
      const out = await client.deliverSessionReports(entries.map((e) => e.body as SessionReport));
      // While revision 1 is on the wire, the hub produces revision 2: it must queue behind, not supersede, the one in flight.
      if (revised.size === 0) {
        for (const e of entries) {
          const id = (e.body as SessionReport).sessionId;
          const q = outbox.enqueue({ kind: "session-report", body: report(id, 2) });
          if (q.status !== "queued" || q.superseded !== 0) throw new Error(`revision 2 of ${id}: ${JSON.stringify(q)}`);
          revised.add(id);
        }
      }
      return out;
    };
    let rounds = 0;
    while (outbox.stats().depth > 0 && rounds++ < 20) await outbox.drain((e) => client.deliver(e), { concurrency: 4, batch: { kinds: ["session-report"], send } });
    assert.is(outbox.stats().depth, 0);
    for (const b of batches) assert.is(new Set(b).size, b.length, `distinct streams in a batch: ${b.join(",")}`);
    for (let i = 0; i < 20; i++) {
      const id = `sess-${i}`;
      const seen = fake.arrivals.filter((a) => (a.body as { sessionId?: string }).sessionId === id).map((a) => (a.path === ROUTES.acks.path ? "ack" : `r${(a.body as SessionReport).revision}`));
      assert.equal(seen, revised.has(id) ? ["ack", "r1", "r2"] : ["ack", "r1"], `${id}: ${seen.join(" ")}`);
    }
    assert.ok(revised.size >= 2, "a batch carried several sessions");
  } finally {
    await close();
  }
});

test("a head-end without the batch route (404): reports go one per request, each delivered once", async () => {
  const { fake, outbox, worker, step, close } = rig();
  try {
    fake.batchRoute = false;
    for (let i = 0; i < 6; i++) outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`) });
    worker.start();
    await step(0);
    assert.is(outbox.stats().depth, 0);
    assert.is(fake.sessions.size, 6);
    assert.is(fake.arrivals.filter((a) => a.path === ROUTES.sessions.path).length, 6);
    for (let i = 6; i < 12; i++) outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`) });
    const before = fake.requests;
    worker.kick();
    await step(0);
    assert.is(fake.requests - before, 6, "the missing route is remembered: no batch attempt per drain");
  } finally {
    await close();
  }
});

test("restart safety: a hub killed while a batch was on the wire sends it again after restart; the utility deduplicates", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  const dbPath = join(dir, "hub.sqlite");
  const first = rig({ dbPath });
  try {
    for (let i = 0; i < 10; i++) first.outbox.enqueue({ kind: "session-report", body: report(`sess-${i}`) });
    let stored!: () => void;
    const onWire = new Promise<void>((r) => (stored = r));
    // The batch reaches the utility, then the hub dies before recording the answer.
    void first.outbox.drain(async () => ({ kind: "delivered" }), {
      batch: { kinds: ["session-report"], send: async (es) => { await first.client.deliverSessionReports(es.map((e) => e.body as SessionReport)); stored(); return new Promise(() => {}); } },
    });
    await onWire;
    assert.is(first.fake.sessions.size, 10);
    first.db.close();
    const db = new Database(dbPath);
    const outbox = new Outbox(db, { clock: first.clock });
    assert.is(outbox.stats().depth, 10, "every row survived the crash");
    const client = new UtilityClient({ baseUrl: first.fake.url, hubId: HUB, privateKey: hubKey.privateKey, clock: first.clock });
    const worker = new SyncWorker({ outbox, client, clock: first.clock });
    worker.start();
    first.clock.advance(0);
    await worker.whenIdle();
    await worker.stop();
    assert.is(outbox.stats().depth, 0);
    for (const s of first.fake.sessions.values()) assert.is(s.duplicates, 1);
    db.close();
  } finally {
    await first.fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FR-29, FR-31: through the real head-end, 60 sessions go in batches; a report naming another utility is dead-lettered alone", async () => {
  const t = await testUtility();
  const clock = t.clock as TestClock;
  const db = new Database(":memory:");
  try {
    await defineTestProgram(t, "ev-a");
    const hub = newHub(t.utility.url, "HUB-1", clock);
    const vin = makeVin("5YJ3E1EA7KF31755");
    const h = await enrollHousehold(t, "1", { vin, programId: "ev-a", hub });
    const outbox = new Outbox(db, { clock, backoff: { random: () => 0.5 } });
    const T = Date.UTC(2024, 4, 1, 8) / 1000; // May 2024: well before the test clock
    for (let i = 0; i < 60; i++) {
      const bad = i === 17;
      outbox.enqueue({
        kind: "session-report",
        body: sessionReport({ sessionId: `S-${i}`, hubId: "HUB-1", premisesId: h.premisesId, utilityId: bad ? "UTIL-Z" : "UTIL-A", vin, start: T + i * 14_400, wh: Array.from({ length: 16 }, (_, k) => 500 + k) }),
      });
    }
    const client = new UtilityClient({ baseUrl: t.utility.url, hubId: hub.hubId, privateKey: hub.keys.privateKey, clock, timeoutMs: 5000 });
    const worker = new SyncWorker({ outbox, client, clock, backoff: { random: () => 0.5 }, batch: { maxMessages: 25 } });
    worker.start();
    clock.advance(0);
    await worker.whenIdle();
    await worker.stop();
    assert.is(outbox.stats().depth, 0, `drained (last error: ${worker.state().lastError})`);
    const dead = outbox.deadLetters();
    assert.is(dead.length, 1);
    assert.is(dead[0]!.kind === "session-report" && dead[0]!.body.sessionId, "S-17");
    assert.match(dead[0]!.error, /utility UTIL-Z is not this utility.*reports\[\d+\]\.utilityId/);
    assert.is(outbox.stats().deliveredTotal, 59);
    const s = await t.op("GET", "/v1/operator/sessions/S-3");
    assert.is(s.status, 200, JSON.stringify(s.body));
    assert.is((await t.op("GET", "/v1/operator/sessions/S-17")).status, 404);
    assert.is((await t.op("GET", "/v1/operator/ledger")).body.totalNano, 0);
  } finally {
    db.close();
    await t.close();
  }
});

test.run();
