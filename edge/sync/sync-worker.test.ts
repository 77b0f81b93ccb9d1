import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import type { KeyObject } from "node:crypto";
import { TestClock } from "../../core/time/index.ts";
import type { HubId, SessionId } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { Wh } from "../../core/units/index.ts";
import { generateEd25519KeyPair } from "../../cloud-sync/protocol/index.ts";
import { exampleDrStatus, exampleHubConfig, EXAMPLE_IDS, exampleSessionReport, examplePevAck } from "../../cloud-sync/protocol/index.ts";
import type { MeteredInterval } from "../../cloud-sync/protocol/index.ts";
import type { SessionReport } from "../../cloud-sync/protocol/index.ts";
import type { DrStatusReport } from "../../cloud-sync/protocol/index.ts";
import type { HubConfig } from "../../cloud-sync/protocol/index.ts";
import { Outbox } from "./outbox.ts";
import { UtilityClient } from "./utility-client.ts";
import { SyncWorker } from "./sync-worker.ts";
import { FakeUtility } from "./testing/fake-utility.ts";

const hubKey = generateEd25519KeyPair();
const utilityKey = generateEd25519KeyPair();
const HUB = EXAMPLE_IDS.hubId;

async function rig(o: { hubs?: Map<HubId, KeyObject> } = {}) {
  const clock = new TestClock();
  const fake = new FakeUtility(o.hubs ?? new Map([[HUB, hubKey.publicKey]]), clock).start();
  fake.config = exampleHubConfig(utilityKey.publicKey);
  const db = new Database(":memory:");
  const outbox = new Outbox(db, { clock, backoff: { random: () => 0.5 } });
  const client = new UtilityClient({ baseUrl: fake.url, hubId: HUB, privateKey: hubKey.privateKey, clock, timeoutMs: 5000 });
  const configs: HubConfig[] = [];
  const worker = new SyncWorker({ outbox, client, clock, onConfig: (c) => { configs.push(c); }, backoff: { random: () => 0.5 } });
  const step = async (ms: number) => { clock.advance(ms); await worker.whenIdle(); };
  const close = async () => { await worker.stop(); await fake.stop(); db.close(); };
  return { clock, fake, outbox, client, worker, configs, step, close };
}

/** A charging session of `minutes` one-minute intervals starting at `start`, as revision `rev` after `done` minutes. */
function snapshot(id: string, start: UtcSeconds, done: number, rev: number, final: boolean): SessionReport {
  const intervals: MeteredInterval[] = Array.from({ length: done }, (_, i) => ({ start: (start + i * 60) as UtcSeconds, lengthS: 60, wh: (100 + (i % 7)) as Wh, quality: "ok" }));
  return exampleSessionReport({
    sessionId: id as SessionId, revision: rev, pluggedAt: start, unpluggedAt: final ? ((start + done * 60) as UtcSeconds) : null, final,
    intervals, totalWh: intervals.reduce((a, i) => a + i.wh, 0) as Wh,
  });
}

test("FR-29: the utility down for a simulated week, then back: every session, ack and DR status delivered once, in order", async () => {
  const { clock, fake, outbox, worker, step, close } = await rig();
  try {
    worker.start();
    await step(0);
    assert.is(worker.state().online, true, `online after the first pass (last error: ${worker.state().lastError})`);
    fake.down = true;
    const expected = new Map<string, SessionReport>();
    const drSent: DrStatusReport[] = [];
    const t0 = clock.now();
    const requestsBefore = fake.requests;
    // A week in minutes: each day a 4-hour session at 01:00 with a new revision every 15 minutes, one DR event.
    for (let minute = 0; minute < 7 * 24 * 60; minute++) {
      const day = Math.floor(minute / 1440);
      const m = minute % 1440;
      const id = `sess-day${day}`;
      if (m >= 60 && m <= 300 && (m - 60) % 15 === 0) {
        const done = m - 60;
        const final = m === 300;
        const rev = (m - 60) / 15 + 1;
        const r = snapshot(id, (t0 + day * 86_400 + 3600) as UtcSeconds, done, rev, final);
        if (rev === 1) outbox.enqueue({ kind: "ack", body: examplePevAck({ sessionId: id as SessionId }) });
        outbox.enqueue({ kind: "session-report", body: r });
        if (final) expected.set(id, r);
        worker.kick();
      }
      if (m === 600 || m === 660 || m === 720) {
        const s = exampleDrStatus({ eventId: `dr-${day}`, status: m === 600 ? "received" : m === 660 ? "started" : "completed", at: clock.now() });
        outbox.enqueue({ kind: "dr-status", body: s });
        drSent.push(s);
        worker.kick();
      }
      await step(60_000);
    }
    const offline = worker.state();
    assert.is(offline.online, false);
    assert.ok(offline.queueDepth >= 7 + 7 + 21, `queued: ${offline.queueDepth}`);
    assert.ok(offline.nextRetryAt !== null);
    const offlineRequests = fake.requests - requestsBefore;
    assert.ok(offlineRequests < 7 * 24 * 60 / 2, `probes are paced by backoff, not one per message: ${offlineRequests} requests in a week`);
    assert.is(fake.arrivals.length, 0);
    if (process.env.VERBOSE) console.log(`offline week: ${offlineRequests} requests, queue ${offline.queueDepth} messages, ${offline.queueBytes} bytes`);

    fake.down = false;
    for (let i = 0; i < 40 && outbox.stats().depth > 0; i++) await step(60_000);
    assert.is(outbox.stats().depth, 0, "drained within 40 simulated minutes of the utility coming back");
    const st = worker.state();
    assert.is(st.online, true);
    assert.is(st.lastError, null);

    // Every session arrived with its final revision, complete; no revision twice; revisions in order.
    assert.is(fake.sessions.size, 7);
    for (const [id, want] of expected) {
      const got = fake.sessions.get(id)!;
      assert.ok(got, `session ${id} delivered`);
      assert.is(got.latest.revision, want.revision);
      assert.ok(got.latest.final);
      assert.is(got.latest.totalWh, want.totalWh);
      assert.is(got.latest.intervals.length, 240);
      assert.is(got.duplicates, 0);
      assert.equal([...got.revisions].sort((a, b) => a - b), got.revisions, `${id} revisions arrive in order`);
    }
    // Acks before their session's reports; DR statuses of one event in order, each once.
    for (let day = 0; day < 7; day++) {
      const id = `sess-day${day}`;
      const idx = fake.arrivals.map((a, i) => ({ a, i })).filter(({ a }) => (a.body as { sessionId?: string }).sessionId === id);
      assert.is(idx[0]!.a.path, "/v1/hub/acks");
      const dr = fake.arrivals.filter((a) => a.path === "/v1/hub/dr-status" && (a.body as DrStatusReport).eventId === `dr-${day}`).map((a) => (a.body as DrStatusReport).status);
      assert.equal(dr, ["received", "started", "completed"]);
    }
    assert.is(fake.arrivals.filter((a) => a.path === "/v1/hub/acks").length, 7);
    assert.is(fake.refusals.length, 0, `no refusals: ${fake.refusals.join("; ")}`);
    // The backlog's session reports went in batches (heads of different sessions), not one request each.
    assert.ok(fake.batchSizes.length > 0 && fake.batchSizes.every((n) => n >= 2), `batches: ${fake.batchSizes.join(",")}`);
  } finally {
    await close();
  }
});

test("at-least-once: answers lost after the utility stored a report are resent and deduplicated on (session, revision)", async () => {
  const { fake, outbox, worker, step, close } = await rig();
  try {
    worker.start();
    await step(0);
    fake.loseAnswers = 2;
    outbox.enqueue({ kind: "session-report", body: snapshot("sess-x", 1_717_398_000 as UtcSeconds, 30, 1, true) });
    worker.kick();
    for (let i = 0; i < 30 && outbox.stats().depth > 0; i++) await step(60_000);
    assert.is(outbox.stats().depth, 0, `delivered within 30 simulated minutes (last error: ${worker.state().lastError})`);
    const got = fake.sessions.get("sess-x")!;
    assert.is(got.duplicates, 2, "the utility saw the same (session, revision) three times");
    assert.equal(got.revisions, [1]);
    assert.is(worker.state().deliveredTotal, 1);
  } finally {
    await close();
  }
});

test("FR-25: config is pulled at start and again on reconnect; a new version is handed to the hub once", async () => {
  const { fake, worker, configs, step, close } = await rig();
  try {
    worker.start();
    await step(0);
    assert.is(configs.length, 1);
    assert.is(worker.state().configVersion, 1);
    await step(60_000);
    assert.is(configs.length, 1, "same version: not re-applied");
    fake.down = true;
    for (let i = 0; i < 16; i++) await step(60_000); // the scheduled pull fails
    assert.is(worker.state().online, false);
    fake.config = { ...fake.config!, configVersion: 2, intervalS: 300, commWaitS: 90 };
    fake.down = false;
    worker.reconnected(); // the hub's network watcher says the link is back
    await step(0);
    assert.is(worker.state().online, true);
    assert.is(configs.length, 2);
    assert.is(configs[1]!.intervalS, 300);
    assert.is(worker.state().configVersion, 2);
  } finally {
    await close();
  }
});

test("FR-14: validateBinding signs the request and validates the answer; a malformed answer is an error naming the field", async () => {
  const { fake, client, close } = await rig();
  try {
    const req = { v: 1 as const, hubId: HUB, premisesId: EXAMPLE_IDS.premisesId, vin: EXAMPLE_IDS.vin, path: "rebinding" as const, pevProofOk: true, at: 1_717_398_000 as UtcSeconds };
    fake.bindingAnswer = { v: 1, status: "not-enrolled", vin: EXAMPLE_IDS.vin, premisesId: EXAMPLE_IDS.premisesId, answeredAt: 1_717_398_000, reason: "unknown PEV" };
    const a = await client.validateBinding(req);
    assert.is(a.status, "not-enrolled");
    fake.bindingAnswer = { v: 1, status: "enrolled", vin: EXAMPLE_IDS.vin, premisesId: EXAMPLE_IDS.premisesId, answeredAt: 1_717_398_000 };
    try {
      await client.validateBinding(req);
      assert.unreachable();
    } catch (e) {
      assert.match((e as Error).message, /binding request answer: parameters/);
    }
  } finally {
    await close();
  }
});

test("the client maps refusals: 400 names the field (not retryable), 401 for an unpaired hub (retryable), unreachable (retryable)", async () => {
  const { fake, client, clock, close } = await rig({ hubs: new Map() });
  try {
    const out = await client.deliver({ kind: "dr-status", body: exampleDrStatus() });
    assert.is(out.kind, "retry");
    assert.match(out.kind === "retry" ? out.error : "", /401.*not paired/);
    const port = new URL(fake.url).port;
    await fake.stop();
    const dead = new UtilityClient({ baseUrl: `http://127.0.0.1:${port}`, hubId: HUB, privateKey: hubKey.privateKey, clock, timeoutMs: 2000 });
    const d = await dead.deliver({ kind: "dr-status", body: exampleDrStatus() });
    assert.is(d.kind, "retry");
    assert.match(d.kind === "retry" ? d.error : "", /unreachable/);
  } finally {
    await close();
  }
  const ok = await rig();
  try {
    // A body the hub's own schema would refuse, sent raw, gets a 400 naming the field.
    const res = await fetch(`${ok.fake.url}/v1/hub/dr-status`, { method: "POST" });
    assert.is(res.status, 401);
    const c = ok.client as unknown as { call: (r: unknown, b: unknown) => Promise<unknown> };
    try {
      await c.call({ method: "POST", path: "/v1/hub/dr-status", name: "x", request: null, response: null }, { ...exampleDrStatus(), status: "maybe" });
      assert.unreachable();
    } catch (e) {
      assert.is((e as { status?: number }).status, 400);
      assert.is((e as { path?: string }).path, "status");
      assert.is((e as { retryable?: boolean }).retryable, false);
    }
  } finally {
    await ok.close();
  }
});

test.run();
