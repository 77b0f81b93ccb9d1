// The dashboard's sync column and outbox card come from the hub's real outbox (edge/sync), read through its methods.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { exampleSessionReport } from "../../../cloud-sync/protocol/index.ts";
import type { SessionId } from "../../../core/ids/index.ts";
import { TestClock } from "../../../core/time/index.ts";
import { premisesTariffs } from "../../hub/session-tariff.ts";
import { Outbox } from "../../sync/outbox.ts";
import { type DashboardContext, type OutboxReadout, outboxView, sessionsView } from "./dashboard-views.ts";
import { SessionPricing } from "./tariff-lookup.ts";
import { twoSessions } from "./two-sessions.test-support.ts";

const pricing = new SessionPricing(premisesTariffs("pge-e-tou-c", () => {}), () => {});

test("a session whose report waits in the outbox shows as queued, an ended one that left as sent; the outbox card says what waits and why", async () => {
  const store = twoSessions();
  const clock = new TestClock();
  const outbox = new Outbox(store.db, { clock, backoff: { random: () => 0.5 } });
  const ctx = { store, timeZone: "America/Los_Angeles", pricing, outbox: (): OutboxReadout => outbox } as DashboardContext;
  const [late, early] = store.listSessions(); // newest first
  outbox.enqueue({ kind: "session-report", body: exampleSessionReport({ sessionId: late!.id as SessionId }) });
  const sync = () => Object.fromEntries(sessionsView(ctx, 50, Number.MAX_SAFE_INTEGER).sessions.map((r) => [r.id, r.sync]));
  assert.equal(sync(), { [late!.id]: "queued", [early!.id]: "sent" });
  assert.equal(outboxView(ctx), { waiting: 1, oldestCreatedAtMs: clock.nowMs(), lastError: null, deadLetters: 0 });
  await outbox.drain(async () => ({ kind: "retry", error: "utility unreachable: connection refused" }));
  assert.is(outboxView(ctx)!.lastError, "utility unreachable: connection refused");
  clock.advance(3_600_000);
  await outbox.drain(async () => ({ kind: "delivered" }));
  assert.equal(sync(), { [late!.id]: "sent", [early!.id]: "sent" }, "delivered: the report left the outbox");
  assert.equal(outboxView(ctx), { waiting: 0, oldestCreatedAtMs: null, lastError: null, deadLetters: 0 });
  store.close();
});

test("a hub without sync says so: sync state unknown, no outbox card", () => {
  const store = twoSessions();
  for (const outbox of [undefined, () => null]) {
    const ctx = { store, timeZone: "America/Los_Angeles", pricing, outbox } as DashboardContext;
    assert.ok(sessionsView(ctx, 50, Number.MAX_SAFE_INTEGER).sessions.every((r) => r.sync === "unknown"));
    assert.is(outboxView(ctx), null);
  }
  store.close();
});

test.run();
