// Two charge points on one hub (issue 16 item 7): the simulator's Modbus EVSE with its Modbus EUMD as [devices.charger],
// and a second simulator's OCPP 1.6J charge point, whose own meter is its EUMD, as [[charge_points]] "garage-2" — both
// on one TestClock with the real utility head-end. Each charge point has its own engine: its own comm-wait window,
// binding and intervals; both sessions reach the head-end naming their charge point and EUMD. The judges are the two
// simulated circuits (energy delivered), the OCPP charge point's own profile state, and the head-end's database.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportPrivateKeyPem } from "../../cloud-sync/protocol/index.ts";
import { defineTestProgram, enrollHousehold, newHub, testUtility } from "../../cloud-sync/utility/test-support.ts";
import { TestClock } from "../../core/time/index.ts";
import { SIM_UNITS, startSimulator } from "../../drivers/sim/index.ts";
import { parseConfig } from "../../edge/config/index.ts";
import { VIN, VIN2 } from "../../edge/engine/harness.test-support.ts";
import { startHubProcess } from "../../edge/hub/index.ts";

const START_MS = Date.UTC(2024, 5, 3, 18, 0, 0);
const CP_B = "CP-GARAGE-2";
const CP_B_PASSWORD = "garage-two-password-01";

async function waitFor(what: string, cond: () => boolean, realMs = 10_000): Promise<void> {
  const end = performance.now() + realMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(2);
  }
}

test("FR-10, NFR-2, FR-29: two charge points on one hub charge at the same time, each with its own comm-wait window, binding and intervals, and both sessions reach the utility naming their charge point and EUMD", async () => {
  const clock = new TestClock(START_MS);
  const t = await testUtility({ clock });
  const dir = mkdtempSync(join(tmpdir(), "offpeak-two-cp-"));
  mkdirSync(join(dir, "ui"));
  writeFileSync(join(dir, "ui", "index.html"), "<!doctype html><title>test</title>");
  const lines: string[] = [];
  const simA = await startSimulator({ clock });
  const simB = await startSimulator({ clock });
  let h: Awaited<ReturnType<typeof startHubProcess>> | null = null;
  try {
    // The utility knows this hub (its key is the one the hub will sign with) and VIN's enrollment; VIN2 is a stranger.
    await defineTestProgram(t, "PROG-1");
    const hubKeys = newHub(t.utility.url, "HUB-MULTI-1", clock);
    const { premisesId } = await enrollHousehold(t, "M1", { vin: VIN, programId: "PROG-1", hub: hubKeys, bind: false });
    writeFileSync(join(dir, "hub-key.pem"), exportPrivateKeyPem(hubKeys.keys.privateKey), { mode: 0o600 });
    const modbus = (port: number, unit: number, map: string) => ({ driver: "modbus", map, transport: { kind: "tcp", host: "127.0.0.1", port, unit_id: unit } });
    const config = parseConfig({
      hub: { id: "HUB-MULTI-1", port: 0, data_dir: dir, poll_ms: 1000 },
      premises: { id: premisesId, utility_id: "UTIL-A" },
      utility: { url: t.utility.url },
      pevlink: { port: 0, id_only: true },
      session: { comm_wait_s: 60, interval_s: 300 },
      devices: {
        charger: modbus(simA.ports.evse, SIM_UNITS.evse, "offpeak-sim-evse"),
        eumd: modbus(simA.ports.eumd, SIM_UNITS.eumd, "eastron-sdm120"),
        premises_meter: { driver: "none" },
      },
      charge_points: [{ id: "garage-2", charger: { driver: "ocpp", charge_point_id: CP_B, password: CP_B_PASSWORD, meter_is_eumd: true } }],
      ocpp: { host: "127.0.0.1", port: 0, meter_value_sample_interval_s: 10 },
    }, "test");
    h = await startHubProcess(config, { sync: true, dashboard: false, clock, log: (l) => lines.push(l) });
    const hub = h;
    assert.is(hub.hubs.length, 2, "one engine per charge point");
    const [engineA, engineB] = [hub.hubs[0]!, hub.hubs[1]!];
    assert.is(engineB.chargePointId, "garage-2");
    const world = simB.startOcppChargePoint({ url: hub.ocpp!.url, id: CP_B, password: CP_B_PASSWORD, clock });
    const cp = world.chargePoint;
    const settle = async () => {
      await waitFor("the OCPP link to go quiet", () => {
        const r = hub.ocpp!.central.sessions.get(CP_B)?.rpc?.counts;
        return !cp.connected || (!!r && r.in === cp.frames.out && r.out === cp.frames.in);
      });
      for (const e of hub.hubs) await e.whenIdle();
      await hub.utilityLink!.worker.whenIdle();
    };
    const run = async (seconds: number) => {
      for (let i = 0; i < seconds; i++) { clock.advance(1000); await Bun.sleep(1); await settle(); }
    };
    await waitFor("the OCPP charge point to be accepted", () => cp.accepted);
    await run(15);
    assert.is(engineB.snapshot().eumd, "present", "garage-2's EUMD is its charger's meter (MeterValues)");
    assert.is(engineA.snapshot().eumd, "present", "[devices.charger]'s EUMD is the Modbus meter");

    // Vehicle A plugs in; twenty seconds later vehicle B, with a card nobody registered, on the other charge point.
    simA.plug({ vin: VIN, socPct: 20 });
    await run(20);
    simB.plug({ vin: VIN2, socPct: 20, idTag: "CARD-STRANGER" });
    await run(3);
    const a0 = engineA.snapshot().session!, b0 = engineB.snapshot().session!;
    assert.is(b0.phase, "awaiting-binding");
    assert.is.not(a0.id, b0.id, "session IDs are unique per premises across charge points");
    assert.is(a0.windowEndsAt - a0.pluggedAt, 60);
    assert.is(b0.windowEndsAt - b0.pluggedAt, 60);
    assert.ok(b0.windowEndsAt - a0.windowEndsAt >= 19, `each charge point has its own window (A ends ${a0.windowEndsAt}, B ${b0.windowEndsAt})`);
    const bAtPlug = simB.eumdWh();
    // The status API (and the dashboard's Now view built on it) has one entry per charge point, each with its own session.
    const status = await (await fetch(`${hub.url}/api/v1/status`)).json() as { chargePoints: { id: string; session: { id: string; commWaitEndsAt: number } | null }[] };
    assert.equal(status.chargePoints.map((c) => [c.id, c.session?.id, c.session?.commWaitEndsAt]), [["charger", a0.id, a0.windowEndsAt], ["garage-2", b0.id, b0.windowEndsAt]]);

    // A's vehicle is identified by its EVSE (ID-only) and bound by the utility inside A's window.
    await run(30);
    assert.is(engineA.snapshot().session!.phase, "bound", "charge point A bound by the utility");
    assert.is(engineA.snapshot().session!.rate, "program");
    assert.is(engineB.snapshot().session!.phase, "awaiting-binding", "B's window is its own: A's binding decides nothing for B");
    assert.is(cp.effectiveLimitA(), 0, "NFR-2: B is held at 0 A by its charging profile while A charges");
    assert.is(simB.eumdWh(), bAtPlug, "NFR-2: no energy on B during its window");
    await run(15);
    assert.ok(engineA.snapshot().evseOut?.enabled, "A charges");

    // B's window expires on its own clock: fallback (FR-10), then charging proceeds at the default rate.
    await run(15);
    const b1 = engineB.snapshot().session!;
    assert.equal([b1.phase, b1.fallbackReason], ["fallback", "comm-timeout"], "FR-10 on B alone");
    assert.is(engineA.snapshot().session!.phase, "bound", "A stays bound");
    await run(1000); // across a 15-minute boundary (the program's interval length): two intervals each
    assert.is(cp.status, "Charging");
    const deliveredA = engineA.snapshot().session!.metering.totalWh, deliveredB = engineB.snapshot().session!.metering.totalWh;
    assert.ok(deliveredA > 500 && deliveredB > 500, `both charge at the same time: A ${deliveredA} Wh, B ${deliveredB} Wh`);

    simA.unplug();
    simB.unplug();
    await run(5);
    const [sa, sb] = [hub.store.getSession(a0.id)!, hub.store.getSession(b0.id)!];
    assert.equal([sa.phase, sb.phase], ["ended", "ended"]);
    assert.equal([sa.chargePoint, sb.chargePoint], [null, "garage-2"], "the store names each session's charge point");
    const list = await (await fetch(`${hub.url}/api/v1/sessions`)).json() as { sessions: { id: string; chargePoint?: string }[] };
    assert.equal(list.sessions.map((x) => [x.id, x.chargePoint]).sort(), [[a0.id, undefined], [b0.id, "garage-2"]].sort());
    // Each session's intervals come from its own EUMD: they sum to what its own circuit delivered.
    const sum = (s: typeof sa) => s.intervals.reduce((x, i) => x + i.wh, 0);
    assert.is(sum(sa), sa.totalWh);
    assert.is(sum(sb), sb.totalWh);
    assert.ok(Math.abs(sb.totalWh - (simB.eumdWh() - bAtPlug)) <= 35, `B metered ${sb.totalWh} Wh from its charger's MeterValues; its circuit delivered ${simB.eumdWh() - bAtPlug} Wh`);
    assert.ok(sa.intervals.length >= 2 && sb.intervals.length >= 2, `intervals: A ${sa.intervals.length}, B ${sb.intervals.length}`);

    // FR-29: both final reports reach the head-end, each naming its charge point and the EUMD that metered it.
    await run(30);
    assert.is(hub.utilityLink!.outbox.stats().depth, 0, `the outbox drained (last error: ${hub.utilityLink!.worker.state().lastError ?? "none"})`);
    const rows = await t.utility.db.all<{ id: string; cp: string; eumd: string; wh: number }>("SELECT hub_session_id AS id, charge_point AS cp, eumd_id AS eumd, energy_wh AS wh FROM sessions WHERE revision = (SELECT MAX(revision) FROM sessions s2 WHERE s2.session_id = sessions.session_id) ORDER BY started_at");
    assert.equal(rows.map((r) => [r.id, r.cp, r.eumd, r.wh]), [
      [sa.id, "charger", `eastron-sdm120@127.0.0.1:${simA.ports.eumd}/${SIM_UNITS.eumd}`, sa.totalWh],
      [sb.id, "garage-2", `ocpp:${CP_B}#1`, sb.totalWh],
    ]);
  } finally {
    await h?.stop();
    await simA.close();
    await simB.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
