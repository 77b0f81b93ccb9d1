// Test support for edge/mqtt: the shared Mosquitto (127.0.0.1:1883), a private Mosquitto a test may kill and restart,
// a broker that accepts connections and never answers, and a subscriber that watches topics as Home Assistant would.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";

export const SHARED_BROKER = { host: "127.0.0.1", port: 1883 };

function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s: Socket = tcpConnect({ host, port });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
  });
}

/**
 * True when the shared broker answers. Otherwise prints one line and returns false so the suite registers no tests —
 * except under CI=true, where a missing broker is a failure (CI starts one).
 */
export async function sharedBrokerOrSkip(suite: string): Promise<boolean> {
  if (await answers(SHARED_BROKER.host, SHARED_BROKER.port)) return true;
  const msg = `${suite}: no MQTT broker answers on ${SHARED_BROKER.host}:${SHARED_BROKER.port}`;
  if (process.env.CI === "true") throw new Error(`${msg}; CI must start one (mosquitto -d)`);
  console.log(`${msg}; suite skipped (start one: mosquitto -d)`);
  return false;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A Mosquitto of the test's own on a free port (no persistence: a restart loses every retained message). */
export class PrivateBroker {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), "offpeak-mosquitto-"));
  private constructor(readonly port: number) {
    writeFileSync(join(this.dir, "mosquitto.conf"), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  }
  get url(): string { return `mqtt://127.0.0.1:${this.port}`; }

  static async start(): Promise<PrivateBroker> {
    const b = new PrivateBroker(await freePort());
    await b.up();
    return b;
  }

  async up(): Promise<void> {
    this.proc = spawn("mosquitto", ["-c", join(this.dir, "mosquitto.conf")], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      if (await answers("127.0.0.1", this.port, 200)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto did not start on port ${this.port}`);
  }

  async down(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
    this.proc = null;
  }

  async close(): Promise<void> { await this.down(); rmSync(this.dir, { recursive: true, force: true }); }
}

/** A TCP listener that accepts MQTT connections and never answers: no CONNACK, ever. */
export class SilentBroker {
  private readonly sockets = new Set<Socket>();
  accepted = 0;
  private constructor(private readonly server: Server, readonly port: number) {}
  get url(): string { return `mqtt://127.0.0.1:${this.port}`; }
  static async start(): Promise<SilentBroker> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const b = new SilentBroker(server, (server.address() as { port: number }).port);
    server.on("connection", (s) => { b.accepted++; b.sockets.add(s); s.on("error", () => {}); s.on("close", () => b.sockets.delete(s)); });
    return b;
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export interface Seen { topic: string; payload: string; retain: boolean }

/** Subscribes as Home Assistant would and keeps every message; waitFor resolves on the first one that matches. */
export class Watcher {
  readonly messages: Seen[] = [];
  private waiters: { topic: string; pred: (p: string, m: Seen) => boolean; resolve: (m: Seen) => void }[] = [];
  private constructor(readonly client: MqttClient) {
    client.on("message", (topic, payload, packet) => {
      const m = { topic, payload: payload.toString(), retain: packet.retain };
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.topic === topic && w.pred(m.payload, m) ? (w.resolve(m), false) : true));
    });
  }
  static async connect(url: string, topics: string[]): Promise<Watcher> {
    const client = await mqtt.connectAsync(url, { clientId: `watcher-${process.pid}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 200 });
    const w = new Watcher(client);
    await client.subscribeAsync(topics, { qos: 1 });
    return w;
  }
  /** The newest message seen on `topic`. */
  last(topic: string): Seen | undefined { for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.topic === topic) return this.messages[i]; return undefined; }
  json<T = Record<string, unknown>>(topic: string): T {
    const m = this.last(topic);
    if (!m) throw new Error(`nothing seen on ${topic}`);
    return JSON.parse(m.payload) as T;
  }
  /** Waits for a message on `topic` (already seen ones count) matching `pred`; fails with what was last seen. */
  waitFor(topic: string, pred: (payload: string, m: Seen) => boolean = () => true, timeoutMs = 15_000, since = 0): Promise<Seen> {
    for (let i = since; i < this.messages.length; i++) {
      const m = this.messages[i]!;
      if (m.topic === topic && pred(m.payload, m)) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message on ${topic}; last: ${this.last(topic)?.payload ?? "(none)"}`)), timeoutMs);
      this.waiters.push({ topic, pred, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }
  waitForJson<T = Record<string, unknown>>(topic: string, pred: (v: T) => boolean, timeoutMs?: number, since?: number): Promise<T> {
    return this.waitFor(topic, (p) => { try { return p !== "" && pred(JSON.parse(p) as T); } catch { return false; } }, timeoutMs, since).then((m) => JSON.parse(m.payload) as T);
  }
  async publish(topic: string, payload: string): Promise<void> { await this.client.publishAsync(topic, payload, { qos: 1 }); }
  async close(): Promise<void> { await this.client.endAsync(true); }
}
