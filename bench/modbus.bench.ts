// Modbus figures: full meter polls per second against the simulator on loopback TCP, and the fraction of a
// 9600-baud line's capacity a coalesced poll loop achieves over a socat pty pair (the simulator's RTU slave
// emulates the line's timing, since a pty moves bytes instantly; see docs/hardware.md).
import { RealClock } from "../core/time/index.ts";
import { createMeter } from "../drivers/modbus/index.ts";
import { FieldReader } from "../drivers/modbus/index.ts";
import { ModbusLink } from "../drivers/modbus/modbus-link.ts";
import { getMeterMap } from "../drivers/devices/index.ts";
import { charTimeMs } from "../drivers/serial/index.ts";
import { openPtyPair } from "../drivers/serial/index.ts";
import { startSimulator } from "../drivers/sim/index.ts";

const clock = new RealClock();
const sim = await startSimulator({ clock, pev: { vin: "1N4AZ0CP5DC000001", batteryWh: 60000, socPct: 20, maxPowerW: 7200 } });

// 1. TCP: full EUMD poll (power + energy: the reads the hub makes every poll).
const eumd = createMeter({ transport: { kind: "tcp", host: "127.0.0.1", port: sim.ports.eumd, unitId: sim.units.eumd }, map: "sdm120" }, { clock });
for (let i = 0; i < 200; i++) await eumd.read();
let n = 0;
const t0 = performance.now();
while (performance.now() - t0 < 3000) { await eumd.read(); n++; }
console.log(`modbus.tcp_polls_per_s: ${Math.round(n / ((performance.now() - t0) / 1000))} 1/s`);
await eumd.close();

// 2. RTU at 9600 8N1: every register of the SDM630 map, polled back to back.
const pty = await openPtyPair();
const line = { baudRate: 9600, parity: "none", stopBits: 1 } as const;
const rtuServer = sim.serveRtu({ path: pty.b, line, emulateBaud: true });
const map = getMeterMap("sdm630");
const link = new ModbusLink("bench", { kind: "rtu", path: pty.a, ...line, unitId: sim.units.premises, timeoutMs: 1000 }, { clock });
const reader = new FieldReader(link, map, Object.keys(map.fields));
await reader.read();
const before = { ...rtuServer.stats };
const r0 = performance.now();
let polls = 0;
while (performance.now() - r0 < 8000) { await reader.read(); polls++; }
const elapsed = performance.now() - r0;
const frames = 2 * (rtuServer.stats.requests - before.requests);
const bytes = rtuServer.stats.bytesIn - before.bytesIn + rtuServer.stats.bytesOut - before.bytesOut;
// The line's limit: every byte at 10 bits per character plus the mandatory 3.5-character silence per frame.
const idealMs = (bytes + 3.5 * frames) * charTimeMs(line);
console.log(`modbus.rtu_9600_line_utilisation: ${(idealMs / elapsed).toFixed(3)} fraction`);
console.log(`modbus.rtu_9600_full_sdm630_polls_per_s: ${(polls / (elapsed / 1000)).toFixed(2)} 1/s`);
await link.close();
await sim.close();
await pty.close();
process.exit(0);
