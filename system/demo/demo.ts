// `offpeak demo` / `npm start`: the whole use case on one machine, on loopback, with embedded defaults —
// clearinghouse, utility head-end (seeded with a demo customer, premises, program and enrolled PEV), the device
// simulator on Modbus TCP, the hub with its dashboard, and the utility's AMI feed from the simulated premises meter.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { Clock } from "../../core/time/index.ts";
import { demoClock, saveDemoClock } from "./demo-clock.ts";
import { startClearinghouse, type RunningClearinghouse } from "../../cloud-sync/clearinghouse/index.ts";
import { seedDemo, startUtility, type DemoSeed, type RunningUtility } from "../../cloud-sync/utility/index.ts";
import { simControlApp, startSimulator, type Simulator } from "../../drivers/sim/index.ts";
import { parseConfig } from "../../edge/config/index.ts";
import { startHubProcess, type RunningHubProcess } from "../../edge/hub/index.ts";
import { AmiFeed } from "./ami-feed.ts";
import { SimPevLink } from "./sim-pev-link.ts";

export interface DemoPorts { hub: number; utility: number; clearinghouse: number; sim: number; simControl: number; pevlink: number; ocpp?: number }
export const DEFAULT_DEMO_PORTS: Required<DemoPorts> = { hub: 8080, utility: 8081, clearinghouse: 8082, sim: 1502, simControl: 1503, pevlink: 8090, ocpp: 8887 };

/** The demo's simulated OCPP charge point (`--charger ocpp`). */
export const DEMO_CHARGE_POINT_ID = "SIM-CP-1";

export interface DemoOptions {
  dataDir: string;
  speed: number;
  ports: DemoPorts;
  /** Start from empty databases. */
  fresh?: boolean;
  /** Plug the demo vehicle in a few seconds after start, and run an evening-to-morning cycle. */
  autoPlug?: boolean;
  log?: (line: string) => void;
  clock?: Clock;
  /**
   * How the hub drives the EVSE: the simulator's Modbus EVSE (default), or an OCPP 1.6J charge point connecting to the
   * hub's central system, its meter the EUMD, on the same simulated world and timeline.
   */
  charger?: "modbus" | "ocpp";
}

export interface RunningDemo {
  clock: Clock;
  utility: RunningUtility;
  clearinghouse: RunningClearinghouse;
  sim: Simulator;
  hub: RunningHubProcess;
  seed: DemoSeed;
  simControlUrl: string;
  stop(): Promise<void>;
}

export const DEMO_UTILITY_ID = "UTIL-DEMO";
export const DEMO_HUB_ID = "HUB-DEMO-1";

/** Binds a server, turning "address in use" into an error that names the service and the option to change. */
async function bind<T>(what: string, port: number, flag: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    const m = (e as Error).message;
    if (/EADDRINUSE|in use|address already/i.test(m)) throw new Error(`${what}: port ${port} on 127.0.0.1 is already in use; stop the other program or pass ${flag}`);
    throw e;
  }
}

export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const log = o.log ?? ((l: string) => console.log(l));
  if (o.fresh) rmSync(o.dataDir, { recursive: true, force: true });
  mkdirSync(o.dataDir, { recursive: true });
  const clock = o.clock ?? demoClock(o.dataDir, o.speed);
  const operatorToken = `demo-operator-${randomBytes(12).toString("hex")}`;
  const chToken = `demo-clearinghouse-${randomBytes(12).toString("hex")}`;
  const p = o.ports;
  const stops: (() => Promise<unknown> | unknown)[] = [];
  const stopAll = async () => { for (const s of stops.reverse()) await Promise.resolve().then(s).catch(() => {}); };
  try {
    const clearinghouse = await bind("clearinghouse", p.clearinghouse, "--clearinghouse-port", () =>
      startClearinghouse({ port: p.clearinghouse, dbPath: join(o.dataDir, "clearinghouse.sqlite"), operatorToken, clock }));
    stops.push(() => clearinghouse.close());
    const keepTime = setInterval(() => saveDemoClock(o.dataDir, clock), 2000);
    stops.push(() => { clearInterval(keepTime); saveDemoClock(o.dataDir, clock); });
    const utility = await bind("utility", p.utility, "--utility-port", () => startUtility({
      port: p.utility, dbPath: join(o.dataDir, "utility.sqlite"), utilityId: DEMO_UTILITY_ID, operatorToken,
      clearinghouseUrl: clearinghouse.url, clearinghouseToken: chToken, clock,
    }));
    stops.push(() => utility.close());
    const reg = await fetch(`${clearinghouse.url}/v1/utilities`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${operatorToken}` },
      body: JSON.stringify({ utilityId: DEMO_UTILITY_ID, baseUrl: utility.url, token: chToken, publicKeyPem: utility.publicKeyPem }),
    });
    if (!reg.ok) throw new Error(`demo: the clearinghouse refused the utility's registration: ${reg.status} ${await reg.text()}`);

    const sim = await bind("simulator", p.sim, "--sim-port", () => startSimulator({ clock, evsePort: p.sim, eumdPort: p.sim, premisesPort: p.sim }));
    stops.push(() => sim.close());
    const control = await bind("simulator control API", p.simControl, "--sim-control-port", async () => Bun.serve({ hostname: "127.0.0.1", port: p.simControl, fetch: simControlApp(sim).fetch }));
    stops.push(() => control.stop(true));

    const overOcpp = o.charger === "ocpp";
    // A fresh password per run: the simulated charge point is told it directly, as an installer would type it.
    const ocppPassword = `demo-${randomBytes(12).toString("hex")}`;
    const chargerDevices = overOcpp
      ? {
        charger: { driver: "ocpp", charge_point_id: DEMO_CHARGE_POINT_ID, security_profile: 1, password: ocppPassword, meter_is_eumd: true },
        eumd: { driver: "none" },
      }
      : {
        charger: { driver: "modbus", map: "offpeak-sim-evse", transport: { kind: "tcp", host: "127.0.0.1", port: sim.ports.evse, unit_id: 1 } },
        eumd: { driver: "modbus", map: "eastron-sdm120", transport: { kind: "tcp", host: "127.0.0.1", port: sim.ports.eumd, unit_id: 2 } },
      };
    const config = parseConfig({
      hub: { id: DEMO_HUB_ID, port: p.hub, data_dir: join(o.dataDir, "hub"), speed: o.speed },
      premises: { id: "PREM-1001", utility_id: DEMO_UTILITY_ID, default_tariff: "pge-e-tou-c" },
      utility: { url: utility.url },
      // The simulated vehicle always opens a secure link; at high --speed an ID-only stand-in could otherwise win the race.
      pevlink: { port: p.pevlink, id_only: false },
      ...(overOcpp ? { ocpp: { host: "127.0.0.1", port: p.ocpp ?? DEFAULT_DEMO_PORTS.ocpp } } : {}),
      devices: {
        ...chargerDevices,
        premises_meter: { driver: "modbus", map: "eastron-sdm630", transport: { kind: "tcp", host: "127.0.0.1", port: sim.ports.premises, unit_id: 3 } },
      },
    }, "demo defaults");
    const hubKey = (await import("../../edge/hub/index.ts")).loadOrCreateHubKey(config.hub.data_dir);
    const seed = await seedDemo(utility, { hubId: DEMO_HUB_ID, hubPublicKeyPem: hubKey.publicKeyPem, premisesId: config.premises.id });
    const hub = await bind("hub", p.hub, "--hub-port", () => startHubProcess(config, { sync: true, dashboard: true, clock, log }).catch((e: Error) => {
      // The hub names its own [ocpp] key; the demo's user sets it with an option.
      if (overOcpp && e.message.startsWith("ocpp: port ")) throw new Error(`hub's OCPP central system: port ${p.ocpp ?? DEFAULT_DEMO_PORTS.ocpp} on 127.0.0.1 is taken by another program; stop it or pass --ocpp-port`);
      throw e;
    }));
    stops.push(() => hub.stop());
    if (overOcpp) {
      // The simulator's EVSE becomes a charge point that connects to the hub like a real one (after the hub is up).
      sim.startOcppChargePoint({ url: hub.ocpp!.url, id: DEMO_CHARGE_POINT_ID, password: ocppPassword, clock, log });
    }
    const pevLink = new SimPevLink(sim, { host: "127.0.0.1", port: hub.pevLinkPort! }, clock, log, join(o.dataDir, "sim-pev-secrets.json"));
    stops.push(() => pevLink.disconnect());
    const ami = new AmiFeed({ clock, readWh: () => sim.premisesWh(), utilityUrl: utility.url, operatorToken, utilityId: DEMO_UTILITY_ID, premisesId: config.premises.id, intervalS: config.session.interval_s, log });
    ami.start();
    stops.push(() => ami.stop());

    if (o.autoPlug) {
      // An evening plug-in: the car arrives, binds (S1 the first time, S2 after), charges, leaves, returns.
      const cycle = () => {
        sim.plug({ vin: seed.vin, socPct: 30 });
        clock.setTimeout(() => { sim.unplug(); clock.setTimeout(cycle, 3600_000); }, 6 * 3600_000);
      };
      // Plug in only once the hub has seen the empty charge point: a session resumed from a previous run must end
      // (unplug) before the next one starts, as it would at a real charge point.
      let waiting: ReturnType<typeof setTimeout> | null = null;
      const whenEmpty = () => { waiting = hub.hub.snapshot().evse === "A" ? (clock.setTimeout(cycle, 5_000), null) : setTimeout(whenEmpty, 100); };
      whenEmpty();
      stops.push(() => { if (waiting) clearTimeout(waiting); });
    }
    return { clock, utility, clearinghouse, sim, hub, seed, simControlUrl: `http://127.0.0.1:${control.port}`, stop: stopAll };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
