// The head-end's month close passes the tariff's month charges (PG&E's Climate Credit) and the account's days of
// service to core/tariff: a real head-end on a temp database, a premises on the PG&E E-TOU-C example rate.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { TestClock } from "../../../core/time/index.ts";
import { testTariff, testUtility, type TestUtility } from "../test-support.ts";

let t: TestUtility;

test.before(async () => {
  t = await testUtility(); // clock at 2024-06-03
  const must = async (method: string, path: string, body: unknown) => {
    const r = await t.op(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await must("PUT", "/v1/operator/tariffs/test-tou", { tariff: testTariff() });
  await must("POST", "/v1/operator/customers", { id: "CUST-P", name: "PG&E customer" });
  await must("POST", "/v1/operator/accounts", { id: "ACCT-P", customerId: "CUST-P", openedOn: "2023-01-15" });
  await must("POST", "/v1/operator/premises", { id: "PREM-P", accountId: "ACCT-P", address: "1 Climate Way", defaultTariffId: "pge-e-tou-c" });
  await must("POST", "/v1/operator/customers", { id: "CUST-N", name: "New customer" });
  await must("POST", "/v1/operator/accounts", { id: "ACCT-N", customerId: "CUST-N", openedOn: "2024-05-22" });
  await must("POST", "/v1/operator/premises", { id: "PREM-N", accountId: "ACCT-N", address: "2 Fixed Street", defaultTariffId: "test-tou" });
});
test.after(async () => { await t.close(); });

test("FR-34: the April bill carries the tariff's Climate Credit as its own line, posted to the ledger; May does not", async () => {
  const bills = t.utility.headEnd.bills;
  const apr = bills.close("ACCT-P", "2024-04");
  assert.equal(apr.lines.map((l) => [l.kind, l.amountCents]), [["fixed", -5517]]);
  assert.match(apr.lines[0]!.description, /California Climate Credit/);
  assert.is(apr.totalCents, -5517);
  assert.is(apr.creditsCents, 5517);
  const may = bills.close("ACCT-P", "2024-05");
  assert.equal(may.lines, []);
  const ledger = await t.op("GET", "/v1/operator/ledger?account=ACCT-P");
  assert.is(ledger.body.balanceNano, -55_170_000_000);
  assert.is((await t.op("GET", "/v1/operator/ledger")).body.totalNano, 0, "the credit's contra posting balances it");
});

test("FR-31, FR-34: the head-end prorates the fixed charge to the account's days of service and refuses a month before it opened", async () => {
  // Opened 2024-05-22 (recorded at enrollment): 10 of May's 31 days of $10/month = $3.2258 → 323 ¢.
  const may = await t.op("POST", "/v1/operator/bills", { accountId: "ACCT-N", month: "2024-05" });
  assert.is(may.status, 201, JSON.stringify(may.body));
  const lines = may.body.lines as { kind: string; amountCents: number; description: string }[];
  assert.equal(lines.map((l) => [l.kind, l.amountCents]), [["fixed", 323]]);
  assert.match(lines[0]!.description, /10 of 31 days/);
  const april = await t.op("POST", "/v1/operator/bills", { accountId: "ACCT-N", month: "2024-04" });
  assert.is(april.status, 400);
  assert.is(april.body.error?.path, "month");
  assert.match(april.body.error?.message ?? "", /2024-04 ends before the account opened on 2024-05-22/);
  assert.is(t.utility.headEnd.bills.bill("ACCT-N", "2024-04"), null, "nothing was stored");
  // The refused close posted nothing: the account holds only May's charge, ⌊10¹⁰·31/31⌋ − ⌊10¹⁰·21/31⌋ n$.
  assert.is((await t.op("GET", "/v1/operator/ledger?account=ACCT-N")).body.balanceNano, 10_000_000_000 - 6_774_193_548);
});

test("issue 13: an account opened today cannot be billed for last month, even on a tariff with no fixed charge; a closed one not after it closed", async () => {
  const must = async (method: string, path: string, body: unknown) => {
    const r = await t.op(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must("POST", "/v1/operator/customers", { id: "CUST-T", name: "Today" });
  const acct = await must("POST", "/v1/operator/accounts", { id: "ACCT-T", customerId: "CUST-T" }); // no openedOn: today, 2024-06-03
  assert.is((acct.account as { openedOn: string }).openedOn, "2024-06-03");
  await must("POST", "/v1/operator/premises", { id: "PREM-T", accountId: "ACCT-T", address: "3 Flat Road", defaultTariffId: "pge-e-tou-c" });
  const postings = () => t.utility.db.query("SELECT COUNT(*) AS n FROM postings").get();
  const before = [(await t.op("GET", "/v1/operator/ledger?account=ACCT-T")).body.balanceNano, postings()];
  const may = await t.op("POST", "/v1/operator/bills", { accountId: "ACCT-T", month: "2024-05" });
  assert.is(may.status, 400);
  assert.match(may.body.error?.message ?? "", /2024-05 ends before the account opened on 2024-06-03/);
  // Closed on 2024-06-10 (before it opened: refused), then for real; July is after it closed.
  assert.is((await t.op("POST", "/v1/operator/accounts/ACCT-T/close", { closedOn: "2024-06-02" })).body.error?.path, "closedOn");
  const closed = await must("POST", "/v1/operator/accounts/ACCT-T/close", { closedOn: "2024-06-10" });
  assert.equal([closed.status, closed.closedOn], ["closed", "2024-06-10"]);
  (t.clock as TestClock).advance(60 * 86_400_000); // → August: June and July are over
  const july = await t.op("POST", "/v1/operator/bills", { accountId: "ACCT-T", month: "2024-07" });
  assert.is(july.status, 400);
  assert.match(july.body.error?.message ?? "", /2024-07 begins after the account closed on 2024-06-10/);
  assert.equal([(await t.op("GET", "/v1/operator/ledger?account=ACCT-T")).body.balanceNano, postings()], before, "nothing was posted");
  const june = await t.op("POST", "/v1/operator/bills", { accountId: "ACCT-T", month: "2024-06" });
  assert.is(june.status, 201, "June, its month of service, is billed");
});

test.run();
