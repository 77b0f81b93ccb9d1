// Roaming across two utilities and the clearinghouse (FR-30, FR-32), each its own server on loopback; the home
// utility runs as a separate process (Bun.spawn of `offpeak utility`), the hub speaks through part A's UtilityClient.
import type { ErrorBody } from "../../cloud-sync/protocol/index.ts";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { PremisesId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import { RealClock } from "../../core/time/index.ts";
import { startClearinghouse, type RunningClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import { defineTestProgram, enrollHousehold, makeVin, newHub, sessionReport, testUtility, type TestUtility } from "../../cloud-sync/utility/test-support.ts";

const CH_OPERATOR = "clearinghouse-operator";
const TOKEN_A = "token-of-utility-a-0123456789";
const TOKEN_B = "token-of-utility-b-0123456789";
const OP_B = "operator-b-token";
const VIN_R = makeVin("3FA6P0SU1K123456"); // home: UTIL-B
const VIN_A = makeVin("5YJ3E1EA7KF31755"); // home: UTIL-A

let dir: string;
let ch: RunningClearinghouse;
let a: TestUtility;
let bProc: Subprocess<"ignore", "pipe", "pipe">;
let bUrl: string;

async function opB(method: string, path: string, body?: unknown) {
  const res = await fetch(`${bUrl}${path}`, { method, headers: { authorization: `Bearer ${OP_B}`, "content-type": "application/json" }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * The URL the utility process prints once it serves. Fails, with what the process printed, if it exits first or says
 * nothing for 30 s (a slow start under load is fine; a hang must not stall the suite). Reading goes on afterwards:
 * a child whose pipe nobody reads blocks once the pipe buffer is full.
 */
async function readListening(proc: Subprocess<"ignore", "pipe", "pipe">): Promise<string> {
  let out = "", err = "";
  let listening!: (url: string) => void;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const readAll = async (stream: ReadableStream<Uint8Array>, onText: (t: string) => void) => {
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onText(decoder.decode(value, { stream: true }));
    }
  };
  void readAll(proc.stdout, (t) => {
    out += t;
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) listening(m[1]!);
  });
  void readAll(proc.stderr, (t) => { err += t; });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`utility process did not start within 30 s: ${out} ${err}`)), 30_000); });
  const exited = proc.exited.then((code) => Promise.reject(new Error(`utility process exited (${code}) before listening: ${out} ${err}`)));
  try {
    return await Promise.race([url, exited, silent]);
  } finally {
    clearTimeout(timer);
  }
}

test.before(async () => {
  try {
    dir = mkdtempSync(join(tmpdir(), "offpeak-"));
    ch = await startClearinghouse({ port: 0, dbPath: join(dir, "ch.db"), operatorToken: CH_OPERATOR, retryMs: 200 });
    bProc = Bun.spawn([process.execPath, "cloud-sync/utility/main.ts", "--port", "0", "--db", join(dir, "b.db"), "--utility-id", "UTIL-B",
      "--operator-token", OP_B, "--clearinghouse", ch.url, "--clearinghouse-token", TOKEN_B], { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
    bUrl = await readListening(bProc);
    a = await testUtility({ clock: new RealClock(), clearinghouseUrl: ch.url, clearinghouseToken: TOKEN_A });
    // Utility A's tariffs and a host program that accepts roaming PEVs (every test below uses the tariffs).
    await defineTestProgram(a, "ev-a", { roamingAllowed: true });
    for (const [utilityId, baseUrl, token] of [["UTIL-A", a.utility.url, TOKEN_A], ["UTIL-B", bUrl, TOKEN_B]] as const) {
      // Each utility's signing key (from its /healthz) goes with its token: it signs the VINs it registers.
      const { publicKey } = (await (await fetch(`${baseUrl}/healthz`)).json()) as { publicKey: string };
      const res = await fetch(`${ch.url}/v1/utilities`, { method: "POST", headers: { authorization: `Bearer ${CH_OPERATOR}` }, body: JSON.stringify({ utilityId, baseUrl, token, publicKey }) });
      assert.is(res.status, 201);
    }
  } catch (e) {
    // uvu counts a failed before hook as every test failed but prints no reason: print it.
    console.error("roaming test setup failed:", e);
    throw e;
  }
});
test.after(async () => {
  await a?.close();
  bProc?.kill("SIGTERM");
  await bProc?.exited;
  await ch?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("FR-32: a PEV of utility B charging at a premises of utility A binds as roaming; the CDR reaches B, who bills its customer", async () => {
  // Utility B (its own process): enroll the roaming PEV in a program that allows roaming, publish its token.
  for (const [m, p, body] of [
    ["PUT", "/v1/operator/programs/ev-b", { name: "B EV", tariffId: "sce-tou-d-prime", roamingAllowed: true }],
    ["POST", "/v1/operator/customers", { id: "CUST-B1", name: "Roamer" }],
    ["POST", "/v1/operator/accounts", { id: "ACCT-B1", customerId: "CUST-B1" }],
    ["POST", "/v1/operator/premises", { id: "PREM-B1", accountId: "ACCT-B1", address: "9 Far Away", defaultTariffId: "pge-e-tou-c" }],
    ["POST", "/v1/operator/pevs", { vin: VIN_R, accountId: "ACCT-B1" }],
    ["POST", "/v1/operator/enrollments", { vin: VIN_R, premisesId: "PREM-B1", programId: "ev-b" }],
  ] as const) {
    const r = await opB(m, p, body);
    assert.ok(r.status < 300, `${p}: ${JSON.stringify(r.body)}`);
  }
  // B also publishes on its own right after the enrollment (and every 5 s), so which pass sent the token is a
  // matter of timing; what is not: once "flush now" answers, the clearinghouse holds exactly B's one token.
  const flushed = await opB("POST", "/v1/operator/roaming/flush");
  assert.is(flushed.status, 200);
  assert.equal(ch.db.query("SELECT vin FROM tokens WHERE utility_id = 'UTIL-B'").all(), [{ vin: VIN_R }]);

  // Utility A: a host premises whose program accepts roaming PEVs, with a paired hub.
  const hub = newHub(a.utility.url, "HUB-A1", a.clock);
  const host = await enrollHousehold(a, "A1", { vin: VIN_A, programId: "ev-a", hub });

  const answer = await hub.client.validateBinding({ v: 1, hubId: "HUB-A1" as never, premisesId: host.premisesId as PremisesId, vin: VIN_R as Vin, path: "commissioning", pevProofOk: false, at: a.clock.now() });
  assert.is(answer.status, "roaming");
  if (answer.status !== "roaming") return;
  assert.is(answer.visitor.homeUtilityId, "UTIL-B");
  assert.is(answer.visitor.payer, "home-utility");

  // The PEV charges after the binding answer (the EVSE is held until then): from the interval the answer falls in.
  const start = Math.floor(a.clock.now() / 900) * 900;
  const r = sessionReport({ sessionId: "S-ROAM-1", hubId: "HUB-A1", premisesId: host.premisesId, vin: VIN_R, start, wh: [1000, 2000], status: "roaming" });
  assert.is((await hub.client.sendSessionReport(r)).outcome, "accepted");
  // Host A1 is credited 3 kWh at its regular rate (test-flat 0.30 $): −0.90 $
  const hostBal = await a.op("GET", `/v1/operator/ledger?account=${host.accountId}`);
  assert.is(hostBal.body.balanceNano, -3000 * 300_000);

  await a.utility.flushRoaming();
  const s = await a.op("GET", "/v1/operator/sessions/S-ROAM-1");
  const cdr = s.body.cdr as { state: string; cdr: { total_cost: { excl_vat: number }; cdr_token: { uid: string }; total_energy: number } };
  assert.is(cdr.state, "sent");
  assert.is(cdr.cdr.total_cost.excl_vat, 0.9);
  assert.is(cdr.cdr.total_energy, 3);
  assert.is(cdr.cdr.cdr_token.uid, VIN_R);

  // The clearinghouse pushes a CDR to its home utility when it accepts it, and retries a push that did not get
  // through (B slow under load) on a timer: push what is still pending now instead of waiting on real time.
  await ch.deliverPending();
  assert.equal(ch.db.query("SELECT state FROM cdrs WHERE session_id = 'S-ROAM-1'").all(), [{ state: "delivered" }]);
  // A learns the CDR was taken at home; its host keeps the credit.
  await a.utility.flushRoaming();
  assert.is(((await a.op("GET", "/v1/operator/sessions/S-ROAM-1")).body.cdr as { homeOutcome: string }).homeOutcome, "delivered");
  assert.is((await a.op("GET", `/v1/operator/ledger?account=${host.accountId}`)).body.balanceNano, -3000 * 300_000);
  // B debited its customer 0.90 $.
  assert.is((await opB("GET", "/v1/operator/ledger?account=ACCT-B1")).body.balanceNano, 900_000_000);
  assert.is((await opB("GET", "/v1/operator/ledger")).body.totalNano, 0);
  assert.is((await a.op("GET", "/v1/operator/ledger")).body.totalNano, 0);
});

test("FR-32: exactly one CDR per session: a second CDR for the session is refused with 409 and the existing ID", async () => {
  const s = await a.op("GET", "/v1/operator/sessions/S-ROAM-1");
  const cdr = (s.body.cdr as { cdr: unknown }).cdr;
  const res = await fetch(`${ch.url}/v1/cdrs`, { method: "POST", headers: { authorization: `Bearer ${TOKEN_A}` }, body: JSON.stringify({ v: 1, homeUtilityId: "UTIL-B", cdr }) });
  assert.is(res.status, 409);
  const body = (await res.json()) as ErrorBody;
  assert.match(String(body.error.details?.existingId), /^ch-/);
});

test("FR-30: a CDR pushed twice to the home utility is billed once", async () => {
  const row = ch.db.query("SELECT id FROM cdrs WHERE session_id = 'S-ROAM-1'").get() as { id: string };
  const s = await a.op("GET", "/v1/operator/sessions/S-ROAM-1");
  const cdr = (s.body.cdr as { cdr: unknown }).cdr;
  const res = await fetch(`${bUrl}/v1/clearinghouse/cdrs`, { method: "POST", headers: { authorization: `Bearer ${TOKEN_B}` }, body: JSON.stringify({ v: 1, clearinghouseCdrId: row.id, fromUtilityId: "UTIL-A", homeUtilityId: "UTIL-B", cdr }) });
  assert.is(res.status, 409);
  assert.is((await opB("GET", "/v1/operator/ledger?account=ACCT-B1")).body.balanceNano, 900_000_000);
});

test("FR-32: a roaming PEV at a premises whose program refuses roaming is not enrolled there", async () => {
  await a.op("PUT", "/v1/operator/programs/ev-closed", { name: "Closed", tariffId: "test-tou", roamingAllowed: false });
  const hub = newHub(a.utility.url, "HUB-A2", a.clock);
  const host = await enrollHousehold(a, "A2", { vin: makeVin("1G1FY6S07K412345"), programId: "ev-closed", hub });
  const answer = await hub.client.validateBinding({ v: 1, hubId: "HUB-A2" as never, premisesId: host.premisesId as PremisesId, vin: VIN_R as Vin, path: "commissioning", pevProofOk: false, at: a.clock.now() });
  assert.is(answer.status, "not-enrolled");
});

test.run();
