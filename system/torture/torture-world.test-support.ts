// The crash torture's world: the utility, the device simulator and the hub as real processes on one simulated
// timeline (OFFPEAK_SIM_CLOCK), the hub's key paired at the utility before it first starts. The test kills and
// restarts the hub (and the utility) at will; everything it asserts is read from the processes' own records: the
// simulator's register and log, the hub's SQLite store, the utility's database. Test glue only.
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportPrivateKeyPem, exportPublicKeyPem, generateEd25519KeyPair } from "../../cloud-sync/protocol/index.ts";
import { processClock, type Clock } from "../../core/time/index.ts";
import { freePort, json, spawnOffpeak, until, type ChildProcess } from "../testing/child-processes.test-support.ts";

export const HUB_ID = "HUB-TORTURE-1";
export const PREMISES_ID = "PREM-1001"; // the utility's demo seed pairs the hub to this premises
export const OPERATOR = "torture-operator-token-0123456789";

export interface SimStateView {
  evse: { state: string; enabled: boolean; plugCount: number; sessionWh: number };
  pev: { vin: string; plugged: boolean } | null;
  eumdWh: number;
}

export class TortureWorld {
  readonly dir = mkdtempSync(join(tmpdir(), "offpeak-torture-"));
  readonly clock: Clock;
  readonly spec: string;
  readonly ports = { utility: 0, sim: 0, simControl: 0, hub: 0, pevlink: 0 };
  utility: ChildProcess | null = null;
  sim!: ChildProcess;
  hub: ChildProcess | null = null;
  /** Every hub process's output, in order (a killed process's log is kept for failure messages). */
  readonly hubLogs: string[] = [];

  constructor(readonly o: { speed: number; anchorSimMs: number; pollMs: number }) {
    this.spec = `${o.speed},${Date.now()},${o.anchorSimMs}`;
    this.clock = processClock(this.spec);
  }

  get env(): Record<string, string> { return { OFFPEAK_SIM_CLOCK: this.spec }; }
  url(which: "utility" | "simControl"): string { return `http://127.0.0.1:${this.ports[which]}`; }
  get hubDb(): string { return join(this.dir, "hub", "hub.sqlite"); }
  get utilityDb(): string { return join(this.dir, "utility.db"); }

  async start(): Promise<void> {
    for (const k of Object.keys(this.ports) as (keyof TortureWorld["ports"])[]) this.ports[k] = await freePort();
    const pair = generateEd25519KeyPair();
    mkdirSync(join(this.dir, "hub"), { recursive: true });
    writeFileSync(join(this.dir, "hub", "hub-key.pem"), exportPrivateKeyPem(pair.privateKey), { mode: 0o600 });
    writeFileSync(join(this.dir, "hub-public.pem"), exportPublicKeyPem(pair.publicKey));
    this.sim = spawnOffpeak("sim", ["sim", "--port", String(this.ports.sim), "--http-port", String(this.ports.simControl), "--log-evse"], this.env);
    this.startUtility();
    await Promise.all([this.sim.waitFor(/control API on/), this.utility!.waitFor(/listening on/)]);
    const dev = (map: string, unit: number) => `driver = "modbus"\nmap = "${map}"\ntransport = { kind = "tcp", host = "127.0.0.1", port = ${this.ports.sim}, unit_id = ${unit} }\n`;
    writeFileSync(join(this.dir, "hub.toml"),
      `[hub]\nid = "${HUB_ID}"\nport = ${this.ports.hub}\ndata_dir = "${join(this.dir, "hub")}"\npoll_ms = ${this.o.pollMs}\n\n` +
      `[premises]\nid = "${PREMISES_ID}"\nutility_id = "UTIL-DEMO"\ndefault_tariff = "pge-e-tou-c"\n\n` +
      `[session]\ncomm_wait_s = 60\ninterval_s = 900\n\n[utility]\nurl = "${this.url("utility")}"\n\n[pevlink]\nport = ${this.ports.pevlink}\n\n` +
      `[devices.charger]\n${dev("offpeak-sim-evse", 1)}\n[devices.eumd]\n${dev("eastron-sdm120", 2)}\n[devices.premises_meter]\ndriver = "none"\n`);
  }

  /** The utility, with the demo program, the enrolled demo PEV and this hub paired; same port and database each time. */
  startUtility(): ChildProcess {
    this.utility = spawnOffpeak("utility", ["utility", "--port", String(this.ports.utility), "--db", this.utilityDb,
      "--operator-token", OPERATOR, "--seed-demo-hub", `${HUB_ID}=${join(this.dir, "hub-public.pem")}`], this.env);
    return this.utility;
  }

  async killUtility(): Promise<void> {
    const u = this.utility;
    this.utility = null;
    if (!u) return;
    u.proc.kill("SIGKILL");
    await u.proc.exited;
  }

  async startHub(): Promise<void> {
    this.hub = spawnOffpeak("hub", ["hub", "--config", join(this.dir, "hub.toml"), "--no-dashboard"], this.env);
    await this.hub.waitFor(/listening on/, 30_000);
  }

  async killHub(): Promise<void> {
    const h = this.hub;
    this.hub = null;
    if (!h) return;
    h.proc.kill("SIGKILL");
    await h.proc.exited;
    this.hubLogs.push(h.output());
  }

  async simState(): Promise<SimStateView> { return (await json<SimStateView>(`${this.url("simControl")}/state`)).body; }
  async plug(vin: string, socPct: number, maxPowerW: number): Promise<SimStateView> {
    const r = await json<SimStateView>(`${this.url("simControl")}/plug`, { body: { vin, socPct, batteryWh: 60_000, maxPowerW } });
    if (r.status !== 200) throw new Error(`sim refused the plug-in: ${JSON.stringify(r.body)}`);
    return r.body;
  }
  async unplug(): Promise<SimStateView> { return (await json<SimStateView>(`${this.url("simControl")}/unplug`, { body: {} })).body; }

  /** Reads the hub's store (a fresh connection each time: the hub may be killed and restarted in between). */
  hubQuery<T>(sql: string, ...params: (string | number)[]): T[] {
    if (!existsSync(this.hubDb)) return [];
    const db = new Database(this.hubDb);
    try {
      db.exec("PRAGMA busy_timeout = 5000");
      return db.query(sql).all(...params) as T[];
    } catch {
      return [];
    } finally {
      db.close();
    }
  }

  /** Waits (real time, bounded) until simulated time has moved on by `simMs`. */
  async forSim(simMs: number, what: string): Promise<void> {
    const target = this.clock.nowMs() + simMs;
    await until(`simulated time +${simMs / 1000} s (${what})`, () => (this.clock.nowMs() >= target ? true : undefined), simMs / this.o.speed + 20_000, 2);
  }

  async stop(): Promise<void> {
    await Promise.all([this.hub, this.sim, this.utility].filter((p): p is ChildProcess => p !== null).map((p) => p.stop()));
    if (process.env.OFFPEAK_TORTURE_KEEP) {
      writeFileSync(join(this.dir, "sim.log"), this.sim.output());
      writeFileSync(join(this.dir, "hub.log"), [...this.hubLogs, this.hub?.output() ?? ""].join("\n---- hub restarted ----\n"));
      console.log(`torture: kept ${this.dir}`);
    }
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
