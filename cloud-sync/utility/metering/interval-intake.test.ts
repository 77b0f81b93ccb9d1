// Premises-interval intake is idempotent (issue 13): the same meter's same interval again is a `duplicate`, never
// counted twice; a hub (the customer's device) cannot change an interval once given, nor one the utility's AMI gave
// (409, nothing of the batch stored); the AMI channel corrects, and says so. From the hub's side over real signed HTTP.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { PremisesId, UtilityId } from "../../../core/ids/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import { UtilityRejectedError, type PremisesIntervalBatch } from "../../protocol/index.ts";
import { defineTestProgram, enrollHousehold, makeVin, newHub, testUtility, type TestHub, type TestUtility } from "../test-support.ts";

let t: TestUtility;
let hub: TestHub;
let premisesId: string;
const T0 = Date.UTC(2024, 5, 2, 8, 0, 0) / 1000; // the day before the test clock's now

const balances = () => t.utility.db.query("SELECT ledger_account AS account, SUM(amount_nano) AS nano FROM postings GROUP BY ledger_account ORDER BY ledger_account").all();
const stored = () => t.utility.db.query("SELECT interval_start AS start, interval_s AS lengthS, energy_wh AS wh, meter_id AS meterId, source FROM ami_intervals WHERE premises_id = ? ORDER BY interval_start").all(premisesId);
const batch = (wh: number[], o: { start?: number; meterId?: string; source?: "ami" | "hub" } = {}): PremisesIntervalBatch => ({
  v: 1, utilityId: "UTIL-A" as UtilityId, premisesId: premisesId as PremisesId, meterId: o.meterId ?? "HOME-METER-1", source: o.source ?? "hub",
  intervals: wh.map((w, i) => ({ start: ((o.start ?? T0) + i * 900) as UtcSeconds, lengthS: 900, wh: w as Wh, quality: "ok" as const })),
});

test.before(async () => {
  t = await testUtility();
  await defineTestProgram(t, "ev");
  hub = newHub(t.utility.url, "HUB-1", t.clock);
  premisesId = (await enrollHousehold(t, "1", { vin: makeVin("3FA6P0SU1K123456"), programId: "ev", hub })).premisesId;
});
test.after(async () => { await t.close(); });

test("issue 13: the same hub interval batch twice is a duplicate the second time; nothing is counted twice", async () => {
  const first = await hub.client.sendPremisesIntervals(batch([500, 600, 700]));
  assert.is(first.duplicate, false);
  assert.equal(first.intervals, { stored: 3, duplicate: 0, corrected: 0 });
  const before = [stored(), balances()];
  const again = await hub.client.sendPremisesIntervals(batch([500, 600, 700]));
  assert.is(again.duplicate, true);
  assert.equal(again.intervals, { stored: 0, duplicate: 3, corrected: 0 });
  assert.equal([stored(), balances()], before);
  assert.is(t.utility.headEnd.ami.energyOver(premisesId as PremisesId, T0 as UtcSeconds, 2700), 1800, "1.8 kWh, not 3.6");
  // Overlapping re-delivery: two old intervals and a new one.
  const overlap = await hub.client.sendPremisesIntervals(batch([600, 700, 800], { start: T0 + 900 }));
  assert.is(overlap.duplicate, false);
  assert.equal(overlap.intervals, { stored: 1, duplicate: 2, corrected: 0 });
  assert.is(t.utility.headEnd.ami.energyOver(premisesId as PremisesId, T0 as UtcSeconds, 3600), 2600);
});

test("issue 13: a hub that changes an interval it gave (e.g. to make its PEV energy fit) is refused 409 naming it; nothing of the batch is stored", async () => {
  const before = [stored(), balances()];
  // T0 + 1800 raised from 700 to 7,000 Wh, then T0 + 2700 as before, then a new interval.
  try {
    await hub.client.sendPremisesIntervals(batch([7000, 800, 900], { start: T0 + 1800 }));
    assert.unreachable("a changed interval was accepted");
  } catch (e) {
    assert.instance(e, UtilityRejectedError);
    const r = e as UtilityRejectedError;
    assert.is(r.status, 409);
    assert.match(r.message, /already has 700 Wh/);
    assert.is(r.path, "intervals[0].wh");
  }
  assert.equal([stored(), balances()], before, "the batch with a new interval and a changed one stored nothing");
});

test("issue 13: the AMI channel corrects an interval and says so; a hub cannot then override the utility's value", async () => {
  const ami = await t.op("POST", "/v1/ami/intervals", { ...batch([650], { start: T0 + 900, meterId: "AMI-1", source: "ami" }) });
  assert.is(ami.status, 200);
  assert.equal(ami.body.intervals, { stored: 0, duplicate: 0, corrected: 1 });
  assert.is(ami.body.duplicate, false);
  const amiAgain = await t.op("POST", "/v1/ami/intervals", { ...batch([650], { start: T0 + 900, meterId: "AMI-1", source: "ami" }) });
  assert.equal(amiAgain.body.intervals, { stored: 0, duplicate: 1, corrected: 0 });
  assert.is(amiAgain.body.duplicate, true);
  const before = [stored(), balances()];
  // The hub re-sends its own earlier value for that interval, and claims to be the AMI channel while doing it.
  for (const source of ["hub", "ami"] as const) {
    try {
      await hub.client.sendPremisesIntervals(batch([600], { start: T0 + 900, source }));
      assert.unreachable("the hub overrode the utility's AMI value");
    } catch (e) {
      assert.instance(e, UtilityRejectedError);
      assert.is((e as UtilityRejectedError).status, 409);
      assert.match((e as UtilityRejectedError).message, /only the utility's AMI channel corrects an interval/);
    }
  }
  assert.equal([stored(), balances()], before);
  assert.is(t.utility.headEnd.ami.energyOver(premisesId as PremisesId, (T0 + 900) as UtcSeconds, 900), 650);
});

test.run();
