// The head-end's month close passes the tariff's month charges (PG&E's Climate Credit) and the account's days of
// service to core/tariff: a real head-end on a temp database, a premises on the PG&E E-TOU-C example rate.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ApiError } from "../errors.ts";
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
  await must("POST", "/v1/operator/accounts", { id: "ACCT-P", customerId: "CUST-P" });
  await must("POST", "/v1/operator/premises", { id: "PREM-P", accountId: "ACCT-P", address: "1 Climate Way", defaultTariffId: "pge-e-tou-c" });
  await must("POST", "/v1/operator/customers", { id: "CUST-N", name: "New customer" });
  await must("POST", "/v1/operator/accounts", { id: "ACCT-N", customerId: "CUST-N" });
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

test("FR-31, FR-34: the head-end prorates the fixed charge to the days of service and refuses a month before the account opened", async () => {
  const bills = t.utility.headEnd.bills;
  // Opened 2024-05-22: 10 of May's 31 days of $10/month = $3.2258 → 323 ¢.
  const may = bills.close("ACCT-N", "2024-05", { accountOpenedOn: "2024-05-22" });
  assert.equal(may.lines.map((l) => [l.kind, l.amountCents]), [["fixed", 323]]);
  assert.match(may.lines[0]!.description, /10 of 31 days/);
  try {
    bills.close("ACCT-N", "2024-04", { accountOpenedOn: "2024-05-22" });
    assert.unreachable("a bill for a month before the account opened");
  } catch (e) {
    assert.instance(e, ApiError);
    assert.is((e as ApiError).status, 400);
    assert.is((e as ApiError).path, "month");
    assert.match((e as ApiError).message, /2024-04 ends before the account opened on 2024-05-22/);
  }
  assert.is(bills.bill("ACCT-N", "2024-04"), null, "nothing was stored");
  // The refused close posted nothing: the account holds only May's charge, ⌊10¹⁰·31/31⌋ − ⌊10¹⁰·21/31⌋ n$.
  assert.is((await t.op("GET", "/v1/operator/ledger?account=ACCT-N")).body.balanceNano, 10_000_000_000 - 6_774_193_548);
});

test.run();
