import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Charger, ChargerStatus, J1772State } from "../../core/ports/index.ts";
import { TestClock } from "../../core/time/index.ts";
import { settings } from "../engine/harness.test-support.ts";
import type { EvseOutput } from "../engine/types.ts";
import { HubStore } from "../store/hub-store.ts";
import { FakeMeter } from "./doubles.test-support.ts";
import { EvseActuator } from "./evse-actuator.ts";
import { Hub } from "./hub.ts";

/**
 * A charger whose every register write takes a while (a Modbus round trip) and lands in the order it was issued,
 * as on a shared Modbus queue. It records the writes and whether two write sequences ever overlapped.
 */
class SlowCharger implements Charger {
  readonly limits = { minCurrentA: 6, maxCurrentA: 32, phases: 1 as const, voltageV: 240 };
  state: J1772State = "B";
  enabled = false;
  currentA = 32;
  writes: string[] = [];
  order: string[] = [];
  private busy = 0;
  overlapped = false;
  async readStatus(): Promise<ChargerStatus> { return { state: this.state, enabled: this.enabled, currentLimitA: this.currentA, sessionId: "1" }; }
  private async write(what: string, apply: () => void): Promise<void> {
    if (this.busy++ > 0) this.overlapped = true;
    this.order.push(`start ${what}`);
    await Bun.sleep(2);
    apply();
    this.writes.push(what);
    this.busy--;
  }
  setEnabled(on: boolean) { return this.write(on ? "enable" : "hold", () => { this.enabled = on; }); }
  setCurrentLimit(a: number) { return this.write(`limit ${a}`, () => { this.currentA = a; }); }
  async close() {}
}

const allow = (a = 32): EvseOutput => ({ enabled: true, currentA: a, why: "charging under program X", by: "charge" });
const hold = (by: EvseOutput["by"] = "binding-wait"): EvseOutput => ({ enabled: false, currentA: 32, why: "waiting for the utility", by });

test("NFR-2: an allow followed at once by a hold never leaves the EVSE enabled, and writes never interleave", async () => {
  for (let i = 0; i < 20; i++) {
    const ch = new SlowCharger();
    const a = new EvseActuator(ch, () => {});
    void a.want(allow(16));
    await Bun.sleep(i % 5); // the hold arrives at every point of the allow's write sequence
    void a.want(hold());
    await a.idle();
    assert.is(ch.enabled, false, `run ${i}: the EVSE ends held (${ch.writes.join(", ")})`);
    assert.is(ch.overlapped, false, `run ${i}: no two writes were in flight at once`);
    assert.is(ch.writes.at(-1), "hold", `run ${i}: the last write is the hold`);
  }
});

test("the latest desire wins: a burst of desires is written once, in full, ending in the last", async () => {
  const ch = new SlowCharger();
  const a = new EvseActuator(ch, () => {});
  void a.want(hold());
  void a.want(allow(10));
  void a.want(allow(20));
  void a.want(allow(12));
  await a.idle();
  assert.is(ch.enabled, true);
  assert.is(ch.currentA, 12);
  assert.ok(ch.writes.length <= 4, `no write sequence per superseded desire: ${ch.writes.join(", ")}`);
});

test("a charger that diverges from the desired output is reported and written again", async () => {
  const ch = new SlowCharger();
  const a = new EvseActuator(ch, () => {});
  await a.want(hold());
  ch.enabled = true; // someone else (its app, a reboot into "enabled") turned it on
  const token = a.beginRead();
  const d = a.observe(token, await ch.readStatus());
  assert.ok(d, "the divergence is reported");
  assert.match(d!.reason, /enabled but the hub wants it held \(binding-wait/);
  await a.idle();
  assert.is(ch.enabled, false, "re-applied");
  assert.is(a.observe(a.beginRead(), await ch.readStatus()), null, "no divergence once it holds again");
});

test("a status read that overlapped a write is not judged a divergence", async () => {
  const ch = new SlowCharger();
  const a = new EvseActuator(ch, () => {});
  await a.want(hold());
  const token = a.beginRead();
  const before = await ch.readStatus();
  await a.want(allow());
  assert.is(a.observe(token, before), null);
});

test("a write that fails is logged and tried again at the next poll", async () => {
  const ch = new SlowCharger();
  let fail = true;
  const orig = ch.setEnabled.bind(ch);
  ch.setEnabled = (on: boolean) => (fail ? Promise.reject(new Error("Modbus timeout")) : orig(on));
  const lines: string[] = [];
  const a = new EvseActuator(ch, (l) => lines.push(l));
  ch.enabled = true;
  await a.want(hold());
  assert.ok(lines.some((l) => /could not hold the EVSE: Modbus timeout/.test(l)));
  fail = false;
  a.observe(a.beginRead(), await ch.readStatus());
  await a.idle();
  assert.is(ch.enabled, false);
});

test("the failsafe is armed before any output is written; an expiring setpoint is written again inside its validity, silently", async () => {
  const ch = new SlowCharger();
  let now = 0;
  Object.assign(ch, { failsafe: { describe: "setpoint-validity: falls back to the safe current", keepAliveMs: 20_000, arm: async () => { ch.writes.push("arm"); } } });
  const lines: string[] = [];
  const a = new EvseActuator(ch, (l) => lines.push(l), () => now);
  await a.armFailsafe();
  await a.want(allow(16));
  assert.equal(ch.writes, ["arm", "limit 16", "enable"]);
  assert.ok(lines.some((l) => /failsafe armed \(setpoint-validity.*rewritten every 20 s/.test(l)));
  now = 10_000;
  assert.is(a.observe(a.beginRead(), await ch.readStatus()), null);
  await a.idle();
  assert.is(ch.writes.length, 3, "not yet due");
  now = 21_000;
  assert.is(a.observe(a.beginRead(), await ch.readStatus()), null, "a keep-alive is not a divergence");
  await a.idle();
  assert.equal(ch.writes.slice(3), ["limit 16", "enable"], "the setpoint is written again");
});

test("NFR-2: a hub that starts with a session open holds the charger before it reads anything, and records a divergence as a session event", async () => {
  const dir = mkdtempSync(join(tmpdir(), "offpeak-actuator-"));
  const clock = new TestClock(Date.UTC(2024, 5, 3, 22, 0, 0));
  const store = new HubStore(join(dir, "hub.sqlite"));
  const ch = new SlowCharger();
  const events: string[] = [];
  const eumd = new FakeMeter(clock, () => 0, 5000);
  const origRead = eumd.read.bind(eumd);
  eumd.read = () => { events.push(`eumd read (charger ${ch.enabled ? "enabled" : "held"})`); return origRead(); };
  const origStatus = ch.readStatus.bind(ch);
  ch.readStatus = () => { events.push(`charger read (charger ${ch.enabled ? "enabled" : "held"})`); return origStatus(); };
  const ports = { charger: ch, eumd, premisesMeter: null, pevLink: null, utility: null, reports: null, displays: [] };
  // First life: a session charging (fallback, charge-now); then the hub stops with the session open, as a kill leaves it.
  const first = new Hub({ store, clock, settings: settings(), ports, log: () => {} });
  first.start();
  await first.ready;
  await clock.advanceAsync(70_000, 1000);
  await first.whenIdle();
  await first.actuator!.idle();
  assert.is(first.snapshot().session?.phase, "fallback");
  assert.is(ch.enabled, true, "charging before the crash");
  await first.stop();
  events.length = 0;
  ch.writes.length = 0;
  const second = new Hub({ store, clock, settings: settings(), ports, log: () => {} });
  second.start();
  await second.ready;
  assert.equal(events.slice(0, 2), ["eumd read (charger held)", "charger read (charger held)"], "held before the EUMD and the charger are read");
  assert.is(ch.writes[0], "hold");
  await second.actuator!.idle();
  assert.is(ch.enabled, true, "the same plug-in (same charger session) charges again");
  ch.enabled = false; // the charger drops its output on its own
  await clock.advanceAsync(2000, 1000);
  await second.whenIdle();
  await second.actuator!.idle();
  assert.is(ch.enabled, true, "re-applied");
  const id = second.snapshot().session!.id;
  assert.ok(store.getSession(id)!.events.some((e) => e.kind === "evse.divergence" && /held but the hub wants it enabled/.test(e.reason)), "recorded on the session");
  await second.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test.run();
