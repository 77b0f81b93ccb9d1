import { test } from "uvu";
import * as assert from "uvu/assert";
import { EXAMPLE_TARIFFS, tariffById } from "../../core/tariff/index.ts";
import { TestClock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { Driver, params, VIN } from "../engine/harness.test-support.ts";
import type { EngineEvent } from "../engine/types.ts";
import { HubStore } from "../store/hub-store.ts";
import { ChargeScheduler } from "./charge-scheduler.ts";

const pdt = (iso: string) => (Date.parse(`${iso}-07:00`) / 1000) as UtcSeconds;

function rig(at: string) {
  const clock = new TestClock(pdt(at) * 1000);
  const d = new Driver(undefined, pdt(at));
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params({ tariffId: "pge-ev2-a" }) });
  const sent: EngineEvent[] = [];
  const store = new HubStore(":memory:");
  const s = new ChargeScheduler({ premisesDefault: EXAMPLE_TARIFFS.premisesDefault, byId: tariffById }, store, clock, () => d.state, async (e) => { sent.push(e); d.send(e); });
  return { clock, d, s, sent, store };
}

test("cheapest hours: the bound session is priced with its program tariff, the plan holds charging at 5 pm peak", async () => {
  const r = rig("2024-06-03T17:00:00");
  assert.is(r.s.tariffNow().id, "pge-ev2-a");
  await r.s.setPreference({ mode: "cheapest-hours", departAt: pdt("2024-06-04T07:00:00"), energyNeededWh: 10_000 });
  assert.is(r.d.state.chargeMode, "cheapest-hours");
  assert.is(r.d.state.planAllowsNow, false);
  assert.is(r.d.lastEvse()!.enabled, false);
  r.store.close();
});

test("cheapest hours plans only the energy still needed: once delivered, the plan stops allowing charging", async () => {
  const r = rig("2024-06-04T01:00:00"); // 1 am: the cheapest hours
  await r.s.setPreference({ mode: "cheapest-hours", departAt: pdt("2024-06-04T07:00:00"), energyNeededWh: 3_000 });
  assert.is(r.d.state.planAllowsNow, true, "1 am is in the plan");
  // The car takes 3 kWh: the meter advances and the session's total grows.
  r.d.send({ type: "eumd.reading", energyWh: 0, powerW: 7000, at: r.d.now as UtcSeconds });
  for (let i = 1; i <= 30; i++) { r.d.after(60); r.d.send({ type: "eumd.reading", energyWh: i * 100, powerW: 6000, at: r.d.now as UtcSeconds }); }
  r.clock.advance(30 * 60_000);
  await r.s.check();
  assert.is(r.d.state.session!.metering.totalWh, 3000);
  assert.is(r.d.state.planAllowsNow, false, "nothing left to deliver");
  r.store.close();
});

test("the preference ends at the departure time and charging returns to 'charge now'", async () => {
  const r = rig("2024-06-04T06:30:00");
  await r.s.setPreference({ mode: "cheapest-hours", departAt: pdt("2024-06-04T07:00:00"), energyNeededWh: 1_000 });
  r.clock.advance(31 * 60_000);
  await r.s.check();
  assert.is(r.d.state.chargeMode, "charge-now");
  assert.is(r.s.preference(), null);
  r.store.close();
});

test.run();
