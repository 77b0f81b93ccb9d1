// The hub as the home's automation sees it: retained JSON state under the base topic, Home Assistant discovery, an
// availability topic the broker turns to `offline` when the hub vanishes (last will), and — only with
// [mqtt] commands = true — the owner's commands. It listens to the same hub changes the dashboard's live events do.
//
// It never holds the hub up: the hub's change listener only marks state dirty; views are built on a later turn of the
// event loop and handed to a bounded queue (publish-queue.ts). A broker that is slow, gone or silent costs a few
// pending messages; charging and metering go on. The mqtt package is loaded here, and this file is loaded only when
// [mqtt] is configured (hub-process.ts), so a hub without MQTT pays nothing for it.
import { readFileSync } from "node:fs";
import type { IClientOptions, MqttClient } from "mqtt";
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import type { MqttConfig } from "../config/schema.ts";
import type { DashboardContext } from "../http/dashboard/dashboard-views.ts";
import { SessionPricing } from "../http/dashboard/tariff-lookup.ts";
import type { Hub, HubChange } from "../hub/hub.ts";
import { OwnerRequestError } from "../hub/owner-requests.ts";
import type { HubTariffs } from "../hub/session-tariff.ts";
import type { HubStore } from "../store/hub-store.ts";
import { applyCommand } from "./commands.ts";
import { discoveryPayload } from "./discovery.ts";
import { PublishQueue } from "./publish-queue.ts";
import { chargePointStates, stateViews } from "./state-views.ts";
import { CHARGE_POINT_STATE_TOPICS, COMMAND_TOPICS, type CommandTopic, STATE_TOPICS, type StateTopic, type Topics, topicsFor } from "./topics.ts";

export interface MqttViewOptions {
  config: MqttConfig;
  hubId: string;
  hub: Hub;
  store: HubStore;
  clock: Clock;
  timeZone: string;
  /** The tariffs the hub prices with (edge/hub premisesTariffs), as the dashboard gets them. */
  tariffs: HubTariffs;
  log?: (line: string) => void;
  /** The dashboard's LAN address, for Home Assistant's device page link (null when it listens on loopback only). */
  dashboardUrl?: string | null;
  /** Every charge point's engine on a hub with several ([devices.charger]'s first; a live list). Absent: `hub` alone. */
  hubs?: readonly Hub[];
  /** Reconnect backoff, real milliseconds: doubles from min to max while the broker stays away. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** How long one connection attempt may take before it is abandoned (a broker that accepts and says nothing). */
  connectTimeoutMs?: number;
}

/** Power and energy move with every meter reading; they go out at most this often (real time). */
export const READING_PUBLISH_MIN_MS = 1000;
const QOS1 = { qos: 1, retain: true } as const;

/** The hub's version for HA's device page: package.json beside the sources (a compiled binary has none: "unknown"). */
const SOFTWARE_VERSION = (() => {
  try { return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version; } catch { return "unknown"; }
})();

async function loadMqtt(): Promise<typeof import("mqtt")> { return import("mqtt"); }

function clientOptions(o: MqttViewOptions, t: Topics, extra: Partial<IClientOptions> = {}): IClientOptions {
  const c = o.config;
  return {
    clientId: c.client_id ?? `offpeak-${o.hubId}`.slice(0, 64),
    ...(c.username !== undefined ? { username: c.username } : {}),
    ...(c.password !== undefined ? { password: c.password } : {}),
    ...(c.ca_file ? { ca: readFileSync(c.ca_file), rejectUnauthorized: true } : {}),
    clean: true,
    resubscribe: false,
    queueQoSZero: false,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    reconnectPeriod: o.reconnectMinMs ?? 1000,
    will: { topic: t.availability, payload: Buffer.from("offline"), qos: 1, retain: true },
    ...extra,
  };
}

export class MqttView {
  readonly topics: Topics;
  private client!: MqttClient;
  private queue!: PublishQueue;
  private readonly log: (l: string) => void;
  private readonly ctx: DashboardContext;
  private lastReading: { powerW: number; at: number } | null = null;
  private readonly sent = new Map<string, string>();
  /** Further charge points whose engines this view listens to. */
  private readonly watched = new Map<Hub, () => void>();
  private discoverySent: string | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private lastReadingFlushMs = -Infinity;
  private countdown: TimerHandle | null = null;
  private storedLifetimeWh: number | null = null;
  private lifetimeWh = 0;
  private commands: Promise<void> = Promise.resolve();
  private pendingCommands = 0;
  private offHub: (() => void) | null = null;
  private stopped = false;
  private wasConnected = false;
  private errorSeq = 0;

  private constructor(private readonly o: MqttViewOptions) {
    this.topics = topicsFor(o.config, o.hubId);
    this.log = o.log ?? ((l) => console.log(l));
    this.ctx = { hub: o.hub, store: o.store, timeZone: o.timeZone, pricing: new SessionPricing(o.tariffs, this.log), lastReading: () => this.lastReading };
  }

  /** Connects in the background and returns at once: the hub starts whether or not a broker answers. */
  static async start(o: MqttViewOptions): Promise<MqttView> {
    const v = new MqttView(o);
    const mqtt = await loadMqtt();
    v.client = mqtt.connect(o.config.url, clientOptions(o, v.topics));
    v.queue = new PublishQueue(v.client, 64, 8, (e) => v.log(`mqtt: publish failed: ${e.message}`));
    v.wire();
    v.offHub = o.hub.onChange((ch) => v.onHubChange(ch));
    v.scheduleFlush(0);
    return v;
  }

  get connected(): boolean { return this.client.connected; }
  get stats(): { dropped: number; published: number; pending: number } { return { dropped: this.queue.dropped, published: this.queue.published, pending: this.queue.size }; }

  private wire(): void {
    const c = this.client;
    const min = this.o.reconnectMinMs ?? 1000;
    const max = this.o.reconnectMaxMs ?? 60_000;
    c.on("connect", () => {
      c.options.reconnectPeriod = min;
      this.log(`mqtt: connected to ${this.o.config.url}${this.wasConnected ? " again" : ""}; publishing under ${this.topics.base}`);
      this.wasConnected = true;
      const subs = [this.topics.haStatus, ...(this.o.config.commands ? COMMAND_TOPICS.map((t) => this.topics.command(t)) : [])];
      c.subscribe(subs, { qos: 1 }, (err) => { if (err) this.log(`mqtt: subscribe failed: ${err.message}`); });
      // `online` goes first, ahead of anything queued while the broker was away (it replaces the last will's `offline`).
      c.publish(this.topics.availability, "online", QOS1, (err) => { if (err) this.log(`mqtt: could not announce online: ${err.message}`); });
      this.queue.connected();
      // The broker may have lost its retained messages (restarted without persistence): send everything again.
      this.republishAll();
    });
    c.on("reconnect", () => {
      // Back off while the broker stays away, so a dead broker is not hammered (reset on the next connect).
      c.options.reconnectPeriod = Math.min(max, Math.max(min, (c.options.reconnectPeriod ?? min) * 2));
    });
    c.on("close", () => { if (this.wasConnected && !this.stopped) this.log("mqtt: connection to the broker lost; the hub keeps charging and metering, state is re-sent on reconnect"); });
    c.on("error", (e) => this.log(`mqtt: ${e.message}`));
    c.on("message", (topic, payload) => this.onMessage(topic, payload));
  }

  private republishAll(): void {
    this.sent.clear();
    this.discoverySent = null;
    this.flush(true);
  }

  private onMessage(topic: string, payload: Buffer): void {
    if (topic === this.topics.haStatus) {
      if (payload.toString() === "online") {
        this.log("mqtt: Home Assistant came online; re-publishing discovery and state");
        this.republishAll();
      }
      return;
    }
    const cmd = COMMAND_TOPICS.find((t) => this.topics.command(t) === topic);
    if (!cmd || !this.o.config.commands) return;
    // One at a time, in arrival order; a flood is refused rather than queued without bound.
    if (this.pendingCommands >= 16) return this.reportError(cmd, new OwnerRequestError("too many commands at once; this one was dropped", cmd));
    this.pendingCommands++;
    const raw = new Uint8Array(payload);
    this.commands = this.commands.then(async () => {
      try {
        const done = await applyCommand({ hub: this.o.hub, store: this.o.store, clock: this.o.clock, timeZone: this.o.timeZone }, cmd, raw);
        this.log(`mqtt: command ${cmd}: ${done}`);
      } catch (e) {
        this.reportError(cmd, e);
      } finally {
        this.pendingCommands--;
        this.scheduleFlush(0);
      }
    });
  }

  private reportError(cmd: CommandTopic, e: unknown): void {
    const refused = e instanceof OwnerRequestError && e.refused;
    const message = (e as Error).message ?? String(e);
    this.log(`mqtt: command ${cmd} ${refused ? "refused" : "rejected"}: ${message}`);
    const body = { command: cmd, topic: this.topics.command(cmd), error: message, refused, at: new Date(this.o.clock.nowMs()).toISOString() };
    this.queue.offer(`error#${++this.errorSeq}`, this.topics.error, JSON.stringify(body), { qos: 1, retain: false });
  }

  private onHubChange(ch: HubChange): void {
    if (this.stopped) return;
    if (ch.kind === "step") {
      this.storedLifetimeWh = null; // a session row may have changed: re-read the sum
      this.scheduleFlush(0);
    } else if (ch.device === "eumd") {
      this.lastReading = { powerW: ch.powerW, at: ch.at };
      const since = performance.now() - this.lastReadingFlushMs;
      this.scheduleFlush(since >= READING_PUBLISH_MIN_MS ? 0 : READING_PUBLISH_MIN_MS - since);
    }
  }

  /** Views are built on a later turn of the event loop, never inside the hub's step. */
  private scheduleFlush(delayMs: number): void {
    if (this.stopped) return;
    if (this.flushTimer !== null) {
      if (delayMs > 0) return; // one is already due no later than a throttled one would be
      clearTimeout(this.flushTimer);
    }
    this.flushTimer = setTimeout(() => { this.flushTimer = null; this.flush(false); }, delayMs);
  }

  /** Charging energy over the hub's life: every stored session's total, the live one from the engine. */
  private lifetime(): number {
    const s = this.o.hub.snapshot().session;
    if (this.storedLifetimeWh === null) {
      const row = this.o.store.db.query("SELECT COALESCE(SUM(total_wh), 0) AS wh FROM sessions WHERE seq != ?").get(s?.seq ?? -1) as { wh: number };
      this.storedLifetimeWh = row.wh;
    }
    // Only ever increasing, as HA's total_increasing wants: a reading can never take it back.
    this.lifetimeWh = Math.max(this.lifetimeWh, this.storedLifetimeWh + (s && s.phase !== "ended" ? s.metering.totalWh : 0));
    return this.lifetimeWh;
  }

  /** The further charge points ([[charge_points]] and ones accepted while running): listen to each engine once. */
  private others(): Hub[] {
    const list = (this.o.hubs ?? []).filter((h) => h !== this.o.hub && h.chargePointId !== null);
    for (const h of list) if (!this.watched.has(h)) this.watched.set(h, h.onChange((ch) => { if (ch.kind === "step") this.onHubChange(ch); }));
    return list;
  }

  private flush(force: boolean): void {
    if (this.stopped) return;
    const others = this.others();
    this.lastReadingFlushMs = performance.now();
    const now = this.o.clock.now();
    let views: Record<StateTopic, unknown>;
    try {
      views = stateViews({ ctx: this.ctx, now, lifetimeWh: this.lifetime() });
    } catch (e) {
      this.log(`mqtt: could not build the state views: ${(e as Error).message}`);
      return;
    }
    this.publishDiscovery(force, others.map((h) => h.chargePointId!));
    const offer = (key: string, topic: string, json: string) => {
      if (!force && this.sent.get(key) === json) return;
      this.sent.set(key, json);
      this.queue.offer(key, topic, json, QOS1);
    };
    for (const t of STATE_TOPICS) offer(t, this.topics.state(t), JSON.stringify(views[t]));
    for (const h of others) {
      const id = h.chargePointId!;
      const cp = chargePointStates(h.snapshot(), now);
      for (const t of CHARGE_POINT_STATE_TOPICS) offer(`cp:${id}:${t}`, this.topics.chargePointState(id, t), JSON.stringify(cp[t]));
    }
    this.keepCountingDown();
  }

  private publishDiscovery(force: boolean, chargePoints: string[]): void {
    const dr = this.o.hub.snapshot().dr;
    const optOut = dr && dr.optOutAllowed && !dr.optedOut ? dr.id : null;
    const json = JSON.stringify(discoveryPayload({ topics: this.topics, softwareVersion: SOFTWARE_VERSION, commands: this.o.config.commands, drOptOutId: optOut, dashboardUrl: this.o.dashboardUrl ?? null, chargePoints }));
    if (!force && json === this.discoverySent) return;
    this.discoverySent = json;
    this.queue.offer("discovery", this.topics.discovery, json, QOS1);
  }

  /** While the comm-wait window runs, its countdown is re-published each second of hub time. */
  private keepCountingDown(): void {
    if (this.countdown !== null || ![this.o.hub, ...this.watched.keys()].some((h) => h.snapshot().session?.phase === "awaiting-binding")) return;
    this.countdown = this.o.clock.setTimeout(() => { this.countdown = null; this.scheduleFlush(0); }, 1000);
  }

  /** Orderly shutdown: `offline` on the availability topic (the last will covers a crash), then disconnect. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.offHub?.();
    for (const off of this.watched.values()) off();
    if (this.client.connected) {
      await Promise.race([this.client.publishAsync(this.topics.availability, "offline", QOS1).catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
    }
    this.halt();
    await this.client.endAsync(true).catch(() => {});
  }

  private halt(): void {
    this.stopped = true;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.countdown !== null) this.o.clock.clearTimeout(this.countdown);
    this.flushTimer = null;
    this.countdown = null;
  }
}

/**
 * The owner turned MQTT off ([mqtt] enabled = false): connect once, clear the retained discovery config (HA removes the
 * device and its entities) and every retained state and availability message, then disconnect. Resolves false when
 * the broker could not be reached within `timeoutMs`.
 */
export async function removeFromBroker(o: Pick<MqttViewOptions, "config" | "hubId" | "log" | "connectTimeoutMs"> & { chargePoints?: readonly string[] }, timeoutMs = 10_000): Promise<boolean> {
  const mqtt = await loadMqtt();
  const topics = topicsFor(o.config, o.hubId);
  const opts = clientOptions({ ...o, connectTimeoutMs: o.connectTimeoutMs ?? timeoutMs } as MqttViewOptions, topics, { reconnectPeriod: 0, will: undefined });
  const log = o.log ?? ((l: string) => console.log(l));
  let client: MqttClient | null = null;
  try {
    client = await Promise.race([
      mqtt.connectAsync(o.config.url, opts),
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
    ]);
    const empty = { qos: 1, retain: true } as const;
    const further = (o.chargePoints ?? []).flatMap((id) => CHARGE_POINT_STATE_TOPICS.map((t) => topics.chargePointState(id, t)));
    await Promise.all([topics.discovery, topics.availability, ...STATE_TOPICS.map((t) => topics.state(t)), ...further].map((t) => client!.publishAsync(t, "", empty)));
    log(`mqtt: turned off; removed the Home Assistant device and the retained state under ${topics.base}`);
    return true;
  } catch (e) {
    log(`mqtt: turned off, but could not reach ${o.config.url} to remove the retained discovery and state: ${(e as Error).message}`);
    return false;
  } finally {
    await client?.endAsync(true).catch(() => {});
  }
}
