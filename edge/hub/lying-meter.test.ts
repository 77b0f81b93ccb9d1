// A meter that lies by a factor of ten for one poll (issue 12, item 7): the simulator's EUMD answers one energy read
// with ten times its register over real Modbus TCP; the session engine's metering holds that reading back as
// impossible instead of billing it, and the intervals still sum to exactly what the meter really counted.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseSessionId } from "../../core/ids/index.ts";
import { TestClock } from "../../core/time/index.ts";
import { createCharger, createMeter } from "../../drivers/modbus/index.ts";
import { startSimulator } from "../../drivers/sim/index.ts";
import { applyReading, newMetering, type MeteringContext } from "../engine/metering.ts";

test("FR-20: a 10× jump of the EUMD register in one poll is held back as impossible, not billed; the session's energy is the meter's true advance", async () => {
  const clock = new TestClock(Date.UTC(2026, 0, 1, 20, 0, 0));
  const sim = await startSimulator({ clock });
  const tcp = (port: number, unitId: number) => ({ kind: "tcp" as const, host: "127.0.0.1", port, unitId, timeoutMs: 300 });
  const evse = createCharger({ transport: tcp(sim.ports.evse, sim.units.evse), map: "sim" }, { clock });
  const eumd = createMeter({ transport: tcp(sim.ports.eumd, sim.units.eumd), map: "sdm120" }, { clock });
  try {
    // Charge for an hour first so the register is large (12 kWh), as an installed meter's is.
    sim.plug({ batteryWh: 100_000, socPct: 0 });
    await evse.setCurrentLimit(32);
    await evse.setEnabled(true);
    clock.advance(3_600_000 * 1.5625); // 7680 W × 1.5625 h = 12 kWh
    const first = await eumd.read();
    const ctx: MeteringContext = { sessionId: parseSessionId("S-LIE-1"), maxPowerW: 32 * 240, pendingIntervalS: null };
    let m = newMetering(first.at, 900, { wh: first.energyWh, at: first.at });
    const notes: string[] = [];
    for (let poll = 1; poll <= 30; poll++) {
      clock.advance(1000); // the hub's default poll_ms
      // One poll is two requests (the power block, then the energy block): the second one lies.
      if (poll === 10) sim.fault("eumd", { kind: "energy-x10", count: 2 });
      const r = await eumd.read();
      if (poll === 10) assert.ok(r.energyWh > 9 * first.energyWh, `the simulator lied (${r.energyWh} Wh)`);
      const out = applyReading(m, r, ctx);
      m = out.metering;
      notes.push(...out.notes.map((n) => n.kind));
    }
    const trueAdvance = sim.eumdWh() - first.energyWh;
    assert.equal(notes, ["eumd.reading-rejected"], "the lie is held back once, with a note");
    assert.is(m.totalWh, trueAdvance, "metered energy = the register's true advance, to the Wh");
    assert.is(m.rejected, 0, "the next honest reading cleared the hold");
    assert.is(m.quality, "partial", "no interval was marked reset or re-based by the lie");
  } finally {
    await evse.close();
    await eumd.close();
    await sim.close();
  }
});

test.run();
