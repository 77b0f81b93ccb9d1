// Drives sync on the hub: drains the outbox on a schedule, as soon as something is queued (kick), and on
// reconnect; pulls config on a schedule and on reconnect; and keeps a state the dashboard shows
// (online?, last success, queue depth, next retry). All timing goes through the injected Clock.
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import { fromMillis, type UtcSeconds } from "../../core/time/index.ts";
import type { HubConfig } from "../../cloud-sync/protocol/index.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import type { DrainBatching, DrainResult, Outbox, OutboxEntry } from "./outbox.ts";
import type { UtilityClient } from "./utility-client.ts";

export interface SyncState {
  /** null until the first exchange with the utility. */
  online: boolean | null;
  lastSuccessAt: UtcSeconds | null;
  lastAttemptAt: UtcSeconds | null;
  lastError: string | null;
  queueDepth: number;
  queueBytes: number;
  deadLetters: number;
  deliveredTotal: number;
  /** When the next send or config pull is due (UTC seconds); null when nothing waits. */
  nextRetryAt: UtcSeconds | null;
  configVersion: number | null;
  lastConfigAt: UtcSeconds | null;
}

export interface SyncWorkerOptions {
  outbox: Outbox;
  /** With deliverSessionReports, due session reports of different sessions travel in batches. */
  client: Pick<UtilityClient, "deliver" | "pullConfig"> & Partial<Pick<UtilityClient, "deliverSessionReports">>;
  clock: Clock;
  /** Called with each newly pulled config (configVersion changed). The hub persists and applies it. */
  onConfig?: (config: HubConfig) => void | Promise<void>;
  /** The config version the hub already holds (from its store), so a restart does not re-apply it. */
  configVersion?: number;
  /** Idle drain period when online, ms (default 60 s): a safety net; kick() is the fast path. */
  drainEveryMs?: number;
  /** Config pull period, ms (default 15 min, or the config's pullEveryS once known). */
  configEveryMs?: number;
  /** Backoff of probes (config pulls) while the utility is unreachable. */
  backoff?: BackoffOptions;
  concurrency?: number;
  /**
   * Batching of session reports (when the client can): most reports and JSON bytes per request
   * (defaults 100 and 1 MiB), or false to send one report per request.
   */
  batch?: { maxMessages?: number; maxBytes?: number } | false;
}

type Listener = (s: SyncState) => void;

export class SyncWorker {
  private readonly outbox: Outbox;
  private readonly clock: Clock;
  /** Paces probes while the utility is unreachable: one request per backoff step, not one per queued message. */
  private readonly linkBackoff: Backoff;
  private timer: TimerHandle | null = null;
  private running = false;
  private busy: Promise<void> | null = null;
  private rerun = false;
  private online: boolean | null = null;
  private lastSuccessAt: UtcSeconds | null = null;
  private lastAttemptAt: UtcSeconds | null = null;
  private lastError: string | null = null;
  private configVersion: number | null;
  private lastConfigAt: UtcSeconds | null = null;
  private linkFailures = 0;
  private probeAtMs = 0;
  private nextConfigAtMs: number;
  private nextDrainAtMs: number;
  private configEveryMs: number;
  private readonly drainEveryMs: number;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly o: SyncWorkerOptions) {
    this.outbox = o.outbox;
    this.clock = o.clock;
    this.linkBackoff = new Backoff(o.backoff);
    this.configVersion = o.configVersion ?? null;
    this.drainEveryMs = o.drainEveryMs ?? 60_000;
    this.configEveryMs = o.configEveryMs ?? 15 * 60_000;
    this.nextConfigAtMs = o.clock.nowMs();
    this.nextDrainAtMs = o.clock.nowMs();
  }

  /** Starts the schedule: an immediate config pull and drain, then on timers. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake(0);
  }

  /** Stops the schedule and waits for a pass in progress to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.whenIdle();
  }

  /** Something was queued: drain now if the utility is reachable (while offline, the probe schedule decides). */
  kick(): void {
    this.nextDrainAtMs = this.clock.nowMs();
    this.wake(0);
  }

  /** The hub's network came back (link up, DHCP lease, …): probe the utility now instead of waiting out the backoff. */
  reconnected(): void {
    const now = this.clock.nowMs();
    this.nextDrainAtMs = now;
    if (this.online === false) this.probeAtMs = now;
    this.wake(0);
  }

  /** Resolves when no pass is running (tests advance a TestClock, then await this). */
  async whenIdle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  state(): SyncState {
    const s = this.outbox.stats();
    const next = this.online === false
      ? this.probeAtMs
      : Math.min(s.nextAttemptAtMs ?? Number.POSITIVE_INFINITY, this.nextConfigAtMs);
    return {
      online: this.online,
      lastSuccessAt: this.lastSuccessAt,
      lastAttemptAt: this.lastAttemptAt,
      lastError: this.lastError,
      queueDepth: s.depth,
      queueBytes: s.bytes,
      deadLetters: s.deadLetters,
      deliveredTotal: s.deliveredTotal,
      nextRetryAt: Number.isFinite(next) ? fromMillis(Math.max(0, next)) : null,
      configVersion: this.configVersion,
      lastConfigAt: this.lastConfigAt,
    };
  }

  /** Dashboard subscription (SSE): called after every pass. Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** One drain pass now, outside the schedule. */
  async drainNow(): Promise<DrainResult> {
    this.lastAttemptAt = this.clock.now();
    const r = await this.outbox.drain((e) => this.o.client.deliver(e), { concurrency: this.o.concurrency ?? 4, batch: this.batching() });
    if (r.stopped) {
      this.markOffline(r.lastError);
    } else {
      if (r.delivered > 0 || r.rejected > 0) this.markOnline();
      // A drain that ran dry without a retry proves the link end to end.
      if (r.delivered > 0) this.linkFailures = 0;
      if (r.lastError) this.lastError = r.lastError;
    }
    return r;
  }

  /** One config pull now. Returns the config, or null when the utility could not be reached. */
  async pullConfigNow(): Promise<HubConfig | null> {
    this.lastAttemptAt = this.clock.now();
    let config: HubConfig;
    try {
      config = await this.o.client.pullConfig(this.configVersion ?? undefined);
    } catch (e) {
      this.markOffline((e as Error).message);
      this.nextConfigAtMs = this.probeAtMs;
      return null;
    }
    this.lastConfigAt = this.clock.now();
    this.configEveryMs = this.o.configEveryMs ?? config.pullEveryS * 1000;
    this.nextConfigAtMs = this.clock.nowMs() + this.configEveryMs;
    this.markOnline();
    if (config.configVersion !== this.configVersion) {
      try {
        await this.o.onConfig?.(config);
        this.configVersion = config.configVersion;
      } catch (e) {
        // The hub could not apply it: keep the old version number so the next pull offers it again.
        this.lastError = `applying config ${config.configVersion} failed: ${(e as Error).message}`;
      }
    }
    return config;
  }

  /** Session reports of different sessions share a request when the client can send batches. */
  private batching(): DrainBatching | undefined {
    const client = this.o.client;
    if (this.o.batch === false || !client.deliverSessionReports) return undefined;
    return {
      kinds: ["session-report"],
      send: (entries: OutboxEntry[]) => client.deliverSessionReports!(entries.map((e) => {
        if (e.kind !== "session-report") throw new Error(`outbox entry ${e.id} (${e.kind}) is not a session report`);
        return e.body;
      })),
      maxMessages: this.o.batch?.maxMessages,
      maxBytes: this.o.batch?.maxBytes,
    };
  }

  private isOffline(): boolean { return this.online === false; }

  private markOnline(): void {
    const wasOffline = this.online !== true;
    this.online = true;
    this.lastSuccessAt = this.clock.now();
    this.lastError = null;
    if (wasOffline) {
      // Reconnect: everything waiting goes now, not when each message's own backoff ends.
      this.outbox.retryNow();
      this.nextDrainAtMs = this.clock.nowMs();
      this.rerun = true;
    }
  }

  private markOffline(error: string | null): void {
    const wasOnline = this.online !== false;
    this.online = false;
    this.lastError = error;
    this.linkFailures++;
    this.probeAtMs = this.clock.nowMs() + this.linkBackoff.delayMs(this.linkFailures);
    // Coming back online re-pulls config: it may have changed while we were away.
    if (wasOnline) this.nextConfigAtMs = this.probeAtMs;
  }

  private wake(ms: number): void {
    if (!this.running) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.pass();
    }, ms);
  }

  private async pass(): Promise<void> {
    if (this.busy) { this.rerun = true; return; }
    let done!: () => void;
    this.busy = new Promise<void>((r) => (done = r));
    try {
      do {
        this.rerun = false;
        const now = this.clock.nowMs();
        if (this.isOffline()) {
          if (now < this.probeAtMs) break;
          // Probe with the cheapest signed request; success flips us online and re-runs the loop.
          await this.pullConfigNow();
          continue;
        }
        if (now >= this.nextConfigAtMs) await this.pullConfigNow();
        if (this.isOffline()) continue;
        const next = this.outbox.stats().nextAttemptAtMs;
        if (this.clock.nowMs() >= this.nextDrainAtMs || (next !== null && next <= this.clock.nowMs())) {
          this.nextDrainAtMs = this.clock.nowMs() + this.drainEveryMs;
          await this.drainNow();
        }
      } while (this.rerun && this.running);
    } catch (e) {
      this.lastError = (e as Error).message;
    } finally {
      this.busy = null;
      done();
    }
    const s = this.state();
    for (const l of this.listeners) {
      try { l(s); } catch { /* a dashboard listener must not stop sync */ }
    }
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (!this.running) return;
    const now = this.clock.nowMs();
    let wakeAt: number;
    if (this.online === false) {
      wakeAt = this.probeAtMs;
    } else {
      const next = this.outbox.stats().nextAttemptAtMs;
      wakeAt = Math.min(this.nextConfigAtMs, this.nextDrainAtMs, next ?? Number.POSITIVE_INFINITY);
    }
    this.wake(Math.max(0, wakeAt - now));
  }
}
