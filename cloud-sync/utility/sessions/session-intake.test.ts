// Session intake into the ledger and a month closed into a bill, over real HTTP with part A's UtilityClient.
// Test tariff (test-support.ts): program "test-tou" Off-Peak 0.20 $/kWh, Peak 0.50 $/kWh 16-21 h Pacific,
// 10.00 $ a month; premises default "test-flat" 0.30 $/kWh. The clock starts 2024-06-03T07:00Z (00:00 PDT).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TestClock } from "../../../core/time/index.ts";
import type { PremisesId } from "../../../core/ids/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import { UtilityRejectedError } from "../../protocol/index.ts";
import { signRequest } from "../../protocol/index.ts";
import { SESSION_BATCH_PATH } from "../http/session-batch.ts";
import { bindPev, defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, testUtility, type TestHub, type TestUtility } from "../test-support.ts";

const VIN1 = makeVin("5YJ3E1EA7KF31755");
const VIN2 = makeVin("1N4AZ1CP8JC31234");
const VIN3 = makeVin("KNDCC3LG5L512345");
const T0 = Date.UTC(2024, 5, 3, 8, 0, 0) / 1000; // 01:00 PDT: off-peak
const PEAK = Date.UTC(2024, 5, 3, 23, 0, 0) / 1000; // 16:00 PDT: peak

let t: TestUtility;
let hub1: TestHub, hub2: TestHub, hub3: TestHub;
let h1: Awaited<ReturnType<typeof enrollHousehold>>, h2: Awaited<ReturnType<typeof enrollHousehold>>, h3: Awaited<ReturnType<typeof enrollHousehold>>;

test.before(async () => {
  t = await testUtility();
  await defineTestProgram(t, "ev-a", { guestCharging: "guest-pays" });
  hub1 = newHub(t.utility.url, "HUB-1", t.clock);
  hub2 = newHub(t.utility.url, "HUB-2", t.clock);
  hub3 = newHub(t.utility.url, "HUB-3", t.clock);
  h1 = await enrollHousehold(t, "1", { vin: VIN1, programId: "ev-a", hub: hub1 });
  h2 = await enrollHousehold(t, "2", { vin: VIN2, programId: "ev-a", hub: hub2 });
  h3 = await enrollHousehold(t, "3", { vin: VIN3, programId: "ev-a", hub: hub3 });
});
test.after(async () => { await t.close(); });

const ledgerTotal = async () => (await t.op("GET", "/v1/operator/ledger")).body.totalNano as number;
const balance = async (acct: string) => (await t.op("GET", `/v1/operator/ledger?account=${acct}`)).body.balanceNano as number;

test("FR-29, FR-31: a program session is posted to the PEV's account at the program rate; postings sum to zero", async () => {
  const r = sessionReport({ sessionId: "S-A", hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1000, 1000, 1000], final: false });
  const receipt = await hub1.client.sendSessionReport(r);
  assert.is(receipt.outcome, "accepted");
  assert.is(await balance(h1.accountId), 3 * 1000 * 200_000); // 3 kWh × 0.20 $ = 0.60 $ in nano-dollars
  assert.is(await ledgerTotal(), 0);
});

test("FR-29: the same (session, revision) again is acknowledged as a duplicate and posts nothing", async () => {
  const before = await balance(h1.accountId);
  const r = sessionReport({ sessionId: "S-A", hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1000, 1000, 1000], final: false });
  const receipt = await hub1.client.sendSessionReport(r);
  assert.is(receipt.outcome, "duplicate");
  assert.is(await balance(h1.accountId), before);
});

test("FR-29: a higher revision replaces the session by reversal postings; an older one is superseded", async () => {
  const r2 = sessionReport({ sessionId: "S-A", revision: 2, hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1000, 1000, 1000, 1000, 333] });
  assert.is((await hub1.client.sendSessionReport(r2)).outcome, "accepted");
  assert.is(await balance(h1.accountId), 4333 * 200_000);
  const old = sessionReport({ sessionId: "S-A", revision: 1, hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [5] });
  // revision 1 is already held: that is a duplicate; a revision never seen but lower than the highest is superseded
  assert.is((await hub1.client.sendSessionReport(old)).outcome, "duplicate");
  const s = await t.op("GET", "/v1/operator/sessions/S-A");
  const entries = s.body.entries as { kind: string; reversesEntryId: number | null }[];
  assert.is(entries.filter((e) => e.kind === "reversal").length, 1, "revision 1 reversed, not edited");
  assert.is(await ledgerTotal(), 0);
  const r4 = sessionReport({ sessionId: "S-Z", revision: 4, hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: PEAK + 86_400 * 40, wh: [0] });
  await hub1.client.sendSessionReport(r4);
  const r3 = sessionReport({ sessionId: "S-Z", revision: 3, hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: PEAK + 86_400 * 40, wh: [0] });
  assert.is((await hub1.client.sendSessionReport(r3)).outcome, "superseded");
});

test("ledger: postings and entries are immutable in the database", async () => {
  for (const sql of ["UPDATE postings SET amount_nano = 0", "DELETE FROM journal_entries"]) {
    const refused = await t.utility.db.run(sql).then(() => null, (e: Error) => e.message);
    assert.match(refused ?? "accepted", /immutable/, sql);
  }
});

test("FR-31: peak energy is priced at the peak rate", async () => {
  const r = sessionReport({ sessionId: "S-B", hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: PEAK, wh: [500, 500, 500, 500] });
  assert.is((await hub1.client.sendSessionReport(r)).outcome, "accepted");
  assert.is(await balance(h1.accountId), 4333 * 200_000 + 2000 * 500_000);
});

test("BR-4, FR-10: a fallback session accrues to the premises account at the premises default rate", async () => {
  const r = sessionReport({ sessionId: "S-C", hubId: "HUB-1", premisesId: h1.premisesId, vin: null, start: T0 + 7200, wh: [1000, 1000, 1000], rate: "default", fallbackReason: "comm-timeout" });
  assert.is((await hub1.client.sendSessionReport(r)).outcome, "accepted");
  const s = await t.op("GET", "/v1/operator/sessions/S-C");
  assert.is((s.body.session as { settlement: string }).settlement, "default");
  assert.is(await balance(h1.accountId), 4333 * 200_000 + 2000 * 500_000 + 3000 * 300_000);
});

test("FR-33: guest-pays: the guest account is debited at its program rate, the host credited at its regular rate", async () => {
  const host0 = await balance(h1.accountId);
  const guest0 = await balance(h2.accountId);
  assert.is((await bindPev(t, hub1, h1.premisesId, VIN2, { sessionId: "S-G" })).status, "guest");
  // Within the guest grant's day (issue 13).
  const r = sessionReport({ sessionId: "S-G", hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN2, start: T0 + 20 * 3600, wh: [1000, 1000], status: "guest" });
  assert.is((await hub1.client.sendSessionReport(r)).outcome, "accepted");
  assert.is(await balance(h2.accountId) - guest0, 2000 * 200_000, "guest: 2 kWh × 0.20");
  assert.is(await balance(h1.accountId) - host0, -2000 * 300_000, "host credit: 2 kWh × 0.30");
  assert.is(await ledgerTotal(), 0);
});

test("FR-15: a PEV interval above the premises (AMI) interval beyond 2 % + 10 Wh is held for review, never billed", async () => {
  const start = T0 + 3 * 86_400;
  const ami = await t.op("POST", "/v1/ami/intervals", {
    v: 1, utilityId: "UTIL-A", premisesId: h3.premisesId, meterId: "AMI-3", source: "ami",
    intervals: [0, 1, 2].map((i) => ({ start: start + i * 900, lengthS: 900, wh: 1000, quality: "ok" })),
  });
  assert.is(ami.status, 200);
  const before = await balance(h3.accountId);
  // 1030 Wh = 1000 × 1.02 + 10: inside the tolerance
  const ok = sessionReport({ sessionId: "S-L1", hubId: "HUB-3", premisesId: h3.premisesId, vin: VIN3, start, wh: [1030, 990] });
  assert.is((await hub3.client.sendSessionReport(ok)).outcome, "accepted");
  const bad = sessionReport({ sessionId: "S-L2", hubId: "HUB-3", premisesId: h3.premisesId, vin: VIN3, start: start + 1800, wh: [1031] });
  const receipt = await hub3.client.sendSessionReport(bad);
  assert.is(receipt.outcome, "held-for-review");
  assert.match(receipt.note ?? "", /FR-15/);
  assert.is(await balance(h3.accountId) - before, 2020 * 200_000, "only the correlated session is billed");
  const s = await t.op("GET", "/v1/operator/sessions/S-L2");
  assert.is((s.body.session as { status: string }).status, "held");
  assert.is((s.body.entries as unknown[]).length, 0);
});

test("FR-15: AMI that arrives after a posted session still correlates: a misfit session is reversed and held", async () => {
  const start = T0 + 4 * 86_400;
  const before = await balance(h3.accountId);
  const r = sessionReport({ sessionId: "S-L3", hubId: "HUB-3", premisesId: h3.premisesId, vin: VIN3, start, wh: [900, 900] });
  assert.is((await hub3.client.sendSessionReport(r)).outcome, "accepted", "no AMI yet: unchecked, posted");
  assert.is(await balance(h3.accountId) - before, 1800 * 200_000);
  const ami = await t.op("POST", "/v1/ami/intervals", {
    v: 1, utilityId: "UTIL-A", premisesId: h3.premisesId, meterId: "AMI-3", source: "ami",
    intervals: [0, 1].map((i) => ({ start: start + i * 900, lengthS: 900, wh: 400, quality: "ok" })),
  });
  assert.is(ami.status, 200);
  assert.is(await balance(h3.accountId), before, "reversed");
  const s = await t.op("GET", "/v1/operator/sessions/S-L3");
  assert.is((s.body.session as { status: string }).status, "held");
  assert.match((s.body.session as { reviewReason: string }).reviewReason, /FR-15/);
  assert.is(await ledgerTotal(), 0);
});

test("FR-31: IDs are verified: another utility's ID or a wrong account is a 400 naming the field", async () => {
  const wrongUtility = sessionReport({ sessionId: "S-X", hubId: "HUB-1", premisesId: h1.premisesId, utilityId: "UTIL-B", vin: VIN1, start: T0, wh: [1] });
  try {
    await hub1.client.sendSessionReport(wrongUtility);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, UtilityRejectedError);
    assert.is((e as UtilityRejectedError).status, 400);
    assert.is((e as UtilityRejectedError).path, "utilityId");
  }
  const wrongAccount = sessionReport({ sessionId: "S-X", hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1], accountId: h2.accountId });
  try {
    await hub1.client.sendSessionReport(wrongAccount);
    assert.unreachable();
  } catch (e) {
    assert.is((e as UtilityRejectedError).path, "accountId");
  }
});

test("malformed session report: 400 naming the field (totalWh)", async () => {
  const r = sessionReport({ sessionId: "S-M", hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1, 2] });
  try {
    await hub1.client.sendSessionReport({ ...r, totalWh: 999 as Wh });
    assert.unreachable();
  } catch (e) {
    assert.is((e as UtilityRejectedError).status, 400);
    assert.is((e as UtilityRejectedError).path, "totalWh");
  }
});

test("FR-29: a signed batch of reports is taken in one go; a bad report fails alone, naming its index", async () => {
  const good = sessionReport({ sessionId: "S-BATCH-1", hubId: "HUB-2", premisesId: h2.premisesId, vin: VIN2, start: T0 + 29 * 86_400, wh: [100] }); // July 2 (inside the binding's 30 days): not on the June bills below
  const bad = sessionReport({ sessionId: "S-BATCH-2", hubId: "HUB-2", premisesId: h2.premisesId, utilityId: "UTIL-B", vin: VIN2, start: T0, wh: [1] });
  const body = JSON.stringify({ v: 1, reports: [good, bad, good] });
  const headers = signRequest({ method: "POST", path: SESSION_BATCH_PATH, body, hubId: hub2.hubId, privateKey: hub2.keys.privateKey, time: t.clock.now() });
  const res = await fetch(`${t.utility.url}${SESSION_BATCH_PATH}`, { method: "POST", headers, body });
  assert.is(res.status, 200);
  const out = (await res.json()) as { results: { outcome?: string; index?: number; path?: string }[] };
  assert.is(out.results[0]!.outcome, "accepted");
  assert.is(out.results[1]!.index, 1);
  assert.is(out.results[1]!.path, "reports[1].utilityId");
  assert.is(out.results[2]!.outcome, "duplicate");
  const cross = JSON.stringify({ v: 1, reports: [sessionReport({ sessionId: "S-BATCH-3", hubId: "HUB-2", premisesId: h1.premisesId, vin: VIN2, start: T0, wh: [1] })] });
  const res2 = await fetch(`${t.utility.url}${SESSION_BATCH_PATH}`, { method: "POST", headers: signRequest({ method: "POST", path: SESSION_BATCH_PATH, body: cross, hubId: hub2.hubId, privateKey: hub2.keys.privateKey, time: t.clock.now() }), body: cross });
  assert.is(res2.status, 403);
});

test("demand response: an operator event reaches the hub through config; the hub's status is recorded", async () => {
  const ev = { id: "DR-1", start: T0 + 86_400 * 2, durationS: 3600, criticality: 3, deviceClass: "electric-vehicle", action: "curtail", limitA: 8, optOutAllowed: true };
  const issued = await t.op("POST", "/v1/operator/dr-events", { event: ev, programId: "ev-a" });
  assert.is(issued.status, 201);
  const cfg = await hub1.client.pullConfig();
  assert.is(cfg.drEvents.length, 1);
  assert.is(cfg.drEvents[0]!.id, "DR-1");
  assert.is(cfg.intervalS, 900);
  assert.is(cfg.utilityKeys[0]!.keyId, t.utility.keyId);
  await hub1.client.reportDrStatus({ v: 1, hubId: "HUB-1" as never, premisesId: h1.premisesId as PremisesId, eventId: "DR-1", status: "opted-out", at: t.clock.now() });
  const got = await t.op("GET", "/v1/operator/dr-events/DR-1");
  assert.equal((got.body.reports as { status: string }[]).map((r) => r.status), ["opted-out"]);
});

test("FR-34: June closed into a bill whose lines and total match the hand calculation", async () => {
  const early = await t.op("POST", "/v1/operator/bills", { accountId: h1.accountId, month: "2024-06" });
  assert.is(early.status, 400, "month not over yet");
  (t.clock as TestClock).advance(30 * 86_400 * 1000); // → 2024-07-03
  const r = await t.op("POST", "/v1/operator/bills", { accountId: h1.accountId, month: "2024-06" });
  assert.is(r.status, 201, JSON.stringify(r.body));
  if (process.env.SHOW_BILL) console.log(JSON.stringify(r.body, null, 1));
  const bill = r.body as { lines: { kind: string; description: string; wh: number; amountCents: number }[]; totalCents: number; debitsCents: number; creditsCents: number; pevWh: number };
  const line = (kind: string, re: RegExp) => bill.lines.find((l) => l.kind === kind && re.test(l.description));
  // Hand calculation, each line rounded once:
  //   Off-Peak 4.333 kWh × 0.20 = 0.8666 $ → 87 ¢;  Peak 2.000 kWh × 0.50 = 1.00 $ → 100 ¢
  //   default rate 3.000 kWh × 0.30 = 0.90 $ → 90 ¢; guest credit 2.000 kWh × 0.30 = −0.60 $ → −60 ¢; fixed 10.00 $ → 1000 ¢
  assert.is(line("pev-debit", /Off-Peak/)!.amountCents, 87);
  assert.is(line("pev-debit", /Off-Peak/)!.wh, 4333);
  assert.is(line("pev-debit", /: Peak/)!.amountCents, 100);
  assert.is(line("default-rate-debit", /All hours/)!.amountCents, 90);
  assert.is(line("guest-credit", /All hours/)!.amountCents, -60);
  assert.is(line("fixed", /Monthly/)!.amountCents, 1000);
  assert.is(bill.totalCents, 87 + 100 + 90 - 60 + 1000);
  assert.is(bill.debitsCents, 1277);
  assert.is(bill.creditsCents, 60);
  assert.is(bill.pevWh, 4333 + 2000 + 3000);
  const again = await t.op("POST", "/v1/operator/bills", { accountId: h1.accountId, month: "2024-06" });
  assert.is(again.status, 409);
  const guest = await t.op("POST", "/v1/operator/bills", { accountId: h2.accountId, month: "2024-06" });
  assert.is((guest.body as { totalCents: number }).totalCents, 40 + 1000, "guest: 2 kWh × 0.20 + fixed");
  assert.is(await ledgerTotal(), 0);
});

test("FR-34: a correction to a billed month lands on the next bill as an adjustment, billed once", async () => {
  const r3 = sessionReport({ sessionId: "S-A", revision: 3, hubId: "HUB-1", premisesId: h1.premisesId, vin: VIN1, start: T0, wh: [1000, 1000, 1000, 1000] });
  assert.is((await hub1.client.sendSessionReport(r3)).outcome, "accepted");
  (t.clock as TestClock).advance(31 * 86_400 * 1000); // → August
  const july = await t.op("POST", "/v1/operator/bills", { accountId: h1.accountId, month: "2024-07" });
  const lines = (july.body as { lines: { kind: string; amountCents: number; description: string }[] }).lines;
  const adj = lines.filter((l) => l.kind === "adjustment");
  // −4333 Wh + 4000 Wh at 0.20 $ = −0.0666 $ → −7 ¢ (the 333 Wh interval removed)
  assert.is(adj.reduce((a, l) => a + l.amountCents, 0), -7);
  assert.match(adj[0]!.description, /2024-06/);
});

test("FR-35: the customer sees program, tariff, usage, bills, sessions and DR events with their own token only", async () => {
  const get = async (path: string, token = h1.customerToken) => {
    const res = await fetch(`${t.utility.url}/v1/customer${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  assert.is((await get("/overview", "nope")).status, 401);
  const o = await get("/overview");
  const prem = (o.body.premises as { program: { id: string }; tariff: { id: string } }[])[0]!;
  assert.is(prem.program.id, "ev-a");
  assert.is(prem.tariff.id, "test-tou");
  const usage = await get("/usage?month=2024-06");
  assert.ok((usage.body.lines as unknown[]).length > 0);
  const bills = await get("/bills");
  assert.equal((bills.body.bills as { month: string }[]).map((b) => b.month), ["2024-07", "2024-06"]);
  const sessions = await get("/sessions");
  const ids = (sessions.body.sessions as { sessionId: string }[]).map((s) => s.sessionId);
  assert.ok(ids.includes("S-A") && ids.includes("S-G"));
  const dr = await get("/dr-events");
  assert.is((dr.body.events as { event: { id: string } }[])[0]!.event.id, "DR-1");
  const other = await get("/sessions", h3.customerToken);
  assert.not.ok((other.body.sessions as { sessionId: string }[]).some((s) => s.sessionId === "S-A"), "no other customer's sessions");
});

test.run();
