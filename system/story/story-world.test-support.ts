// The story's world: the five real processes (clearinghouse, utilities UTIL-A and UTIL-B, the device simulator, the
// hub) on one simulated timeline, the simulated PEV's link in this process, and the AMI feed. Test glue only.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exportPrivateKeyPem, exportPublicKeyPem, generateEd25519KeyPair } from "../../cloud-sync/protocol/index.ts";
import { processClock, type Clock, type TimerHandle } from "../../core/time/index.ts";
import { intervalStart, type UtcSeconds } from "../../core/time/index.ts";
import { connectSimulatedPev, type SimulatedPevLink } from "../../drivers/pevlink/index.ts";
import { freePort, json, spawnOffpeak, until, type ChildProcess } from "../testing/child-processes.test-support.ts";

export const HUB_ID = "HUB-STORY-1";
export const OP_A = "story-operator-a-0123456789";
export const OP_B = "story-operator-b-0123456789";
export const CH_OP = "story-clearinghouse-operator-01";
export const TOKEN_A = "story-ch-token-a-0123456789";
export const TOKEN_B = "story-ch-token-b-0123456789";
export const PASSWORD = "story-owner-password";

export interface WorldOptions {
  speed: number; anchorSimMs: number; pollMs: number;
  /** How the hub drives the EVSE: the simulator's Modbus EVSE, or its OCPP 1.6J charge point (the EUMD stays Modbus). */
  charger?: "modbus" | "ocpp";
}

export const STORY_CHARGE_POINT = "STORY-CP-1";
const STORY_CP_PASSWORD = "story-charge-point-pass-01";

export interface SimState {
  evse: Record<string, unknown>;
  pev: { vin: string; socPct: number; batteryWh: number; plugged: boolean } | null;
  eumdWh: number;
  premisesWh: number;
}

export class StoryWorld {
  readonly dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  readonly clock: Clock;
  readonly spec: string;
  readonly ports = { ch: 0, a: 0, b: 0, sim: 0, simControl: 0, hub: 0, pevlink: 0, ocpp: 0 };
  ch!: ChildProcess;
  a!: ChildProcess;
  b!: ChildProcess;
  sim!: ChildProcess;
  hub!: ChildProcess;
  hubPublicKeyPem = "";
  setupCode = "";
  cookie = "";
  csrf = "";
  private link: SimulatedPevLink | null = null;
  private ami: AmiFeed | null = null;

  constructor(readonly o: WorldOptions) {
    this.spec = `${o.speed},${Date.now()},${o.anchorSimMs}`;
    this.clock = processClock(this.spec);
  }

  url(which: "ch" | "a" | "b" | "simControl" | "hub"): string { return `http://127.0.0.1:${this.ports[which]}`; }
  get env(): Record<string, string> { return { OFFPEAK_SIM_CLOCK: this.spec }; }

  /** Starts clearinghouse, both utilities and the simulator (in parallel); the hub comes later, after pairing. */
  async startServices(): Promise<void> {
    for (const k of Object.keys(this.ports) as (keyof StoryWorld["ports"])[]) this.ports[k] = await freePort();
    this.ch = spawnOffpeak("clearinghouse", ["clearinghouse", "--port", String(this.ports.ch), "--db", join(this.dir, "ch.db"), "--operator-token", CH_OP], this.env);
    this.startUtilityA();
    this.b = spawnOffpeak("utility B", ["utility", "--port", String(this.ports.b), "--db", join(this.dir, "b.db"), "--utility-id", "UTIL-B",
      "--operator-token", OP_B, "--clearinghouse", this.url("ch"), "--clearinghouse-token", TOKEN_B], this.env);
    const overOcpp = this.o.charger === "ocpp" ? ["--ocpp-url", `ws://127.0.0.1:${this.ports.ocpp}/ocpp/`, "--ocpp-id", STORY_CHARGE_POINT, "--ocpp-password-file", this.passwordFile()] : [];
    this.sim = spawnOffpeak("sim", ["sim", "--port", String(this.ports.sim), "--http-port", String(this.ports.simControl), ...overOcpp], this.env);
    await Promise.all([this.ch.waitFor(/listening on/), this.a.waitFor(/listening on/), this.b.waitFor(/listening on/), this.sim.waitFor(/control API on/)]);
  }

  /** UTIL-A, the home utility: same port and database every time (it is stopped and restarted in the story). */
  startUtilityA(): ChildProcess {
    this.a = spawnOffpeak("utility A", ["utility", "--port", String(this.ports.a), "--db", join(this.dir, "a.db"), "--utility-id", "UTIL-A",
      "--operator-token", OP_A, "--clearinghouse", this.url("ch"), "--clearinghouse-token", TOKEN_A], this.env);
    return this.a;
  }

  /** The hub's Ed25519 key, written where the hub looks for it, so it can be paired before the hub starts. */
  writeHubKey(): void {
    const pair = generateEd25519KeyPair();
    mkdirSync(join(this.dir, "hub"), { recursive: true });
    writeFileSync(join(this.dir, "hub", "hub-key.pem"), exportPrivateKeyPem(pair.privateKey), { mode: 0o600 });
    this.hubPublicKeyPem = exportPublicKeyPem(pair.publicKey);
  }

  /** The charge point's password, in a file as an installer would keep it (hub and simulated charger read the same one). */
  private passwordFile(): string {
    const f = join(this.dir, "charge-point.pass");
    writeFileSync(f, `${STORY_CP_PASSWORD}\n`, { mode: 0o600 });
    return f;
  }

  async startHub(): Promise<void> {
    const dev = (map: string, unit: number) => `driver = "modbus"\nmap = "${map}"\ntransport = { kind = "tcp", host = "127.0.0.1", port = ${this.ports.sim}, unit_id = ${unit} }\n`;
    const toml = `[hub]\nid = "${HUB_ID}"\nport = ${this.ports.hub}\ndata_dir = "${join(this.dir, "hub")}"\npoll_ms = ${this.o.pollMs}\n\n` +
      `[premises]\nid = "PREM-A1"\nutility_id = "UTIL-A"\ndefault_tariff = "pge-e-tou-c"\n\n` +
      `[session]\ncomm_wait_s = 60\ninterval_s = 900\n\n[utility]\nurl = "${this.url("a")}"\n\n[pevlink]\nport = ${this.ports.pevlink}\nid_only = false\n\n` +
      (this.o.charger === "ocpp"
        ? `[ocpp]\nhost = "127.0.0.1"\nport = ${this.ports.ocpp}\n\n[devices.charger]\ndriver = "ocpp"\ncharge_point_id = "${STORY_CHARGE_POINT}"\npassword_file = "${this.passwordFile()}"\n`
        : `[devices.charger]\n${dev("offpeak-sim-evse", 1)}`) + `\n[devices.eumd]\n${dev("eastron-sdm120", 2)}\n[devices.premises_meter]\n${dev("eastron-sdm630", 3)}`;
    writeFileSync(join(this.dir, "hub.toml"), toml);
    this.hub = spawnOffpeak("hub", ["hub", "--config", join(this.dir, "hub.toml")], this.env);
    this.setupCode = (await this.hub.waitFor(/one-time setup code:\s*([A-Za-z0-9-]+)/))[1]!;
    await this.hub.waitFor(/listening on/);
    // The simulated charger keeps trying to reach its backend; the story starts once it has booted and been set up.
    if (this.o.charger === "ocpp") await this.hub.waitFor(/ocpp \S+: BootNotification from .*: accepted/);
  }

  /** The dashboard's first-run setup with the logged one-time code; keeps the session cookie and CSRF token. */
  async loginOwner(): Promise<void> {
    const r = await fetch(`${this.url("hub")}/api/v1/auth/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: this.setupCode, password: PASSWORD }) });
    if (r.status !== 200) throw new Error(`dashboard setup refused: ${r.status} ${await r.text()}`);
    this.csrf = ((await r.json()) as { csrf: string }).csrf;
    this.cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
  }

  hubGet<T = Record<string, unknown>>(path: string) { return json<T>(`${this.url("hub")}${path}`, { headers: { cookie: this.cookie } }); }
  opA<T = Record<string, unknown>>(method: string, path: string, body?: unknown) { return json<T>(`${this.url("a")}${path}`, { method, body, headers: { authorization: `Bearer ${OP_A}` } }); }
  opB<T = Record<string, unknown>>(method: string, path: string, body?: unknown) { return json<T>(`${this.url("b")}${path}`, { method, body, headers: { authorization: `Bearer ${OP_B}` } }); }
  async simState(): Promise<SimState> { return (await json<SimState>(`${this.url("simControl")}/state`)).body; }

  /** Plugs a vehicle in at the simulator, waits for the hub's On-Plug, then opens the PEV link (FR-06 order). */
  async plug(vin: string, secretHex?: string): Promise<{ link: SimulatedPevLink; phaseAtPlug: string }> {
    const r = await json(`${this.url("simControl")}/plug`, { body: { vin, socPct: 20, ...(secretHex ? { secretHex } : {}) } });
    if (r.status !== 200) throw new Error(`sim refused the plug-in: ${JSON.stringify(r.body)}`);
    const phaseAtPlug = await until(`the hub to see ${vin} plugged in`, async () => {
      const s = (await this.hubGet<{ session: { phase: string } | null }>("/api/v1/status")).body;
      return s.session ? s.session.phase : undefined;
    });
    this.link = await connectSimulatedPev({ host: "127.0.0.1", port: this.ports.pevlink, vin, clock: this.clock, ...(secretHex ? { secretHex } : {}), timeoutMs: 10_000 });
    return { link: this.link, phaseAtPlug };
  }

  /** Unplugs, closes the link, and waits until the hub has ended the session; returns the session ID. */
  async unplug(): Promise<string> {
    const id = (await this.hubGet<{ session: { id: string } | null }>("/api/v1/status")).body.session?.id;
    await json(`${this.url("simControl")}/unplug`, { body: {} });
    await this.link?.close().catch(() => {});
    this.link = null;
    if (!id) throw new Error("unplug: the hub had no session");
    await until(`the hub to end session ${id}`, async () => {
      const s = (await this.hubGet<{ session: { id: string } | null }>("/api/v1/status")).body;
      return s.session?.id === id ? undefined : true;
    });
    return id;
  }

  /** Waits until simulated time reaches `simMs`. */
  async untilSim(simMs: number, what: string): Promise<void> {
    const realMs = Math.max(0, (simMs - this.clock.nowMs()) / this.o.speed) + 10_000;
    await until(`simulated time ${new Date(simMs).toISOString()} (${what})`, () => (this.clock.nowMs() >= simMs ? true : undefined), realMs, 20);
  }

  startAmiFeed(): void {
    this.ami = new AmiFeed(this, "PREM-A1", 900);
    this.ami.start();
  }

  async stop(): Promise<void> {
    this.ami?.stop();
    if (process.env.OFFPEAK_STORY_LOGS) for (const p of [this.hub, this.sim, this.a, this.b, this.ch]) if (p) writeFileSync(join(process.env.OFFPEAK_STORY_LOGS, `${p.name.replace(/ /g, "-")}.log`), p.output());
    await this.link?.close().catch(() => {});
    await Promise.all([this.hub, this.sim, this.a, this.b, this.ch].filter(Boolean).map((p) => p.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The utility's own AMI network for PREM-A1: at every interval boundary of the shared timeline it reads the
 * simulator's premises meter over HTTP and posts the interval's Wh to UTIL-A's AMI intake (FR-15 load correlation).
 * Async reads (unlike system/demo/ami-feed.ts's synchronous readWh) keep the boundary reading within a round trip.
 */
class AmiFeed {
  private timer: TimerHandle | null = null;
  private last: { start: number; wh: number } | null = null;
  private pending: { start: number; lengthS: number; wh: number; quality: "ok" }[] = [];

  constructor(private readonly w: StoryWorld, private readonly premisesId: string, private readonly intervalS: number) {}

  start(): void { this.schedule(); }

  private schedule(): void {
    const nowMs = this.w.clock.nowMs();
    const next = (intervalStart(Math.floor(nowMs / 1000) as UtcSeconds, this.intervalS) + this.intervalS) * 1000;
    this.timer = this.w.clock.setTimeout(() => void this.tick(), next - nowMs);
  }

  private async tick(): Promise<void> {
    try {
      const wh = Math.floor((await this.w.simState()).premisesWh);
      const start = intervalStart(this.w.clock.now(), this.intervalS);
      // The first boundary only starts the count: a part-interval would understate the premises' energy.
      if (this.last && start > this.last.start) this.pending.push({ start: this.last.start, lengthS: this.intervalS, wh: Math.max(0, wh - this.last.wh), quality: "ok" });
      this.last = { start, wh };
      if (this.pending.length) {
        const r = await json(`${this.w.url("a")}/v1/ami/intervals`, {
          body: { v: 1, utilityId: "UTIL-A", premisesId: this.premisesId, meterId: `AMI-${this.premisesId}`, source: "ami", intervals: this.pending },
          headers: { authorization: `Bearer ${OP_A}` },
        });
        if (r.status < 300) this.pending = [];
      }
    } catch {
      // UTIL-A may be down (the story stops it); the intervals are resent with the next boundary.
    }
    this.schedule();
  }

  stop(): void { if (this.timer) this.w.clock.clearTimeout(this.timer); }
}
