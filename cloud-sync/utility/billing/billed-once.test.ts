// FR-34, issue 15: every customer posting is billed exactly once now that a bill marks the journal entries it took
// postings of (with the range of booked_at it billed) instead of each posting, and accounts are billed in batches.
// A session across a month's end, a correction to a closed month, a posting and its reversal, two closes at once and
// a premises that changed hands, on the engine under test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock, type UtcSeconds } from "../../../core/time/index.ts";
import { ApiError } from "../errors.ts";
import { customerLedger, REVENUE_ENERGY } from "../ledger/ledger.ts";
import { testUtility, type TestUtility } from "../test-support.ts";
import { monthBounds } from "./month-bounds.ts";

let t: TestUtility;
const TZ = "America/Los_Angeles";
const MAY = monthBounds("2024-05", TZ), JUNE = monthBounds("2024-06", TZ);
const CENTS = 10_000_000; // nano-USD

/** A balanced session entry: 1 kWh and `cents` at each interval start, on the account's ledger at the premises. */
const session = (premisesId: string, accountId: string, sessionId: string, starts: number[], cents = 10) => t.utility.headEnd.ledger.post({
  kind: "session", premisesId, sessionId, revision: 1, at: (Math.max(...starts) + 900) as UtcSeconds, memo: `session ${sessionId}`,
  postings: [
    ...starts.map((s) => ({ ledgerAccount: customerLedger(accountId), amountNano: cents * CENTS, energyWh: 1000, period: "Off-Peak", intervalStart: s as UtcSeconds,
      lineKind: "pev-debit" as const, tariffId: "pge-e-tou-c", priceMicroUsdPerKWh: 200_000 })),
    { ledgerAccount: REVENUE_ENERGY, amountNano: -cents * CENTS * starts.length, energyWh: 0, period: "", intervalStart: starts[0]! as UtcSeconds, lineKind: "contra",
      tariffId: "pge-e-tou-c", priceMicroUsdPerKWh: null },
  ],
});
const lines = async (accountId: string, month: string) => (await t.utility.headEnd.bills.bill(accountId, month))!.lines.map((l) => [l.kind, l.amountCents, l.wh]);

test.before(async () => {
  t = await testUtility({ clock: new TestClock(Date.UTC(2024, 7, 5)) }); // August: May to July are over
  const must = async (method: string, path: string, body: unknown) => {
    const r = await t.op(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  // PG&E E-TOU-C: no fixed charge in May to July, so a bill holds only the postings made here.
  for (const a of ["X", "Y", "Z1", "Z2", "W"]) {
    await must("POST", "/v1/operator/customers", { id: `CUST-${a}`, name: a });
    await must("POST", "/v1/operator/accounts", { id: `ACCT-${a}`, customerId: `CUST-${a}`, openedOn: "2024-01-01" });
    if (a !== "Z2") await must("POST", "/v1/operator/premises", { id: `PREM-${a}`, accountId: `ACCT-${a}`, address: `${a} Street`, defaultTariffId: "pge-e-tou-c" });
  }
});
test.after(async () => { await t.close(); });

test("FR-34: a session across the month's end is billed in both months, each interval once; closing again bills nothing", async () => {
  await session("PREM-X", "ACCT-X", "S-X", [JUNE.end - 1800, JUNE.end - 900, JUNE.end, JUNE.end + 900]);
  await t.utility.headEnd.bills.close("ACCT-X", "2024-06");
  assert.equal(await lines("ACCT-X", "2024-06"), [["pev-debit", 20, 2000]], "June's two intervals");
  await t.utility.headEnd.bills.close("ACCT-X", "2024-07");
  assert.equal(await lines("ACCT-X", "2024-07"), [["pev-debit", 20, 2000]], "July's two, not June's again");
  const again = await t.utility.headEnd.bills.closeMany([{ accountId: "ACCT-X" }], "2024-07");
  assert.is("error" in again[0]! && (again[0].error as ApiError).status, 409);
});

test("FR-34: a correction to a closed month is an adjustment line on the next bill; a posting and its reversal give no line", async () => {
  const ledger = t.utility.headEnd.ledger;
  const first = await session("PREM-Y", "ACCT-Y", "S-Y1", [MAY.start + 3600, MAY.start + 4500]);
  await t.utility.headEnd.bills.close("ACCT-Y", "2024-05");
  assert.equal(await lines("ACCT-Y", "2024-05"), [["pev-debit", 20, 2000]]);
  // May's session corrected after May was billed: reversed and posted again at 15 ¢ an interval.
  await ledger.reverse("PREM-Y", first, (JUNE.start + 100) as UtcSeconds, "corrected");
  await session("PREM-Y", "ACCT-Y", "S-Y1", [MAY.start + 3600, MAY.start + 4500], 15);
  // A June session posted and reversed (held for review): nothing to bill, though both are marked billed.
  const held = await session("PREM-Y", "ACCT-Y", "S-Y2", [JUNE.start + 7200]);
  await ledger.reverse("PREM-Y", held, (JUNE.start + 9000) as UtcSeconds, "held");
  await t.utility.headEnd.bills.close("ACCT-Y", "2024-06");
  assert.equal(await lines("ACCT-Y", "2024-06"), [["adjustment", 10, 0]], "−20 ¢ + 30 ¢ for May; the held session nets to nothing");
  assert.match((await t.utility.headEnd.bills.bill("ACCT-Y", "2024-06"))!.lines[0]!.description, /Correction to 2024-05/);
  await t.utility.headEnd.bills.close("ACCT-Y", "2024-07");
  assert.equal(await lines("ACCT-Y", "2024-07"), [], "nothing is billed twice");
  const billed = await t.utility.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM bill_entries WHERE premises_id = ? AND ledger_account = ?", "PREM-Y", customerLedger("ACCT-Y"));
  assert.is(billed!.n, 5, "one mark per entry billed: the session, its reversal and correction, the held one and its reversal");
});

test("FR-34: two closes of the same month at once give one bill; the other is refused 409 and nothing is billed twice", async () => {
  await session("PREM-W", "ACCT-W", "S-W", [JUNE.start + 3600]);
  const both = await Promise.allSettled([t.utility.headEnd.bills.close("ACCT-W", "2024-06"), t.utility.headEnd.bills.close("ACCT-W", "2024-06")]);
  assert.equal(both.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  const refused = both.find((r) => r.status === "rejected") as PromiseRejectedResult;
  assert.is((refused.reason as ApiError).status, 409);
  assert.equal(await lines("ACCT-W", "2024-06"), [["pev-debit", 10, 1000]]);
});

test("issue 15: a batch bills each account only its own postings at a premises that changed hands; an unknown account is reported alone", async () => {
  await session("PREM-Z1", "ACCT-Z1", "S-Z1", [JUNE.start + 3600]);
  // PREM-Z1 passes to ACCT-Z2, which charges there too: both accounts have held it.
  const moved = await t.op("POST", "/v1/operator/premises", { id: "PREM-Z1", accountId: "ACCT-Z2", address: "Z1 Street", defaultTariffId: "pge-e-tou-c" });
  assert.is(moved.status < 300, true, JSON.stringify(moved.body));
  await session("PREM-Z1", "ACCT-Z2", "S-Z2", [JUNE.start + 7200, JUNE.start + 8100], 30);
  const out = await t.utility.headEnd.bills.closeMany([{ accountId: "ACCT-Z1" }, { accountId: "ACCT-NOPE" }, { accountId: "ACCT-Z2" }], "2024-06");
  assert.equal(out.map((o) => o.accountId), ["ACCT-Z1", "ACCT-NOPE", "ACCT-Z2"]);
  assert.is("error" in out[1]! && (out[1].error as ApiError).status, 404);
  assert.equal(await lines("ACCT-Z1", "2024-06"), [["pev-debit", 10, 1000]]);
  assert.equal(await lines("ACCT-Z2", "2024-06"), [["pev-debit", 60, 2000]]);
});

test.run();
