// Modbus RTU on a serial line under Bun: the driver on one end of a socat pty pair, the simulator's RTU
// slave (real RTU frames, CRC-16) on the other.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeviceError } from "../../core/ports/index.ts";
import { TestClock } from "../../core/time/index.ts";
import { openPtyPair, type PtyPair } from "../serial/pty-pair.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import { createCharger, createMeter, modbusReadCommand, type ModbusTransportConfig } from "./index.ts";

let pty: PtyPair;
let sim: Simulator;
const clock = new TestClock();
const line = { baudRate: 9600, parity: "even", stopBits: 1 } as const;
const rtu = (unitId: number): ModbusTransportConfig => ({ kind: "rtu", path: pty.a, ...line, unitId, timeoutMs: 300 });

test.before(async () => {
  pty = await openPtyPair();
  sim = await startSimulator({ clock, houseLoadW: 500 });
  sim.serveRtu({ path: pty.b, line });
});
test.after(async () => { await sim.close(); await pty.close(); });

test("RTU: meter and charger read and write over a 9600 8E1 serial line under Bun", async () => {
  const eumd = createMeter({ transport: rtu(2), map: "sdm120" }, { clock });
  const evse = createCharger({ transport: rtu(1), map: "sim" }, { clock });
  try {
    sim.plug();
    await evse.setCurrentLimit(20);
    await evse.setEnabled(true);
    const st = await evse.readStatus();
    assert.is(st.state, "C");
    assert.is(st.vehicleId, "1N4AZ0CP5DC000001");
    const a = await eumd.read();
    clock.advance(1_800_000);
    const b = await eumd.read();
    assert.is(b.energyWh - a.energyWh, 2400); // 20 A × 240 V for half an hour
  } finally { await eumd.close(); await evse.close(); }
});

test("RTU: a corrupted CRC is detected, retried and recovered", async () => {
  const eumd = createMeter({ transport: rtu(2), map: "sdm120" }, { clock });
  try {
    sim.fault("eumd", { kind: "corrupt", count: 1 });
    assert.ok((await eumd.read()).energyWh >= 0);
    sim.fault("eumd", { kind: "corrupt" });
    const e = (await eumd.read().catch((x: unknown) => x)) as DeviceError;
    assert.instance(e, DeviceError);
    assert.is(e.kind, "malformed");
    assert.match(e.message, /CRC/);
    sim.fault("eumd", null);
  } finally { await eumd.close(); }
});

test("RTU: a silent unit times out and goes offline; an exception is reported with its code", async () => {
  const ghost = createMeter({ transport: rtu(9), map: "sdm120", link: { retries: 0 } }, { clock });
  const eumd = createMeter({ transport: rtu(2), map: "sdm120" }, { clock });
  try {
    const e = (await ghost.read().catch((x: unknown) => x)) as DeviceError;
    assert.is(e.kind, "timeout");
    assert.not.ok(ghost.online);
    sim.fault("eumd", { kind: "exception", exceptionCode: 6, count: 1 });
    assert.ok((await eumd.read()).energyWh >= 0, "busy (6) is retried");
  } finally { await ghost.close(); await eumd.close(); }
});

test("offpeak modbus read --serial prints the decoded registers", async () => {
  sim.unplug();
  const out: string[] = [];
  const code = await modbusReadCommand(["read", "--serial", pty.a, "--baud", "9600", "--parity", "even", "--unit", "3", "--map", "sdm630"], (l) => out.push(l), (l) => out.push(l));
  assert.is(code, 0, out.join("\n"));
  assert.match(out.join("\n"), /totalSystemPower\s+500\s+W/);
});

test("serial config errors name the port and the problem", async () => {
  const m = createMeter({ transport: { kind: "rtu", path: "/dev/offpeak-no-such-tty", ...line, unitId: 1 }, map: "sdm120" }, { clock });
  const e = (await m.read().catch((x: unknown) => x)) as DeviceError;
  assert.instance(e, DeviceError);
  assert.match(e.message, /offpeak-no-such-tty/);
  await m.close();
});

test.run();
