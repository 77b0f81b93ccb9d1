// Issue 14, what operators and customers need: paged lists (sessions with filters, held sessions, accounts, hubs),
// account deactivation (its sessions held with the documented reason, its customer token refused), roaming failures
// visible (flush returns them, /healthz reports them) and one JSON line per event in the log.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, testUtility } from "../test-support.ts";
import { structuredLog } from "../log/structured-log.ts";

const VIN1 = makeVin("1HGCM82633A00435");
const VIN2 = makeVin("5YJ3E1EA7KF31755");

test("issue 14: sessions, held sessions, accounts and hubs are paged lists with filters; paging walks every row once", async () => {
  const lines: string[] = [];
  const t = await testUtility({ log: structuredLog("info", () => 0, (l) => lines.push(l)) });
  try {
    await defineTestProgram(t, "ev");
    const hub1 = newHub(t.utility.url, "HUB-1", t.clock), hub2 = newHub(t.utility.url, "HUB-2", t.clock);
    const h1 = await enrollHousehold(t, "1", { vin: VIN1, programId: "ev", hub: hub1 });
    await enrollHousehold(t, "2", { vin: VIN2, programId: "ev", hub: hub2 });
    const start = Math.floor(t.clock.now() / 900) * 900;
    // Three fallback sessions at premises 1 (billed at the default rate) and one program-rate claim with no binding (held).
    for (let i = 0; i < 3; i++) {
      const r = sessionReport({ sessionId: `S-${i}`, hubId: "HUB-1", premisesId: h1.premisesId, vin: null, start: start + i * 3600, wh: [500], rate: "default" });
      assert.is((await hub1.client.sendSessionReport(r)).outcome, "accepted");
    }
    const held = sessionReport({ sessionId: "S-H", hubId: "HUB-2", premisesId: "PREM-2", vin: VIN1, start: start + 4 * 3600, wh: [500], status: "guest" });
    assert.is((await hub2.client.sendSessionReport(held)).outcome, "held-for-review");

    const page1 = await t.op("GET", "/v1/operator/sessions?limit=2&premisesId=PREM-1");
    assert.is((page1.body.items as unknown[]).length, 2);
    assert.is(page1.body.nextOffset, 2);
    const page2 = await t.op("GET", "/v1/operator/sessions?limit=2&offset=2&premisesId=PREM-1");
    assert.is((page2.body.items as unknown[]).length, 1);
    assert.is(page2.body.nextOffset, null);
    const ids = [...(page1.body.items as { sessionId: string }[]), ...(page2.body.items as { sessionId: string }[])].map((s) => s.sessionId);
    assert.equal(ids, ["S-2", "S-1", "S-0"], "newest first, each once");
    const window = await t.op("GET", `/v1/operator/sessions?from=${start + 3600}&to=${start + 2 * 3600}`);
    assert.equal((window.body.items as { sessionId: string }[]).map((s) => s.sessionId), ["S-1"], "[from, to) is half-open");
    const queue = await t.op("GET", "/v1/operator/sessions/held");
    assert.equal((queue.body.items as { sessionId: string; reviewReason: string }[]).map((s) => s.sessionId), ["S-H"]);
    assert.is((await t.op("GET", "/v1/operator/sessions?status=held&settlement=held")).body.items instanceof Array, true);
    const bad = await t.op("GET", "/v1/operator/sessions?limit=0");
    assert.is(bad.status, 400);
    assert.is(bad.body.error?.path, "query.limit");
    assert.is((await t.op("GET", "/v1/operator/sessions?status=nonsense")).body.error?.path, "query.status");

    const accounts = await t.op("GET", "/v1/operator/accounts?limit=1");
    assert.equal((accounts.body.items as { id: string }[]).map((a) => a.id), ["ACCT-1"]);
    assert.is(accounts.body.nextOffset, 1);
    const hubs = await t.op("GET", "/v1/operator/hubs?active=true");
    assert.equal((hubs.body.items as { hubId: string; publicKeyPem: string }[]).map((h) => h.hubId), ["HUB-1", "HUB-2"]);

    // One JSON line per event: intake and binding were logged with their facts.
    const events = lines.map((l) => JSON.parse(l) as { event: string; outcome?: string; level: string; time: string });
    assert.ok(events.some((e) => e.event === "binding"), "binding logged");
    assert.ok(events.some((e) => e.event === "intake" && e.outcome === "held-for-review"), "held intake logged");
    assert.ok(events.every((e) => e.level === "info" && /^\d{4}-\d{2}-\d{2}T/.test(e.time)));
  } finally {
    await t.close();
  }
});

test("issue 14: a deactivated account's sessions are held with reason account-deactivated and its customer token is refused; reactivation restores the token", async () => {
  const t = await testUtility();
  try {
    await defineTestProgram(t, "ev");
    const hub = newHub(t.utility.url, "HUB-1", t.clock);
    const h = await enrollHousehold(t, "1", { vin: VIN1, programId: "ev", hub });
    const me = (token: string) => fetch(`${t.utility.url}/v1/customer/overview`, { headers: { authorization: `Bearer ${token}` } });
    assert.is((await me(h.customerToken)).status, 200);
    const off = await t.op("POST", `/v1/operator/accounts/${h.accountId}/status`, { status: "deactivated", reason: "moved out" });
    assert.is(off.status, 200);
    assert.is(off.body.status, "deactivated");
    assert.is((await me(h.customerToken)).status, 401);
    const start = Math.floor(t.clock.now() / 900) * 900;
    const r = sessionReport({ sessionId: "S-1", hubId: "HUB-1", premisesId: h.premisesId, vin: null, start, wh: [700], rate: "default" });
    const receipt = await hub.client.sendSessionReport(r);
    assert.is(receipt.outcome, "held-for-review");
    assert.match(String(receipt.note), /^account-deactivated: /);
    assert.is((await t.op("GET", `/v1/operator/ledger?account=${h.accountId}`)).body.balanceNano, 0, "nothing billed");
    assert.is((await t.op("GET", "/v1/operator/accounts?status=deactivated")).body.items instanceof Array, true);
    assert.is((await t.op("POST", `/v1/operator/accounts/${h.accountId}/status`, { status: "active" })).status, 200);
    assert.is((await me(h.customerToken)).status, 200);
    assert.is((await t.op("POST", "/v1/operator/accounts/NOPE/status", { status: "active" })).status, 404);
    assert.is((await t.op("POST", `/v1/operator/accounts/${h.accountId}/status`, { status: "closed" })).body.error?.path, "status");
  } finally {
    await t.close();
  }
});

test("issue 14: a clearinghouse that refuses this utility's token is visible: flush returns the error, /healthz reports it", async () => {
  // A clearinghouse stand-in on a real socket that refuses every token (what a wrong OFFPEAK_UTILITY_CLEARINGHOUSE_TOKEN gets).
  const refusing = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ error: { code: "unauthorized", message: "a registered utility's bearer token is required" } }, { status: 401 }) });
  const t = await testUtility({ clearinghouseUrl: `http://127.0.0.1:${refusing.port}`, clearinghouseToken: "wrong-token-000000000" });
  try {
    await defineTestProgram(t, "ev", { roamingAllowed: true });
    await enrollHousehold(t, "1", { vin: VIN1, programId: "ev", hub: newHub(t.utility.url, "HUB-1", t.clock), bind: false });
    const flushed = await t.op("POST", "/v1/operator/roaming/flush");
    assert.is(flushed.status, 200);
    const errors = flushed.body.errors as { kind: string; id: string; status: number; error: string }[];
    assert.is(errors.length, 1);
    assert.is(errors[0]!.kind, "token");
    assert.is(errors[0]!.id, VIN1);
    assert.is(errors[0]!.status, 401);
    const health = (await (await fetch(`${t.utility.url}/healthz`)).json()) as { ok: boolean; roaming: { ok: boolean; errors: unknown[] } };
    assert.is(health.ok, false);
    assert.is(health.roaming.ok, false);
    assert.is(health.roaming.errors.length, 1);
  } finally {
    await t.close();
    await refusing.stop(true);
  }
});

test.run();
