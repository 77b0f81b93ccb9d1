// The four scenarios of use case P1 as one executable story (issue 8): every process real (`offpeak clearinghouse`,
// two `offpeak utility`, `offpeak sim`, `offpeak hub`), all traffic over loopback, one simulated timeline
// (OFFPEAK_SIM_CLOCK) shared by all. Each test() is one step; they share state and run in order.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { vinCheckDigit } from "../../core/ids/index.ts";
import { json, until } from "../testing/child-processes.test-support.ts";
import { HUB_ID, StoryWorld, TOKEN_A } from "./story-world.test-support.ts";

// 240× : a simulated hour in 15 real seconds. The hub polls every 10 simulated seconds (24 polls a real second per
// device), which the 2-core machine keeps up with beside other test files.
const SPEED = 240;
// Sunday 30 June 2024, 20:00 in California: peak/mid-peak until 21:00, off-peak after, and June ends 4 h later.
const ANCHOR = Date.parse("2024-06-30T20:00:00-07:00");
const JUNE_END_S = Date.parse("2024-07-01T00:00:00-07:00") / 1000;

/** A valid VIN (check digit computed) from 16 characters. */
function vin(seed16: string): string {
  const draft = `${seed16.slice(0, 8)}0${seed16.slice(8)}`;
  return `${seed16.slice(0, 8)}${vinCheckDigit(draft)}${seed16.slice(8)}`;
}
const VIN_OWN = vin("1HGCM8263A004352");
const VIN_GUEST = vin("5YJ3E1EA7KF31755");
const VIN_ROAM = vin("3FA6P0SU1K123456");
const VIN_STRANGER = vin("2T1BURHE0JC04300");

// The tariffs' published prices (core/tariff/examples), written out for the hand calculation: µ$/kWh by period.
// sce-tou-d-prime (the program rate), summer weekend: 16-21 h Summer Mid-Peak 0.41 $/kWh, otherwise Summer Off-Peak 0.27.
// pge-e-tou-c (the premises default rate), summer: 16-21 h Summer Peak 0.60 $/kWh, otherwise Summer Off-Peak 0.50.
const PROGRAM_PRICE = (localHour: number) => (localHour >= 16 && localHour < 21 ? { period: "Summer Mid-Peak", price: 410_000 } : { period: "Summer Off-Peak", price: 270_000 });
const DEFAULT_PRICE = (localHour: number) => (localHour >= 16 && localHour < 21 ? { period: "Summer Peak", price: 600_000 } : { period: "Summer Off-Peak", price: 500_000 });
/** SCE TOU-D-PRIME's basic charge, 0.40 $ a day, 30 days of June. */
const FIXED_JUNE_CENTS = 30 * 40;

// The same story over each way the hub drives the charger: Modbus (this file) and OCPP 1.6J (story-ocpp.test.ts).
const CHARGER = process.env.OFFPEAK_STORY_CHARGER === "ocpp" ? "ocpp" : "modbus";
const test = suite(CHARGER === "ocpp" ? "story, charger over OCPP 1.6J" : "story, charger over Modbus");
const w = new StoryWorld({ speed: SPEED, anchorSimMs: ANCHOR, pollMs: 10_000, charger: CHARGER });
const story: {
  tokenA1?: string; tokenA2?: string; tokenB1?: string;
  sessions: { id: string; kind: "program" | "default" | "guest" | "roaming" | "held" }[];
  secret?: string;
  bill?: { billId: string; accountId: string; month: string; lines: { kind: string; description: string; wh: number; amountCents: number; priceMicroUsdPerKWh?: number }[]; totalCents: number };
} = { sessions: [] };

interface HubSession {
  id: string; phase: string; rate: string; vin: string | null; bindingPath: string | null; bindingStatus: string | null;
  programId: string | null; programName: string | null;
  fallbackReason: string | null; totalWh: number; revision: number; endedAt: number | null;
  events: { kind: string; reason: string }[]; intervals: { start: number; lengthS: number; wh: number; quality: string }[];
}
interface UtilityPosting { ledgerAccount: string; amountNano: number; energyWh: number; period: string; lineKind: string; tariffId: string | null; priceMicroUsdPerKWh: number | null }
interface UtilitySession {
  session: { sessionId: string; revision: number; vin: string | null; status: string; settlement: string; bindingStatus: string; energyWh: number };
  entries: { id: number; kind: string; postings: UtilityPosting[] }[];
  cdr: { state: string; homeUtilityId: string; cdr: { session_id: string; total_cost: { excl_vat: number }; total_energy: number; [k: string]: unknown } } | null;
}
interface HubBinding { status: string | null; programId: string | null; programName: string | null; tariffId: string | null }

const hubSession = async (id: string) => (await w.hubGet<HubSession>(`/api/v1/sessions/${id}`)).body;
const hubStatus = async () => (await w.hubGet<{ session: { id: string; phase: string; binding: HubBinding; rate: string; commissioning: unknown; fallbackReason: string | null } | null }>("/api/v1/status")).body;

/** Waits until UTIL-A holds the session's final revision as the hub has it; returns the utility's record. */
async function utilityHasFinal(id: string, realMs = 20_000): Promise<UtilitySession> {
  const hs = await hubSession(id);
  return until(`UTIL-A to hold session ${id} at revision ${hs.revision}`, async () => {
    const r = await w.opA<UtilitySession>("GET", `/v1/operator/sessions/${id}`);
    return r.status === 200 && r.body.session.revision >= hs.revision ? r.body : undefined;
  }, realMs);
}

/** Per rate period: Wh, nano-dollars and the price, named by period. */
type ByPeriod = Record<string, { wh: number; nano: number; price: number | null }>;

/** The hand calculation of a session's energy at a tariff's published prices (the constants above), from the hub's intervals. */
function handRated(hs: HubSession, price: (localHour: number) => { period: string; price: number }, sign: 1 | -1): ByPeriod {
  const out: ByPeriod = {};
  for (const iv of hs.intervals) {
    if (iv.wh <= 0) continue;
    const p = price(localHour(iv.start));
    const e = out[p.period] ??= { wh: 0, nano: 0, price: p.price };
    e.wh += iv.wh; // a credit posts the energy as delivered and the amount negative
    e.nano += sign * iv.wh * p.price; // Wh × µ$/kWh = nano-dollars
  }
  return out;
}

/** What the utility posted for a session on one ledger account and bill-line kind, net of any reversals, by period. */
function postedByPeriod(u: UtilitySession, ledgerAccount: string, lineKind: string): ByPeriod {
  const out: ByPeriod = {};
  for (const e of u.entries) for (const p of e.postings) {
    if (p.ledgerAccount !== ledgerAccount || p.lineKind !== lineKind) continue;
    const g = out[p.period] ??= { wh: 0, nano: 0, price: p.priceMicroUsdPerKWh };
    g.wh += p.energyWh;
    g.nano += p.amountNano;
  }
  for (const [k, g] of Object.entries(out)) if (g.wh === 0 && g.nano === 0) delete out[k];
  return out;
}
const nanoOf = (b: ByPeriod) => Object.values(b).reduce((a, g) => a + g.nano, 0);
/** The net of a session's postings on one ledger account (every line kind). */
const postedOn = (u: UtilitySession, ledgerAccount: string) =>
  u.entries.reduce((a, e) => a + e.postings.filter((p) => p.ledgerAccount === ledgerAccount).reduce((b, p) => b + p.amountNano, 0), 0);

/** Charges for `simS` simulated seconds. */
const charge = (simS: number, what: string) => w.untilSim(w.clock.nowMs() + simS * 1000, what);

test.before(async () => {
  await w.startServices();
  w.writeHubKey();
});
test.after(async () => { await w.stop(); });

test("FR-01, FR-02, FR-03, FR-04, FR-05, BR-1, BR-3: S1 steps 1-4 — programs are public, the operator enrolls customer, account, premises and PEV; an unknown VIN is not enrolled", async () => {
  const prog = await w.opA("PUT", "/v1/operator/programs/ev-tou", {
    name: "EV Time-of-Use", tariffId: "sce-tou-d-prime", intervalS: 900, commWaitS: 60, guestCharging: "guest-pays",
    roamingAllowed: true, offlineRebinding: false, enrollmentMethods: ["web", "phone"],
  });
  assert.ok(prog.status < 300, `program: ${JSON.stringify(prog.body)}`);
  const pub = await json<{ programs: { id: string; tariffId: string }[] }>(`${w.url("a")}/v1/programs`);
  assert.is(pub.status, 200);
  assert.ok(pub.body.programs.some((p) => p.id === "ev-tou"), "FR-01/FR-02: the program is listed publicly");

  for (const [n, premises, v] of [["A1", "PREM-A1", VIN_OWN], ["A2", "PREM-A2", VIN_GUEST]] as const) {
    assert.is((await w.opA("POST", "/v1/operator/customers", { id: `CUST-${n}`, name: `Customer ${n}` })).status, 201);
    // Customers of long standing: their accounts opened before the story's month (a whole month's fixed charge).
    const acct = await w.opA<{ customerToken: string }>("POST", "/v1/operator/accounts", { id: `ACCT-${n}`, customerId: `CUST-${n}`, openedOn: "2024-01-01" });
    assert.is(acct.status, 201, JSON.stringify(acct.body));
    if (n === "A1") story.tokenA1 = acct.body.customerToken; else story.tokenA2 = acct.body.customerToken;
    assert.is((await w.opA("POST", "/v1/operator/premises", { id: premises, accountId: `ACCT-${n}`, address: `${n} Main St`, defaultTariffId: "pge-e-tou-c" })).status, 201);
    assert.is((await w.opA("POST", "/v1/operator/pevs", { vin: v, accountId: `ACCT-${n}` })).status, 201);
    const en = await w.opA("POST", "/v1/operator/enrollments", { vin: v, premisesId: premises, programId: "ev-tou" });
    assert.is(en.status, 201, JSON.stringify(en.body));
  }
  const pair = await w.opA("POST", "/v1/operator/hubs", { hubId: HUB_ID, premisesId: "PREM-A1", publicKeyPem: w.hubPublicKeyPem });
  assert.is(pair.status, 201, JSON.stringify(pair.body));

  const own = await w.opA<{ enrolled: boolean; premises: { id: string }; program: { id: string; guestCharging: string; roamingAllowed: boolean } }>("GET", `/v1/operator/enrollments/${VIN_OWN}`);
  assert.ok(own.body.enrolled, "FR-04: the enrolled PEV is kept");
  assert.is(own.body.premises.id, "PREM-A1");
  assert.is(own.body.program.guestCharging, "guest-pays");
  const stranger = await w.opA<{ enrolled: boolean }>("GET", `/v1/operator/enrollments/${VIN_STRANGER}`);
  assert.is(stranger.body.enrolled, false, "FR-05: a VIN nobody enrolled is answered not-enrolled");

  // UTIL-B enrolls its own customer's PEV with roaming allowed; the clearinghouse knows both utilities (BR-5).
  assert.ok((await w.opB("PUT", "/v1/operator/programs/ev-b", { name: "B EV", tariffId: "sce-tou-d-prime", roamingAllowed: true })).status < 300);
  assert.is((await w.opB("POST", "/v1/operator/customers", { id: "CUST-B1", name: "Roamer" })).status, 201);
  const accB = await w.opB<{ customerToken: string }>("POST", "/v1/operator/accounts", { id: "ACCT-B1", customerId: "CUST-B1" });
  story.tokenB1 = accB.body.customerToken;
  assert.is((await w.opB("POST", "/v1/operator/premises", { id: "PREM-B1", accountId: "ACCT-B1", address: "9 Far Away", defaultTariffId: "pge-e-tou-c" })).status, 201);
  assert.is((await w.opB("POST", "/v1/operator/pevs", { vin: VIN_ROAM, accountId: "ACCT-B1" })).status, 201);
  assert.is((await w.opB("POST", "/v1/operator/enrollments", { vin: VIN_ROAM, premisesId: "PREM-B1", programId: "ev-b" })).status, 201);
  for (const [utilityId, baseUrl, token] of [["UTIL-A", w.url("a"), TOKEN_A], ["UTIL-B", w.url("b"), "story-ch-token-b-0123456789"]] as const) {
    // The utility's signing key (from its /healthz) is registered with its token: it signs the VINs it registers.
    const { publicKey } = (await (await fetch(`${baseUrl}/healthz`)).json()) as { publicKey: string };
    const r = await json(`${w.url("ch")}/v1/utilities`, { body: { utilityId, baseUrl, token, publicKey }, headers: { authorization: "Bearer story-clearinghouse-operator-01" } });
    assert.is(r.status, 201, JSON.stringify(r.body));
  }
  assert.ok((await w.opB("POST", "/v1/operator/roaming/flush", {})).status < 300);
  const tok = await json(`${w.url("ch")}/v1/tokens/${VIN_ROAM}`, { headers: { authorization: `Bearer ${TOKEN_A}` } });
  assert.is(tok.status, 200, `the roaming PEV's token is published at the clearinghouse: ${JSON.stringify(tok.body)}`);

  await w.startHub();
  await w.loginOwner();
  w.startAmiFeed();
});

test("FR-06, FR-08, FR-13, FR-14, FR-16, FR-17, FR-18, FR-19, FR-23, FR-24, FR-26, FR-27, FR-29: S1 commissioning — awaiting-binding, bound, both acks at the utility, the session's intervals reach it", async () => {
  const { link, phaseAtPlug } = await w.plug(VIN_OWN);
  assert.is(phaseAtPlug, "awaiting-binding", "FR-06: On-Plug opens the session, awaiting the binding");
  const bound = await until("the hub to bind the new PEV", async () => {
    const s = await hubStatus();
    return s.session?.phase === "bound" ? s.session : undefined;
  });
  assert.is(bound.rate, "program", "FR-17: the session is established at the program rate");
  const confirm = await link.next("confirm", 10_000);
  assert.is(confirm.status, "enrolled");
  assert.ok(confirm.pevSecretHex, "S1: the PEV receives its per-PEV secret");
  assert.ok(link.params, "FR-18: authentication parameters reached the PEV");
  story.secret = link.secretHex;
  // FR-19, FR-27: both acknowledgements reach the utility, which then records the commissioning as complete.
  const commissioned = await until("UTIL-A to record the commissioning as complete (PEV and EUMD acks)", async () => {
    const e = await w.opA<{ binding: { state: string; pevAckAt: number | null; eumdAckAt: number | null } | null }>("GET", `/v1/operator/enrollments/${VIN_OWN}`);
    return e.body.binding?.state === "commissioned" ? e.body.binding : undefined;
  });
  assert.ok(commissioned.pevAckAt !== null, "FR-19: the PEV's acknowledgement is recorded");
  assert.ok(commissioned.eumdAckAt !== null, "FR-27: the EUMD's acknowledgement is recorded");
  await charge(1800, "S1 charging");
  const id = await w.unplug();
  const hs = await hubSession(id);
  const kinds = hs.events.map((e) => e.kind);
  for (const k of ["on-plug", "pev.identified", "binding.requested", "commissioning.params-sent", "commissioning.eumd-detect", "bound", "unplug"]) {
    assert.ok(kinds.includes(k), `hub session event ${k} (have ${kinds.join(", ")})`);
  }
  assert.is(hs.bindingPath, "commissioning");
  assert.is(hs.bindingStatus, "enrolled");
  assert.is(hs.programId, "ev-tou");
  assert.is(hs.programName, "EV Time-of-Use");
  assert.ok(hs.totalWh > 1000, `S1 charged energy: ${hs.totalWh} Wh`);
  const sum = hs.intervals.reduce((a, i) => a + i.wh, 0);
  assert.is(sum, hs.totalWh, "no lost or double-counted energy: intervals sum to the session total");
  const u = await utilityHasFinal(id);
  assert.is(u.session.vin, VIN_OWN, "FR-29: the session at the utility names the PEV");
  assert.is(u.session.settlement, "program");
  assert.is(u.session.energyWh, hs.totalWh, "the utility holds the hub's energy total");
  story.sessions.push({ id, kind: "program" });
});

test("FR-28: S2 re-binding — the next plug-in takes the short path (proof over the link, no new secret)", async () => {
  const { link } = await w.plug(VIN_OWN, story.secret);
  await until("the hub to re-bind", async () => ((await hubStatus()).session?.phase === "bound" ? true : undefined));
  const confirm = await link.next("confirm", 10_000);
  assert.is(confirm.status, "enrolled");
  assert.not.ok(confirm.pevSecretHex, "FR-28: no new secret on re-binding");
  await charge(900, "S2 charging");
  const id = await w.unplug();
  const hs = await hubSession(id);
  assert.is(hs.bindingPath, "rebinding");
  assert.ok(hs.events.some((e) => e.kind === "pev.proof-ok"), "the PEV proved its secret");
  assert.not.ok(hs.events.some((e) => e.kind === "commissioning.params-sent"), "no full commissioning");
  await utilityHasFinal(id);
  story.sessions.push({ id, kind: "program" });
});

test("BR-4, FR-10: utility unreachable — fallback after the 60-s window at the default rate, charging proceeds; delivered exactly once after the utility returns", async () => {
  await w.a.stop();
  await w.plug(VIN_OWN, story.secret);
  const fb = await until("the hub to fall back after the comm-wait window", async () => {
    const s = await hubStatus();
    return s.session?.phase === "fallback" ? s.session : undefined;
  });
  assert.is(fb.fallbackReason, "comm-timeout");
  assert.is(fb.rate, "default");
  await charge(900, "fallback charging");
  const id = await w.unplug();
  const hs = await hubSession(id);
  assert.ok(hs.totalWh > 500, `BR-4: charging proceeded in fallback: ${hs.totalWh} Wh`);
  w.startUtilityA();
  await w.a.waitFor(/listening on/);
  const u = await utilityHasFinal(id, 40_000);
  assert.is(u.session.settlement, "default", `settled at the default rate: ${JSON.stringify(u.session)}`);
  assert.is(u.session.energyWh, hs.totalWh);
  assert.equal(postedByPeriod(u, "customer:ACCT-A1", "default-rate-debit"), handRated(hs, DEFAULT_PRICE, 1), "BR-4: the fallback energy is debited at the premises default rate's published prices");
  const customerSessions = await json<{ sessions: { sessionId: string }[] }>(`${w.url("a")}/v1/customer/sessions`, { headers: { authorization: `Bearer ${story.tokenA1}` } });
  assert.is(customerSessions.body.sessions.filter((s) => s.sessionId === id).length, 1, "exactly once at the utility");
  story.sessions.push({ id, kind: "default" });
});

const ledgerA = async (account: string) => (await w.opA<{ balanceNano: number }>("GET", `/v1/operator/ledger?account=${account}`)).body.balanceNano;

test("FR-33: a guest PEV from another premises of UTIL-A binds as guest; the host is credited and the guest's account debited (guest-pays)", async () => {
  const hostBefore = await ledgerA("ACCT-A1");
  const guestBefore = await ledgerA("ACCT-A2");
  await w.plug(VIN_GUEST);
  const s = await until("the hub to bind the guest PEV", async () => {
    const st = await hubStatus();
    return st.session?.phase === "bound" ? st.session : undefined;
  });
  assert.is(s.binding.status, "guest", `bound as guest: ${JSON.stringify(s.binding)}`);
  assert.is(s.binding.programId, "ev-tou", "guest-pays: the guest's own program");
  assert.is(s.binding.programName, "EV Time-of-Use");
  await charge(900, "guest charging");
  const id = await w.unplug();
  const hs = await hubSession(id);
  assert.is(hs.bindingStatus, "guest");
  assert.is(hs.programName, "EV Time-of-Use");
  assert.is(hs.rate, "program");
  const u = await utilityHasFinal(id);
  assert.is(u.session.settlement, "guest-pays");
  assert.is(u.session.bindingStatus, "guest");
  assert.is(u.session.vin, VIN_GUEST);
  // Guest-pays: the guest at its program's prices, the host credited at its premises' regular prices.
  const debit = handRated(hs, PROGRAM_PRICE, 1);
  const credit = handRated(hs, DEFAULT_PRICE, -1);
  assert.ok(nanoOf(debit) > 0, `the guest charged: ${JSON.stringify(hs.intervals)}`);
  assert.equal(postedByPeriod(u, "customer:ACCT-A2", "guest-debit"), debit, "the guest's debit, period by period, at the program's published prices");
  assert.equal(postedByPeriod(u, "customer:ACCT-A1", "guest-credit"), credit, "the host's credit, period by period, at the default rate's published prices");
  assert.is(postedOn(u, "customer:ACCT-A2"), nanoOf(debit), "nothing else is posted on the guest's account for the session");
  assert.is(postedOn(u, "customer:ACCT-A1"), nanoOf(credit), "nothing else is posted on the host's account for the session");
  assert.is(await ledgerA("ACCT-A2") - guestBefore, nanoOf(debit), "the guest's account is debited exactly that");
  assert.is(await ledgerA("ACCT-A1") - hostBefore, nanoOf(credit), "the host's account is credited exactly that");
  story.sessions.push({ id, kind: "guest" });
});

test("FR-30, FR-32, BR-5: a roaming PEV of UTIL-B binds as roaming; its CDR goes through the clearinghouse to UTIL-B, which bills its customer; one CDR per session", async () => {
  const hostBefore = await ledgerA("ACCT-A1");
  const roamerBefore = (await w.opB<{ balanceNano: number }>("GET", "/v1/operator/ledger?account=ACCT-B1")).body.balanceNano;
  await w.plug(VIN_ROAM);
  const s = await until("the hub to bind the roaming PEV", async () => {
    const st = await hubStatus();
    return st.session?.phase === "bound" ? st.session : undefined;
  });
  assert.is(s.binding.status, "roaming", `bound as roaming: ${JSON.stringify(s.binding)}`);
  assert.is(s.binding.programId, "ev-tou", "the host premises' program");
  assert.is(s.binding.programName, "EV Time-of-Use");
  await charge(900, "roaming charging");
  const id = await w.unplug();
  const hs = await hubSession(id);
  assert.is(hs.bindingStatus, "roaming");
  assert.is(hs.programName, "EV Time-of-Use");
  const u = await until("UTIL-A to settle the roaming session and queue its CDR", async () => {
    const r = (await utilityHasFinal(id));
    return r.cdr ? r : undefined;
  });
  assert.is(u.session.settlement, "roaming");
  assert.is(u.session.bindingStatus, "roaming");
  assert.is(u.session.vin, VIN_ROAM);
  // The host is credited at its regular rate's published prices; the home utility is owed that, rounded once to the cent.
  const credit = handRated(hs, DEFAULT_PRICE, -1);
  assert.ok(nanoOf(credit) < 0, `the roamer charged: ${JSON.stringify(hs.intervals)}`);
  assert.equal(postedByPeriod(u, "customer:ACCT-A1", "guest-credit"), credit, "the host's credit, period by period, at the default rate's published prices");
  assert.is(postedOn(u, "customer:ACCT-A1"), nanoOf(credit));
  assert.is(await ledgerA("ACCT-A1") - hostBefore, nanoOf(credit), "the host's account is credited exactly that");
  const cdrCents = cents(-nanoOf(credit));
  assert.is(postedOn(u, "clearinghouse:UTIL-B"), cdrCents * 10_000_000, "UTIL-B is owed the CDR's amount");
  const cdr = u.cdr!;
  assert.is(cdr.homeUtilityId, "UTIL-B");
  assert.is(cdr.cdr.session_id, id);
  assert.is(Math.round(cdr.cdr.total_cost.excl_vat * 100), cdrCents, `the CDR costs the hand-computed ${cdrCents} ¢`);
  assert.is(Math.round(cdr.cdr.total_energy * 1000), hs.totalWh, "the CDR carries the session's energy");
  await w.opA("POST", "/v1/operator/roaming/flush", {});
  const billedB = await until("UTIL-B to debit its customer for the CDR", async () => {
    const b = (await w.opB<{ balanceNano: number }>("GET", "/v1/operator/ledger?account=ACCT-B1")).body.balanceNano;
    return b !== roamerBefore ? b : undefined;
  }, 30_000);
  assert.is(billedB - roamerBefore, cdrCents * 10_000_000, "UTIL-B debits its customer exactly the CDR's total cost");
  const again = await json(`${w.url("ch")}/v1/cdrs`, { body: { v: 1, homeUtilityId: "UTIL-B", cdr: cdr.cdr }, headers: { authorization: `Bearer ${TOKEN_A}` } });
  assert.is(again.status, 409, `one CDR per session: a second is refused (${JSON.stringify(again.body).slice(0, 300)})`);
  const usageB = await json<{ lines: { kind: string; period: string; wh: number; estimatedCents: number }[] }>(`${w.url("b")}/v1/customer/usage?month=2024-06`, { headers: { authorization: `Bearer ${story.tokenB1}` } });
  assert.is(usageB.status, 200);
  assert.equal(usageB.body.lines.filter((l) => l.kind === "roaming-debit").map((l) => ({ wh: l.wh, cents: l.estimatedCents })), [{ wh: hs.totalWh, cents: cdrCents }],
    `the roamer sees the roaming debit at home: ${JSON.stringify(usageB.body.lines)}`);
  const sessionsB = await json(`${w.url("b")}/v1/customer/sessions`, { headers: { authorization: `Bearer ${story.tokenB1}` } });
  assert.is(sessionsB.status, 200);
  story.sessions.push({ id, kind: "roaming" });
});

test("FR-20, FR-29: a meter reset mid-session — the interval is flagged reset, no negative energy, the total matches what was delivered", async () => {
  await w.plug(VIN_OWN, story.secret);
  await until("the hub to re-bind", async () => ((await hubStatus()).session?.phase === "bound" ? true : undefined));
  await charge(600, "charging before the reset");
  const r = await json(`${w.url("simControl")}/fault/eumd`, { body: { kind: "reset-register" } });
  assert.is(r.status, 200, JSON.stringify(r.body));
  await charge(600, "charging after the reset");
  const id = await w.unplug();
  const st = await w.simState();
  const hs = await hubSession(id);
  assert.ok(hs.intervals.some((i) => i.quality === "reset"), `an interval is flagged reset: ${JSON.stringify(hs.intervals)}`);
  assert.ok(hs.intervals.every((i) => i.wh >= 0), "no negative energy");
  assert.is(hs.intervals.reduce((a, i) => a + i.wh, 0), hs.totalWh);
  // What the meter actually delivered: the battery's charge gained (plugged in at 20 % of 40 kWh, no losses in the
  // simulator). The hub can lose at most what flowed between its last reading and the reset: a poll period, plus
  // readings held back as implausible at this speed — bounded by 7.68 kW × 40 s.
  assert.ok(st.pev, "the simulator still describes the vehicle");
  const delivered = Math.round(((st.pev!.socPct - 20) / 100) * st.pev!.batteryWh);
  const bound = Math.ceil((7680 * 40) / 3600);
  assert.ok(hs.totalWh <= delivered + 2 && hs.totalWh >= delivered - bound, `hub total ${hs.totalWh} Wh vs delivered ${delivered} Wh (allowed loss ${bound} Wh)`);
  const u = await utilityHasFinal(id);
  assert.is(u.session.settlement, "held", "a reset interval holds the session for review");
  story.sessions.push({ id, kind: "held" });
});

/** Half away from zero, once per line (docs/tariffs.md). */
const cents = (nano: number) => Math.sign(nano) * Math.floor((Math.abs(nano) + 5_000_000) / 10_000_000);
const localHour = (utcS: number) => new Date((utcS - 7 * 3600) * 1000).getUTCHours(); // PDT in June

test("FR-31, FR-34: the month is closed and the bill checked line by line against a hand calculation", async () => {
  await w.untilSim((JUNE_END_S + 60) * 1000, "the end of June");
  const expected = new Map<string, { kind: string; period: string; price: number; wh: number; sign: 1 | -1 }>();
  for (const s of story.sessions) {
    if (s.kind === "held") continue;
    const hs = await hubSession(s.id);
    for (const iv of hs.intervals) {
      if (iv.start >= JUNE_END_S || iv.wh <= 0) continue;
      const h = localHour(iv.start);
      const { period, price } = s.kind === "program" ? PROGRAM_PRICE(h) : DEFAULT_PRICE(h);
      const kind = s.kind === "program" ? "pev-debit" : s.kind === "default" ? "default-rate-debit" : "guest-credit";
      const key = `${kind}|${period}`;
      const e = expected.get(key) ?? { kind, period, price, wh: 0, sign: kind === "guest-credit" ? -1 : 1 };
      e.wh += iv.wh;
      expected.set(key, e);
    }
  }
  const r = await w.opA<NonNullable<typeof story.bill>>("POST", "/v1/operator/bills", { accountId: "ACCT-A1", month: "2024-06" });
  assert.is(r.status, 201, JSON.stringify(r.body));
  story.bill = r.body;
  // The session held for review (the reset one) was posted while in progress and then reversed: it nets to nothing
  // and has no line, as in the hand calculation, which bills held sessions not at all.
  assert.not.ok(r.body.lines.some((l) => l.wh === 0 && l.amountCents === 0), "no net-zero lines on the bill");
  const lines = r.body.lines.filter((l) => l.kind !== "fixed");
  assert.is(lines.length, expected.size, `bill lines ${JSON.stringify(lines)} vs hand calculation ${JSON.stringify([...expected.values()])}`);
  let total = 0;
  for (const e of expected.values()) {
    const line = lines.find((l) => l.kind === e.kind && l.priceMicroUsdPerKWh === e.price && l.description.includes(e.period));
    assert.ok(line, `a ${e.kind} line for ${e.period} at ${e.price} µ$/kWh in ${JSON.stringify(lines)}`);
    assert.is(line!.wh, e.wh, `${e.kind} ${e.period}: Wh`);
    assert.is(line!.amountCents, cents(e.sign * e.wh * e.price), `${e.kind} ${e.period}: ${e.wh} Wh × ${e.price} µ$/kWh`);
    total += line!.amountCents;
  }
  const fixed = r.body.lines.filter((l) => l.kind === "fixed").reduce((a, l) => a + l.amountCents, 0);
  assert.is(fixed, FIXED_JUNE_CENTS, "fixed: 30 days × 0.40 $");
  assert.is(r.body.totalCents, total + fixed, "the total is the sum of the rounded lines");
});

test("FR-35, FR-17, FR-24: S4 — the customer reads program, usage and the bill from the utility and from the hub's dashboard", async () => {
  const auth = { authorization: `Bearer ${story.tokenA1}` };
  const overview = await json<{ premises: { premises: { id: string }; program: { id: string; name: string } | null; tariff: { id: string } | null }[] }>(`${w.url("a")}/v1/customer/overview`, { headers: auth });
  assert.is(overview.status, 200);
  const mine = overview.body.premises.find((p) => p.premises.id === "PREM-A1");
  assert.is(mine?.program?.id, "ev-tou", "the program");
  assert.is(mine?.program?.name, "EV Time-of-Use");
  assert.is(mine?.tariff?.id, "sce-tou-d-prime", "the program's tariff");
  const usage = await json<{ lines: { kind: string; period: string; wh: number; estimatedCents: number }[] }>(`${w.url("a")}/v1/customer/usage?month=2024-06`, { headers: auth });
  assert.is(usage.status, 200);
  // Usage groups the month's postings by line kind and period as the bill does (one tariff per kind here): the same
  // lines, Wh and cents.
  const asLines = (ls: { kind: string; wh: number; cents: number }[]) => ls.map((l) => `${l.kind} ${l.wh} Wh ${l.cents} ¢`).sort();
  assert.equal(asLines(usage.body.lines.filter((l) => l.wh !== 0 || l.estimatedCents !== 0).map((l) => ({ kind: l.kind, wh: l.wh, cents: l.estimatedCents }))),
    asLines(story.bill!.lines.map((l) => ({ kind: l.kind, wh: l.wh, cents: l.amountCents }))), "the customer's usage shows the bill's lines");
  const bills = await json<{ bills: NonNullable<typeof story.bill>[] }>(`${w.url("a")}/v1/customer/bills`, { headers: auth });
  assert.equal(bills.body.bills.find((b) => b.month === "2024-06"), story.bill, "the customer reads the closed bill as issued");

  const program = await w.hubGet<{ program: { id: string | null; name: string | null; tariffId: string | null } | null }>("/api/v1/dashboard/program");
  assert.is(program.status, 200);
  assert.equal(program.body.program, { id: "ev-tou", name: "EV Time-of-Use", tariffId: "sce-tou-d-prime" }, "the hub's program view");
  const sessions = await w.hubGet<{ sessions: { id: string; bindingStatus: string | null; programName: string | null; rate: string; fallbackReason: string | null }[] }>("/api/v1/dashboard/sessions");
  assert.is(sessions.status, 200);
  const expectedStatus = { program: "enrolled", held: "enrolled", guest: "guest", roaming: "roaming" } as const;
  for (const st of story.sessions) {
    const row = sessions.body.sessions.find((r) => r.id === st.id);
    assert.ok(row, `FR-17/FR-24: the customer sees session ${st.id} (${st.kind})`);
    if (st.kind === "default") {
      assert.is(row!.rate, "default", `${st.id}: the fallback session at the default rate`);
      assert.is(row!.fallbackReason, "comm-timeout");
    } else {
      assert.is(row!.rate, "program", `${st.id} (${st.kind}): established at the program rate`);
      assert.is(row!.bindingStatus, expectedStatus[st.kind], `${st.id} (${st.kind}): binding status`);
      assert.is(row!.programName, "EV Time-of-Use");
    }
  }
  const hubBill = await until("the hub to sync the June bill from the utility", async () => {
    const u = await w.hubGet<{ bills: NonNullable<typeof story.bill>[] }>("/api/v1/dashboard/usage?month=2024-06");
    return u.body.bills.find((b) => b.month === "2024-06");
  }, 40_000);
  assert.is(hubBill.totalCents, story.bill!.totalCents, "the same bill total on the hub's dashboard");
  assert.equal(hubBill, story.bill, "the hub's dashboard shows the utility's bill as issued, line by line");
});

test.run();
