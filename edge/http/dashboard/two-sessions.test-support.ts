// A store with two real sessions on 2024-06-03 (America/Los_Angeles), made by the engine: one bound to program
// tariff pge-ev2-a at 01:00, one in fallback at the default rate at 18:00; 6 kWh each, in 1-minute readings.
import type { UtcSeconds } from "../../../core/time/index.ts";
import { initialState, step } from "../../engine/reducer.ts";
import { params, settings, VIN } from "../../engine/harness.test-support.ts";
import type { EngineEvent, HubState } from "../../engine/types.ts";
import { HubStore } from "../../store/hub-store.ts";

/** A local time in June (PDT) as UTC seconds. */
export const pdt = (iso: string) => Date.parse(`${iso}-07:00`) / 1000;

export function twoSessions(): HubStore {
  const store = new HubStore(":memory:");
  let state: HubState = initialState(settings());
  const feed = (t: number, e: EngineEvent) => { const r = step(state, e, t as UtcSeconds); store.commitStep(state, r.state, r.commands, t as UtcSeconds); state = r.state; };
  const charge = (start: number, minutes: number, wh0: number) => {
    for (let m = 0; m <= minutes; m++) feed(start + m * 60, { type: "eumd.reading", energyWh: wh0 + m * 100, powerW: 6000, at: (start + m * 60) as UtcSeconds });
    feed(start + minutes * 60 + 1, { type: "evse.state", state: "A" });
    return wh0 + minutes * 100;
  };
  const a = pdt("2024-06-03T01:00:00");
  feed(a, { type: "eumd.status", present: true, reason: "ok" });
  feed(a, { type: "evse.state", state: "B" });
  feed(a, { type: "pev.hello", vin: VIN });
  feed(a, { type: "utility.answer", status: "enrolled", path: "commissioning", params: params({ tariffId: "pge-ev2-a" }) });
  const wh = charge(a, 60, 0);
  const b = pdt("2024-06-03T18:00:00");
  feed(b, { type: "evse.state", state: "B" });
  feed(b + 60, { type: "tick" }); // no binding: fallback at the default rate
  charge(b + 60, 60, wh);
  return store;
}
