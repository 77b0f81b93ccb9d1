import { test } from "uvu";
import * as assert from "uvu/assert";
import { monthBill, rateIntervals, tariffById } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import { initialState, step } from "../../engine/reducer.ts";
import { params, settings, VIN } from "../../engine/harness.test-support.ts";
import type { EngineEvent, HubState } from "../../engine/types.ts";
import { HubStore } from "../../store/hub-store.ts";
import { type DashboardContext, usageView } from "./dashboard-views.ts";

const pdt = (iso: string) => Date.parse(`${iso}-07:00`) / 1000;

test("FR-35: usage prices each session at the tariff it was billed at: program energy at the EV rate, fallback energy at the default rate", () => {
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
  const ctx = { store, timeZone: "America/Los_Angeles", defaultTariffId: "pge-e-tou-c" } as unknown as DashboardContext;
  const v = usageView(ctx, "2024-06", pdt("2024-06-04T12:00:00") as UtcSeconds);
  const day = v.days.find((d) => d.date === "2024-06-03")!;
  const sessions = store.listSessions();
  const ivs = (id: string) => store.getSession(id)!.intervals.map((i) => ({ start: i.start as UtcSeconds, lengthS: i.lengthS, wh: i.wh as Wh }));
  const program = sessions.find((s) => s.rate === "program")!;
  const fallback = sessions.find((s) => s.rate === "default")!;
  const expected = rateIntervals(tariffById("pge-ev2-a")!, ivs(program.id)).totalNanoUsd + rateIntervals(tariffById("pge-e-tou-c")!, ivs(fallback.id)).totalNanoUsd;
  assert.is(day.wh, 12_000);
  assert.is(day.nanoUsd, expected);
  const allDefault = rateIntervals(tariffById("pge-e-tou-c")!, [...ivs(program.id), ...ivs(fallback.id)]).totalNanoUsd;
  assert.is.not(day.nanoUsd, allDefault, "not everything at the default rate");
  assert.is(day.byPeriod!.reduce((s, p) => s + p.wh, 0), 12_000);
  store.close();
});

test("issue 13: the month estimate carries the tariff's month charges (PG&E's Climate Credit in April), as the head-end's bill does", () => {
  const store = new HubStore(":memory:");
  const ctx = { store, timeZone: "America/Los_Angeles", defaultTariffId: "pge-e-tou-c" } as unknown as DashboardContext;
  const april = usageView(ctx, "2024-04", pdt("2024-04-20T12:00:00") as UtcSeconds);
  const credit = monthBill({ tariff: tariffById("pge-e-tou-c")!, month: "2024-04", intervals: [] }).lines.filter((l) => l.kind === "month-charge");
  assert.is(credit.length, 1, "the example tariff has the April credit");
  assert.equal(april.monthCharges, [{ description: credit[0]!.description, nanoUsd: credit[0]!.nanoUsd }]);
  assert.match(april.monthCharges[0]!.description, /Climate Credit/);
  assert.ok(april.monthCharges[0]!.nanoUsd < 0, "a credit");
  assert.is(april.estimateNanoUsd, april.totalNanoUsd! + credit[0]!.nanoUsd);
  const may = usageView(ctx, "2024-05", pdt("2024-05-20T12:00:00") as UtcSeconds);
  assert.equal(may.monthCharges, [], "no credit in May");
  assert.is(may.estimateNanoUsd, may.totalNanoUsd);
  store.close();
});

test.run();
