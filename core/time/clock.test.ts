import { test } from "uvu";
import * as assert from "uvu/assert";
import { ScaledClock, TestClock } from "./clock.ts";
import { fromMillis, intervalStart, parseIso, toIso, utcSeconds } from "./utc.ts";

test("NFR-1: time is whole UTC seconds; sub-second readings truncate to their second", () => {
  assert.is(fromMillis(Date.UTC(2024, 2, 10, 9, 59, 59, 999)), Date.UTC(2024, 2, 10, 9, 59, 59) / 1000);
  assert.is(toIso(utcSeconds(1710064799)), "2024-03-10T09:59:59Z");
  assert.is(parseIso("2024-03-10T01:59:59-08:00"), 1710064799);
  assert.throws(() => utcSeconds(1.5), /whole, non-negative seconds/);
  assert.throws(() => parseIso("yesterday"), /not an ISO 8601 date-time/);
  assert.is(intervalStart(utcSeconds(1710064799), 900), 1710063900);
});

test("NFR-1: the test clock fires timers in deadline order and keeps wall and monotonic time apart", () => {
  const c = new TestClock(Date.UTC(2024, 0, 1));
  const fired: string[] = [];
  c.setTimeout(() => fired.push("b@2000"), 2000);
  c.setTimeout(() => fired.push("a@1000"), 1000);
  const h = c.setTimeout(() => fired.push("never"), 1500);
  c.clearTimeout(h);
  c.advance(2500);
  assert.equal(fired, ["a@1000", "b@2000"]);
  assert.is(c.monotonicMs(), 2500);
  c.jumpWall(-60_000); // an NTP step back moves wall time only
  assert.is(c.monotonicMs(), 2500);
  assert.is(c.now(), Date.UTC(2024, 0, 1) / 1000 + 2 - 60);
});

test("the scaled clock runs N times faster and continues from an anchor after a restart", async () => {
  const anchor = { realMs: Date.now(), simMs: Date.UTC(2024, 0, 1) };
  const c = new ScaledClock(600, anchor);
  await Bun.sleep(50);
  const simElapsed = c.nowMs() - anchor.simMs;
  assert.ok(simElapsed >= 600 * 45 && simElapsed < 600 * 1000, `about 30 s simulated, got ${simElapsed} ms`);
  const again = new ScaledClock(600, anchor);
  assert.ok(Math.abs(again.nowMs() - c.nowMs()) < 600 * 20);
  assert.throws(() => new ScaledClock(0), /positive number/);
});

test.run();
