// Devices that lie (issue 12, item 7): a meter answering with another unit id or with another request's transaction
// id must never have its answer taken as a reading. modbus-serial already checks both — proved here against a
// simulator that really sends such frames (with data no true reading has: float32 996.0) over Modbus TCP and RTU.
//   TCP: the unit id is compared with the request's ("Unexpected data error, expected address 2 got 3") → malformed,
//        retried; a foreign transaction id matches no pending request and is ignored → that attempt times out.
//   RTU: there is no transaction id; RtuFramePort skips bytes that do not start with the expected unit and function
//        code, and modbus-serial compares the address again → that attempt times out.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DeviceError } from "../../core/ports/index.ts";
import { TestClock } from "../../core/time/index.ts";
import { openPtyPair, type PtyPair } from "../serial/pty-pair.ts";
import { startSimulator, type FaultKind, type Simulator } from "../sim/index.ts";
import { createCharger, createMeter, type ModbusTransportConfig } from "./index.ts";

const LIE_KWH = 996; // what the poisoned registers decode to on the SDM120 map (float32 0x4479 0x0000)
let clock: TestClock;
let sim: Simulator;
let pty: PtyPair;
const tcp = (): ModbusTransportConfig => ({ kind: "tcp", host: "127.0.0.1", port: sim.ports.eumd, unitId: sim.units.eumd, timeoutMs: 150 });
const rtu = (): ModbusTransportConfig => ({ kind: "rtu", path: pty.a, baudRate: 9600, parity: "none", stopBits: 1, unitId: sim.units.eumd, timeoutMs: 150 });

test.before.each(async () => {
  clock = new TestClock();
  sim = await startSimulator({ clock });
  pty = await openPtyPair();
  sim.serveRtu({ path: pty.b, line: { baudRate: 9600, parity: "none", stopBits: 1 } });
});
test.after.each(async () => { await sim.close(); await pty.close(); });

/** An hour of charging, so the EUMD register holds energy that differs from zero as well as from the lie. */
async function charge(): Promise<void> {
  const evse = createCharger({ transport: { kind: "tcp", host: "127.0.0.1", port: sim.ports.evse, unitId: sim.units.evse }, map: "sim" }, { clock });
  try {
    sim.plug();
    await evse.setCurrentLimit(16);
    await evse.setEnabled(true);
    clock.advance(3_600_000);
  } finally { await evse.close(); }
}

for (const [wire, transport] of [["Modbus TCP", tcp], ["Modbus RTU", rtu]] as const) {
  for (const kind of ["wrong-unit", "wrong-transaction"] as const satisfies readonly FaultKind[]) {
    test(`FR-20: ${wire}: an answer with the ${kind === "wrong-unit" ? "wrong unit id" : "wrong transaction id"} is dropped, never read as energy; the retry reads the truth`, async () => {
      await charge();
      const log: string[] = [];
      const eumd = createMeter({ transport: transport(), map: "sdm120", link: { retries: 2 } }, { clock, log: (l) => log.push(l) });
      try {
        const truth = await eumd.read();
        assert.ok(truth.energyWh !== LIE_KWH * 1000);
        // One lie, then honest answers: the lie costs one attempt and the reading is the register's true value.
        sim.fault("eumd", { kind, count: 1 });
        const r = await eumd.read();
        assert.is(r.energyWh, sim.eumdWh());
        assert.ok(eumd.online);
        // Nothing but lies: the read fails as a device error (never a value), the device goes offline.
        sim.fault("eumd", { kind });
        const e = await eumd.read().catch((x: unknown) => x);
        assert.instance(e, DeviceError, `a lying answer must not become a reading, got ${JSON.stringify(e)}`);
        assert.ok(["malformed", "timeout"].includes((e as DeviceError).kind), (e as DeviceError).message);
        assert.not.ok(eumd.online);
      } finally {
        sim.fault("eumd", null);
        await eumd.close();
      }
    });
  }
}

test.run();
