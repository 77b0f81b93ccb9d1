// The drivers against the simulator over real Modbus TCP on loopback, with each injected fault.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeviceError } from "../../core/ports/index.ts";
import { TestClock } from "../../core/time/index.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import { getChargerMap } from "../devices/index.ts";
import { FAILSAFE_KEEPALIVE_MS, FAILSAFE_TIMEOUT_S } from "./charger.ts";
import { FieldReader } from "./field-reader.ts";
import { createCharger, createMeter, type ModbusTransportConfig } from "./index.ts";
import { ModbusLink } from "./modbus-link.ts";

const VIN = "1N4AZ0CP5DC000001";
let clock: TestClock;
let sim: Simulator;
const tcp = (port: number, unitId: number, timeoutMs = 300): ModbusTransportConfig => ({ kind: "tcp", host: "127.0.0.1", port, unitId, timeoutMs });

test.before.each(async () => {
  clock = new TestClock();
  sim = await startSimulator({ clock, houseLoadW: 1000 });
});
test.after.each(async () => { await sim.close(); });

test("FR-20: EUMD (SDM120 map) integrates the PEV's charging power; charger drives J1772 A→B→C over TCP", async () => {
  const log: string[] = [];
  const evse = createCharger({ transport: tcp(sim.ports.evse, sim.units.evse), map: "offpeak-sim-evse" }, { clock, log: (l) => log.push(l) });
  const eumd = createMeter({ transport: tcp(sim.ports.eumd, sim.units.eumd), map: "eastron-sdm120" }, { clock });
  try {
    assert.is((await evse.readStatus()).state, "A");
    sim.plug({ vin: VIN, socPct: 20, batteryWh: 60_000, maxPowerW: 7200 });
    let st = await evse.readStatus();
    assert.is(st.state, "B");
    assert.is(st.vehicleId, VIN);
    assert.is(st.enabled, false);
    await evse.setCurrentLimit(16);
    await evse.setEnabled(true);
    st = await evse.readStatus();
    assert.is(st.state, "C");
    assert.is(st.currentLimitA, 16);
    assert.is(st.powerW, 16 * 240);
    const r0 = await eumd.read();
    clock.advance(3_600_000); // one hour at 3840 W
    const r1 = await eumd.read();
    assert.is(r1.energyWh - r0.energyWh, 3840);
    assert.is(r1.powerW, 3840);
    assert.is(r1.at - r0.at, 3600);
    assert.ok(evse.online && eumd.online);
    assert.ok(log.some((l) => /online \(tcp:\/\/127\.0\.0\.1:\d+ unit 1\)/.test(l)), log.join("\n"));
  } finally {
    await evse.close();
    await eumd.close();
  }
});

test("premises meter (SDM630 map) reads house load plus the EV", async () => {
  const prem = createMeter({ transport: tcp(sim.ports.premises, sim.units.premises), map: "sdm630" }, { clock });
  const evse = createCharger({ transport: tcp(sim.ports.evse, sim.units.evse), map: "sim" }, { clock });
  try {
    sim.plug();
    await evse.setCurrentLimit(10);
    await evse.setEnabled(true);
    const r = await prem.read();
    assert.is(r.powerW, 1000 + 2400);
  } finally { await prem.close(); await evse.close(); }
});

test("a full PEV stops drawing: state C → B and energy stops at the battery's capacity", async () => {
  const evse = createCharger({ transport: tcp(sim.ports.evse, 1), map: "sim" }, { clock });
  const eumd = createMeter({ transport: tcp(sim.ports.eumd, 2), map: "sdm120" }, { clock });
  try {
    sim.plug({ batteryWh: 10_000, socPct: 90, maxPowerW: 3000 });
    await evse.setEnabled(true);
    clock.advance(2 * 3_600_000);
    assert.is((await evse.readStatus()).state, "B");
    assert.is((await eumd.read()).energyWh, 1000);
    assert.is(sim.pev()!.socPct, 100);
  } finally { await evse.close(); await eumd.close(); }
});

test("the simulated EVSE also speaks the ABB Terra AC and Alfen Eve maps", async () => {
  for (const map of ["abb-terra-ac", "alfen-eve"]) {
    const s = await startSimulator({ clock, evseMap: map });
    const evse = createCharger({ transport: tcp(s.ports.evse, 1), map }, { clock });
    try {
      s.plug();
      await evse.setCurrentLimit(12);
      await evse.setEnabled(false);
      let st = await evse.readStatus();
      assert.is(st.state, "B", map);
      await evse.setEnabled(true);
      st = await evse.readStatus();
      assert.is(st.state, "C", map);
      assert.is(st.currentLimitA, 12, map);
      assert.is(st.powerW, 12 * 240, map);
    } finally { await evse.close(); await s.close(); }
  }
});

test("fault exception: reported as DeviceError 'exception', device stays online", async () => {
  const eumd = createMeter({ transport: tcp(sim.ports.eumd, 2), map: "sdm120" }, { clock });
  try {
    await eumd.read();
    sim.fault("eumd", { kind: "exception", exceptionCode: 2, count: 1 });
    const e = await eumd.read().catch((x: unknown) => x);
    assert.instance(e, DeviceError);
    assert.is((e as DeviceError).kind, "exception");
    assert.match((e as DeviceError).message, /Modbus exception 2/);
    assert.ok(eumd.online);
    await eumd.read();
  } finally { await eumd.close(); }
});

test("fault timeout: retried, then offline with health callback and backoff on the Clock; back online after", async () => {
  const changes: [boolean, string][] = [];
  const log: string[] = [];
  const eumd = createMeter({ transport: tcp(sim.ports.eumd, 2, 100), map: "sdm120", link: { retries: 1, backoffBaseMs: 5000 } }, { clock, log: (l) => log.push(l) });
  eumd.onHealthChange((on, why) => changes.push([on, why]));
  try {
    await eumd.read();
    sim.fault("eumd", { kind: "timeout" });
    const e = (await eumd.read().catch((x: unknown) => x)) as DeviceError;
    assert.is(e.kind, "timeout");
    assert.not.ok(eumd.online);
    assert.match(eumd.lastError ?? "", /timeout/);
    // Within the backoff: fails fast without touching the wire.
    const fast = (await eumd.read().catch((x: unknown) => x)) as DeviceError;
    assert.is(fast.kind, "disconnected");
    assert.match(fast.message, /next attempt in 5 s/);
    sim.fault("eumd", null);
    clock.advance(5000);
    await eumd.read();
    assert.ok(eumd.online);
    assert.equal(changes.map((c) => c[0]), [true, false, true]);
    assert.ok(log.some((l) => /offline: timeout/.test(l)), log.join("\n"));
  } finally { await eumd.close(); }
});

test("fault corrupt: a malformed frame is retried and the next good answer is used", async () => {
  const eumd = createMeter({ transport: tcp(sim.ports.eumd, 2), map: "sdm120" }, { clock });
  try {
    sim.fault("eumd", { kind: "corrupt", count: 1 });
    const r = await eumd.read();
    assert.ok(r.energyWh >= 0);
    assert.ok(eumd.online);
    sim.fault("eumd", { kind: "corrupt" });
    const e = (await eumd.read().catch((x: unknown) => x)) as DeviceError;
    assert.is(e.kind, "malformed");
    assert.not.ok(eumd.online);
  } finally { await eumd.close(); }
});

test("fault drop: the connection is rebuilt and the read succeeds", async () => {
  const evse = createCharger({ transport: tcp(sim.ports.evse, 1), map: "sim" }, { clock });
  try {
    await evse.readStatus();
    sim.fault("evse", { kind: "drop", count: 1 });
    const st = await evse.readStatus();
    assert.is(st.state, "A");
    assert.ok(evse.online);
  } finally { await evse.close(); }
});

test("fault reset-register: energy going backwards is reported, not rejected", async () => {
  const log: string[] = [];
  const eumd = createMeter({ transport: tcp(sim.ports.eumd, 2), map: "sdm120" }, { clock, log: (l) => log.push(l) });
  const evse = createCharger({ transport: tcp(sim.ports.evse, 1), map: "sim" }, { clock });
  try {
    sim.plug();
    await evse.setEnabled(true);
    clock.advance(3_600_000);
    const before = await eumd.read();
    assert.ok(before.energyWh > 0);
    sim.fault("eumd", { kind: "reset-register" });
    const after = await eumd.read();
    assert.ok(after.energyWh < before.energyWh);
    assert.ok(log.some((l) => /went backwards/.test(l)));
  } finally { await eumd.close(); await evse.close(); }
});

test("an unreachable device never throws anything but DeviceError, and bad setpoints are refused", async () => {
  const closedPort = sim.ports.eumd;
  await sim.close();
  const eumd = createMeter({ transport: tcp(closedPort, 2), map: "sdm120" }, { clock });
  const e = await eumd.read().catch((x: unknown) => x);
  assert.instance(e, DeviceError);
  assert.is((e as DeviceError).kind, "disconnected");
  await eumd.close();
  sim = await startSimulator({ clock });
  const evse = createCharger({ transport: tcp(sim.ports.evse, 1), map: "sim" }, { clock });
  const bad = (await evse.setCurrentLimit(80).catch((x: unknown) => x)) as DeviceError;
  assert.is(bad.kind, "config");
  assert.match(bad.message, /current limit 80 A is outside 6-32 A/);
  await evse.close();
});

test("shared port: all three devices on one server, addressed by unit id", async () => {
  const s = await startSimulator({ clock, evsePort: 0, eumdPort: 0, premisesPort: 0 });
  await s.close();
  // Pick a free port by letting the OS choose, then share it.
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const shared = await startSimulator({ clock, evsePort: port, eumdPort: port, premisesPort: port });
  const m = createMeter({ transport: tcp(port, 3), map: "sdm630" }, { clock });
  const c = createCharger({ transport: tcp(port, 1), map: "sim" }, { clock });
  try {
    assert.is(shared.ports.eumd, port);
    assert.is((await m.read()).powerW, 800); // default house load, no EV
    assert.is((await c.readStatus()).state, "A");
  } finally { await m.close(); await c.close(); await shared.close(); }
});

test("NFR-2: the hub arms a charger's communication-loss fallback from its map: ABB's timeout register is written over Modbus; Alfen's setpoint is kept alive; the simulator has none", async () => {
  const abbSim = await startSimulator({ clock, evseMap: "abb-terra-ac" });
  const abb = createCharger({ transport: tcp(abbSim.ports.evse, abbSim.units.evse), map: "abb-terra-ac" }, { clock });
  const link = new ModbusLink("check", tcp(abbSim.ports.evse, abbSim.units.evse), { clock });
  try {
    assert.ok(abb.failsafe, "the ABB map describes a communication timeout");
    assert.is(abb.failsafe!.keepAliveMs, null, "any poll feeds ABB's timer");
    await abb.failsafe!.arm();
    const back = await new FieldReader(link, getChargerMap("abb-terra-ac"), ["communicationTimeout"]).read();
    assert.is(Number(back.communicationTimeout), FAILSAFE_TIMEOUT_S, "4106h holds the timeout the hub wrote");
  } finally {
    await abb.close();
    await link.close();
    await abbSim.close();
  }
  const alfen = createCharger({ transport: tcp(sim.ports.evse, sim.units.evse), map: "alfen-eve" }, { clock });
  assert.is(alfen.failsafe?.keepAliveMs, FAILSAFE_KEEPALIVE_MS, "Alfen's max current is rewritten inside its validity time");
  await alfen.close();
  const own = createCharger({ transport: tcp(sim.ports.evse, sim.units.evse), map: "offpeak-sim-evse" }, { clock });
  assert.is(own.failsafe, undefined, "the simulator keeps its last output");
  await own.close();
});

test.run();
