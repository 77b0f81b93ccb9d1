import { test } from "uvu";
import * as assert from "uvu/assert";
import type { UtcSeconds } from "../../core/time/index.ts";
import { Driver, params, settings, T0, VIN } from "./harness.test-support.ts";
import type { ClosedInterval } from "./types.ts";

const boundDriver = (over = {}) => {
  const d = new Driver(settings(over));
  d.plug();
  d.send({ type: "pev.hello", vin: VIN });
  d.send({ type: "utility.answer", status: "enrolled", path: "commissioning", params: params(over) });
  return d;
};
const intervals = (d: Driver): ClosedInterval[] => d.of("interval").map((c) => c.interval);
const read = (d: Driver, wh: number) => d.send({ type: "eumd.reading", energyWh: wh, powerW: 7000, at: d.now as UtcSeconds });

test("FR-20, FR-29: intervals come from differencing the cumulative register, aligned to UTC boundaries, summing exactly", () => {
  const d = boundDriver();
  let wh = 10_000;
  read(d, wh);
  // 7 kW for 40 minutes, one reading every 10 s: 19.44 Wh per reading, rounded by the meter to whole Wh.
  let exact = 10_000;
  for (let i = 0; i < 240; i++) {
    d.after(10);
    exact += 7000 * 10 / 3600;
    wh = Math.floor(exact);
    read(d, wh);
  }
  d.after(5).send({ type: "evse.state", state: "A" });
  const iv = intervals(d);
  const total = iv.reduce((a, i) => a + i.wh, 0);
  assert.is(total, wh - 10_000, "every Wh the register advanced is in exactly one interval");
  for (const i of iv) assert.is(i.start % 900, 0, "aligned to 15-minute UTC boundaries");
  assert.equal(iv.map((i) => i.start), [T0, T0 + 900, T0 + 1800]);
  assert.equal(iv.map((i) => i.quality), ["partial", "ok", "partial"]);
  assert.is(d.state.session, null);
});

test("energy between two readings that straddle a boundary is split pro rata by time, conserving Wh", () => {
  const d = boundDriver();
  d.at(T0 + 890);
  read(d, 1000);
  d.at(T0 + 910);
  read(d, 1061); // 61 Wh over 20 s, 10 s each side: 30 before the boundary, the remainder 31 after
  d.at(T0 + 1800);
  read(d, 1061);
  const iv = intervals(d);
  assert.is(iv[0]!.wh, 30);
  assert.is(iv[1]!.wh, 31);
});

test("a register that goes backwards is flagged as reset and never billed as negative energy", () => {
  const d = boundDriver();
  read(d, 50_000);
  d.after(10);
  read(d, 50_020);
  d.after(10);
  const out = read(d, 5); // meter reset to zero and counted 5 Wh since
  d.after(10);
  read(d, 25);
  d.at(T0 + 900);
  read(d, 25);
  const iv = intervals(d);
  assert.is(iv[0]!.wh, 20 + 5 + 20);
  assert.is(iv[0]!.quality, "reset");
  assert.ok(iv.every((i) => i.wh >= 0));
  assert.ok(d.records(out).some((r) => r.kind === "eumd.register-reset"));
});

test("a rollover to a large value is not counted; an impossible jump is held back, not billed", () => {
  const d = boundDriver();
  read(d, 1000);
  d.after(10);
  const out = read(d, 900_000); // 899 kWh in 10 s: garbage
  assert.ok(d.records(out).some((r) => r.kind === "eumd.reading-rejected"));
  d.after(10);
  read(d, 1020); // back to normal
  d.at(T0 + 900);
  read(d, 1020);
  assert.is(intervals(d)[0]!.wh, 20);
});

test("a swapped meter (register consistently far ahead) is re-based after 3 readings with no energy invented", () => {
  const d = boundDriver();
  read(d, 1000);
  for (const v of [500_000, 500_010, 500_020, 500_030]) { d.after(10); read(d, v); }
  d.at(T0 + 900);
  read(d, 500_030);
  const iv = intervals(d);
  assert.is(iv[0]!.wh, 10, "only the 10 Wh after re-basing is counted");
  assert.is(iv[0]!.quality, "suspect");
});

test("FR-25: a new interval length takes effect at the next boundary, not mid-interval", () => {
  const d = boundDriver();
  read(d, 0);
  d.at(T0 + 300);
  read(d, 300);
  d.send({ type: "config", intervalS: 300 });
  assert.is(d.state.settings.intervalS, 900);
  assert.is(d.state.settings.pendingIntervalS, 300);
  for (let t = T0 + 310; t <= T0 + 1800; t += 10) { d.at(t); read(d, t - T0); }
  const iv = intervals(d);
  assert.equal(iv.map((i) => [i.start - T0, i.lengthS]), [[0, 900], [900, 300], [1200, 300], [1500, 300]]);
  assert.is(d.state.settings.intervalS, 300);
  assert.is(d.state.settings.pendingIntervalS, null);
  assert.ok(d.records().some((r) => r.kind === "interval-length.applied"));
});

test("FR-25: a length change from 5 to 15 minutes waits for the next quarter-hour boundary, so no interval is ragged", () => {
  const d = boundDriver({ intervalS: 300 });
  read(d, 0);
  d.at(T0 + 200);
  d.send({ type: "config", intervalS: 900 });
  for (let t = T0 + 210; t <= T0 + 1800; t += 30) { d.at(t); read(d, t - T0); }
  const iv = intervals(d);
  assert.equal(iv.map((i) => [i.start - T0, i.lengthS]).slice(0, 4), [[0, 300], [300, 300], [600, 300], [900, 900]]);
  for (const i of iv) assert.is(i.start % i.lengthS, 0, "every interval aligned to its own length");
  assert.is(iv.reduce((a, i) => a + i.wh, 0), 1800, "the closed intervals hold every Wh up to the last boundary");
});

test("FR-25: an interval length that does not divide an hour is refused with the reason", () => {
  const d = boundDriver();
  const out = d.send({ type: "config", intervalS: 700 });
  assert.ok(d.records(out).some((r) => r.kind === "config.refused" && /700 s is not an interval length/.test(r.reason)));
});

test("a gap in readings marks the spanned intervals as estimated", () => {
  const d = boundDriver();
  read(d, 0);
  d.at(T0 + 2000);
  d.send({ type: "eumd.reading", energyWh: 3000, powerW: 0, at: d.now as UtcSeconds });
  const iv = intervals(d);
  assert.equal(iv.map((i) => i.quality), ["estimated", "estimated"]);
  assert.equal(iv.map((i) => i.wh), [1350, 1350], "3000 Wh over 2000 s: 900 s worth in each closed interval, 300 Wh left open");
});

test.run();
