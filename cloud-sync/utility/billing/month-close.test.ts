// FR-34 at utility scale (issue 15): closing a month for every account, in pages and by parallel workers, over the
// operator API; a re-run bills nobody twice; an account that cannot be billed is reported with the reason and the
// others are billed. On the engine under test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TestClock } from "../../../core/time/index.ts";
import { testTariff, testUtility, type TestUtility } from "../test-support.ts";

let t: TestUtility;
const ACCOUNTS = 7;

test.before(async () => {
  t = await testUtility({ clock: new TestClock(1_720_000_000_000) }); // 2024-07-03: June is over
  const must = async (method: string, path: string, body: unknown) => {
    const r = await t.op(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await must("PUT", "/v1/operator/tariffs/test-tou", { tariff: testTariff() });
  // A tariff with no version before 2030: June 2024 cannot be billed on it.
  const future = testTariff("future-tou");
  future.versions[0]!.effectiveFrom = "2030-01-01";
  await must("PUT", "/v1/operator/tariffs/future-tou", { tariff: future });
  for (let i = 0; i < ACCOUNTS; i++) {
    await must("POST", "/v1/operator/customers", { id: `CUST-${i}`, name: `Customer ${i}` });
    await must("POST", "/v1/operator/accounts", { id: `ACCT-${i}`, customerId: `CUST-${i}`, openedOn: "2024-01-01" });
    await must("POST", "/v1/operator/premises", { id: `PREM-${i}`, accountId: `ACCT-${i}`, address: `${i} Month Street`, defaultTariffId: i === 4 ? "future-tou" : "test-tou" });
  }
});
test.after(async () => { await t.close(); });

test("FR-34: every account's June bill is closed in pages of 3 by 2 workers; the unbillable one is reported, not fatal", async () => {
  const r = await t.op("POST", "/v1/operator/bills/close-month", { month: "2024-06", workers: 2, pageSize: 3 });
  assert.is(r.status, 200);
  assert.is(r.body.closed, ACCOUNTS - 1);
  assert.is(r.body.skipped, 0);
  assert.is(r.body.failedCount, 1);
  const failed = r.body.failed as { accountId: string; error: string }[];
  assert.is(failed[0]!.accountId, "ACCT-4");
  assert.match(failed[0]!.error, /future-tou/);
  for (const i of [0, 6]) {
    const bill = await t.op("GET", `/v1/operator/bills/ACCT-${i}/2024-06`);
    assert.is(bill.status, 200);
    assert.is(bill.body.totalCents, 1000, "the $10.00 fixed charge of test-tou");
  }
  assert.is((await t.op("GET", "/v1/operator/bills/ACCT-4/2024-06")).status, 404);
});

test("FR-34: a re-run bills nobody twice (the month's bills are skipped) and the ledger still balances", async () => {
  const r = await t.op("POST", "/v1/operator/bills/close-month", { month: "2024-06", workers: 3, pageSize: 2 });
  assert.is(r.body.closed, 0);
  assert.is(r.body.skipped, ACCOUNTS - 1);
  assert.is(r.body.failedCount, 1);
  assert.is((await t.op("GET", "/v1/operator/ledger")).body.totalNano, 0);
  assert.is((await t.op("GET", "/v1/operator/ledger?account=ACCT-0")).body.balanceNano, 10_000_000_000, "one fixed charge, not two");
});

test("a month not over yet is refused as a whole (400 naming month); bad bodies name the field", async () => {
  const r = await t.op("POST", "/v1/operator/bills/close-month", { month: "2024-07" });
  assert.is(r.status, 400);
  assert.is(r.body.error?.path, "month");
  const bad = await t.op("POST", "/v1/operator/bills/close-month", { month: "2024-06", workers: 0 });
  assert.is(bad.status, 400);
  assert.is(bad.body.error?.path, "workers");
});

test.run();
