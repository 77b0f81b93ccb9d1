// The hub's shell around the pure engine: it turns device polls, PEV-link messages, utility answers and timer
// ticks into engine events, persists each step (store first, then act), and carries out the engine's commands.
// Device faults become events and log lines, never exceptions that stop the hub.
import type { AuthenticationParameters } from "../../core/binding/index.ts";
import type { DeviceHealth } from "../../core/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import { parseSessionId, type SessionId } from "../../core/ids/index.ts";
import type { Meter } from "../../core/ports/index.ts";
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { applyReading, newMetering } from "../engine/metering.ts";
import { initialState, step } from "../engine/reducer.ts";
import type { Command, EngineEvent, EngineSettings, HubState, MeteringState } from "../engine/types.ts";
import type { HubStore } from "../store/hub-store.ts";
import { FALLBACK_REASON_TEXT } from "../../core/binding/index.ts";
import { type BindingOutcome, type HubPorts, UtilityUnreachable } from "./ports.ts";
import { ChargeScheduler, type ChargePreference } from "./charge-scheduler.ts";
import type { HubTariffs } from "./session-tariff.ts";
import type { PriceView } from "./tariff-watch.ts";

export interface HubOptions {
  store: HubStore;
  clock: Clock;
  settings: EngineSettings;
  ports: HubPorts;
  /** Device poll period, ms of clock time. */
  pollMs?: number;
  /** Consecutive failed EUMD reads before it is declared absent. */
  eumdFailuresOffline?: number;
  log?: (line: string) => void;
  /** Use an EVSE-reported vehicle ID when no secure PEV link opens (default true). */
  idOnlyFallback?: boolean;
  /** The premises default tariff and the program tariffs by ID: for off-peak, planning and cost estimates. */
  tariffs?: HubTariffs;
}

export type HubChange = { kind: "step"; commands: Command[]; state: HubState } | { kind: "reading"; device: "eumd" | "premises"; powerW: number; energyWh: number; at: number };

/** A device's health is shown as is on the dashboard: its type is the wire contract's (core/hub-api). */
export type DeviceHealthView = DeviceHealth;

const PREMISES_METERING_KEY = "premises.metering";
/**
 * A vehicle gets half the comm-wait window to open its secure link before an EVSE-reported ID is used instead:
 * a secure link always wins when there is one, and the ID-only request still has half the window to be answered.
 */
const ID_ONLY_AFTER_WINDOW_FRACTION = 0.5;

export class Hub {
  private state!: HubState;
  private queue: Promise<void> = Promise.resolve();
  private timers = new Set<TimerHandle>();
  private running = false;
  private pendingSecret = new Map<string, string>();
  private listeners = new Set<(c: HubChange) => void>();
  private premisesMetering: MeteringState | null = null;
  private lastEvse: string | null = null;
  readonly health: Record<"charger" | "eumd" | "premises" | "utility", DeviceHealthView> = {
    charger: { online: null, lastOkAt: null, lastError: null, failures: 0 },
    eumd: { online: null, lastOkAt: null, lastError: null, failures: 0 },
    premises: { online: null, lastOkAt: null, lastError: null, failures: 0 },
    utility: { online: null, lastOkAt: null, lastError: null, failures: 0 },
  };
  private readonly log: (line: string) => void;
  private readonly pollMs: number;

  constructor(private readonly opts: HubOptions) {
    this.log = opts.log ?? ((l) => console.log(l));
    this.pollMs = opts.pollMs ?? 1000;
    this.schedule = opts.tariffs ? new ChargeScheduler(opts.tariffs, opts.store, opts.clock, () => this.state, (e) => this.dispatch(e)) : null;
  }

  /** Resumes from the stored snapshot (a restarted hub continues its session), or starts fresh. */
  start(): void {
    const saved = this.opts.store.loadSnapshot();
    if (saved) {
      // The stored engine state wins, except for settings the operator changed in the config since.
      this.state = { ...saved, settings: { ...saved.settings, fallbackPreference: this.opts.settings.fallbackPreference, maxCurrentA: this.opts.settings.maxCurrentA, maxPowerW: this.opts.settings.maxPowerW }, evse: "unknown", evseOut: null };
      if (saved.session) this.log(`hub: resumed session ${saved.session.id} (${saved.session.phase}, ${saved.session.metering.totalWh} Wh so far)`);
    } else {
      this.state = initialState(this.opts.settings);
    }
    this.premisesMetering = this.opts.store.getSetting<MeteringState>(PREMISES_METERING_KEY);
    this.running = true;
    this.every(1000, () => this.dispatch({ type: "tick" }));
    if (this.opts.ports.charger) this.every(this.pollMs, () => this.pollCharger());
    if (this.opts.ports.eumd) this.every(this.pollMs, () => this.pollEumd());
    else void this.dispatch({ type: "eumd.status", present: false, reason: "no EUMD is configured" });
    if (this.opts.ports.premisesMeter) this.every(this.pollMs, () => this.pollPremises(this.opts.ports.premisesMeter!));
    if (this.schedule) this.every(60_000, () => this.schedule!.check());
  }

  /** Prices now and the owner's charging preference; null when the hub was started without tariffs. */
  readonly schedule: ChargeScheduler | null;

  prices(): PriceView | null { return this.schedule?.prices() ?? null; }

  /** Customer preference: charge now, or in the cheapest hours before `departAt` (planned with the tariff). */
  async setChargePreference(p: ChargePreference): Promise<void> {
    if (this.schedule) return this.schedule.setPreference(p);
    if (p.mode === "cheapest-hours") throw new Error("the hub has no tariffs, so it cannot plan the cheapest hours");
    await this.dispatch({ type: "charge-mode", mode: "charge-now", planAllowsNow: true });
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) this.opts.clock.clearTimeout(t);
    this.timers.clear();
    await this.queue;
  }

  snapshot(): HubState { return this.state; }
  onChange(cb: (c: HubChange) => void): () => void { this.listeners.add(cb); return () => this.listeners.delete(cb); }

  /** Feeds one event to the engine; events are applied strictly one after another. */
  dispatch(event: EngineEvent): Promise<void> {
    const run = this.queue.then(() => this.apply(event));
    this.queue = run.catch((e) => this.log(`hub: error applying ${event.type}: ${(e as Error).stack ?? e}`));
    return run;
  }

  whenIdle(): Promise<void> { return this.queue; }

  private apply(event: EngineEvent): void {
    const now = this.opts.clock.now();
    const before = this.state;
    const { state, commands } = step(before, event, now);
    // Persist first: a kill after this loses nothing. A step with no commands (most ticks and meter readings) is not
    // written: everything durable (events, intervals, decisions) comes with a command, and the meter's register is
    // cumulative, so after a restart the next reading recovers the energy since the last written step. This keeps an
    // idle hub from writing to its SD card every second.
    if (commands.length) this.opts.store.commitStep(before, state, commands, now);
    this.state = state;
    for (const c of commands) this.execute(c, state);
    if (commands.length) for (const l of this.listeners) l({ kind: "step", commands, state });
  }

  /** Runs fn now and then every `ms` of clock time after it finishes (no overlap, no pile-up when a device is slow). */
  private every(ms: number, fn: () => unknown): void {
    const loop = () => {
      this.timers.delete(handle);
      if (!this.running) return;
      Promise.resolve()
        .then(fn)
        .catch((e) => this.log(`hub: ${(e as Error).message}`))
        .finally(() => { if (this.running) { handle = this.opts.clock.setTimeout(loop, ms); this.timers.add(handle); } });
    };
    let handle = this.opts.clock.setTimeout(loop, 0);
    this.timers.add(handle);
  }

  private ok(device: keyof Hub["health"]): void {
    const h = this.health[device];
    if (h.online === false) this.log(`hub: ${device} back online`);
    Object.assign(h, { online: true, lastOkAt: this.opts.clock.now(), failures: 0 });
  }
  private failed(device: keyof Hub["health"], e: unknown): void {
    const h = this.health[device];
    h.failures++;
    h.lastError = (e as Error).message ?? String(e);
    if (h.online !== false && h.failures >= (this.opts.eumdFailuresOffline ?? 3)) {
      h.online = false;
      this.log(`hub: ${device} offline after ${h.failures} failed attempts: ${h.lastError}`);
    }
  }

  private async pollCharger(): Promise<void> {
    try {
      const st = await this.opts.ports.charger!.readStatus();
      this.ok("charger");
      const s = this.state.session;
      // No vehicle spoke on the PEV link a few seconds into the window, but the EVSE knows who it is: ID-only.
      if (st.vehicleId && this.opts.idOnlyFallback !== false && s && s.phase === "awaiting-binding" && s.vin === null
        && this.opts.clock.now() - s.pluggedAt >= (s.windowEndsAt - s.pluggedAt) * ID_ONLY_AFTER_WINDOW_FRACTION) {
        this.opts.ports.pevLink?.vehicleId?.(st.vehicleId);
      }
      if (st.state !== this.lastEvse) {
        this.lastEvse = st.state;
        await this.dispatch({ type: "evse.state", state: st.state });
      }
    } catch (e) {
      this.failed("charger", e);
    }
  }

  private async pollEumd(): Promise<void> {
    try {
      const r = await this.opts.ports.eumd!.read();
      this.ok("eumd");
      if (this.state.eumd !== "present") await this.dispatch({ type: "eumd.status", present: true, reason: "the EUMD answers" });
      await this.dispatch({ type: "eumd.reading", energyWh: r.energyWh, powerW: r.powerW, at: r.at });
      for (const l of this.listeners) l({ kind: "reading", device: "eumd", powerW: r.powerW, energyWh: r.energyWh, at: r.at });
    } catch (e) {
      this.failed("eumd", e);
      if (this.health.eumd.online === false && this.state.eumd !== "absent") {
        await this.dispatch({ type: "eumd.status", present: false, reason: this.health.eumd.lastError ?? "no answer" });
      }
    }
  }

  /** The premises meter is differenced into intervals by the same rules as the EUMD. */
  private async pollPremises(meter: Meter): Promise<void> {
    try {
      const r = await meter.read();
      this.ok("premises");
      // The premises meter has no session: its intervals are labelled "premises" and carry whole-home power limits.
      const ctx = { sessionId: parseSessionId("premises"), maxPowerW: 200_000, pendingIntervalS: null };
      const m = this.premisesMetering && this.premisesMetering.intervalS === this.state.settings.intervalS
        ? this.premisesMetering
        : newMetering(r.at, this.state.settings.intervalS, null);
      const res = applyReading(m, { energyWh: r.energyWh, at: r.at }, ctx);
      this.premisesMetering = res.metering;
      if (res.closed.length) {
        this.opts.store.insertPremisesIntervals(res.closed.map((c) => ({ start: c.start, lengthS: c.lengthS, wh: c.wh, quality: c.quality })));
        this.opts.store.setSetting(PREMISES_METERING_KEY, res.metering, r.at);
      }
      for (const n of res.notes) this.log(`hub: premises meter: ${n.reason}`);
      for (const l of this.listeners) l({ kind: "reading", device: "premises", powerW: r.powerW, energyWh: r.energyWh, at: r.at });
    } catch (e) {
      this.failed("premises", e);
    }
  }

  private execute(c: Command, state: HubState): void {
    const p = this.opts.ports;
    switch (c.type) {
      case "evse.set":
        if (p.charger) {
          const ch = p.charger;
          void (async () => {
            try {
              if (c.enabled) await ch.setCurrentLimit(c.currentA);
              await ch.setEnabled(c.enabled);
            } catch (e) {
              this.log(`hub: could not ${c.enabled ? "enable" : "hold"} the EVSE: ${(e as Error).message}`);
            }
          })();
        }
        return;
      case "pevlink.open":
        p.pevLink?.open(c.sessionId);
        return;
      case "pevlink.close":
        p.pevLink?.close(c.sessionId);
        return;
      case "pev.challenge":
        p.pevLink?.challenge(c.vin, this.opts.store.getPev(c.vin)?.secretHex ?? null);
        return;
      case "pev.confirm": {
        const vin = state.session?.vin ?? null;
        const secret = vin && c.commissioning ? this.pendingSecret.get(vin) ?? null : null;
        if (vin && c.commissioning && c.params) {
          this.opts.store.savePev({ vin, programId: c.params.programId, secretHex: secret, credential: c.params.credential, commissionedAt: this.opts.clock.now() });
        }
        if (vin) this.pendingSecret.delete(vin);
        p.pevLink?.confirm(c.status, c.params, secret);
        return;
      }
      case "utility.validate":
        void this.validate(c.sessionId, c.vin, c.path, c.proofOk);
        return;
      case "utility.ack":
        if (p.utility) {
          p.utility.acknowledge({ sessionId: c.sessionId, vin: c.vin, device: c.device })
            .catch((e) => this.log(`hub: could not forward the ${c.device} acknowledgement: ${(e as Error).message}`));
        }
        return;
      case "eumd.detect":
        void this.detectEumd(c.params);
        return;
      case "display": {
        const outcome = bindingOutcome(state);
        for (const d of p.displays) d.show(c.text, outcome);
        return;
      }
      case "session.report":
        p.reports?.sessionChanged(c.sessionId, c.revision);
        return;
      case "dr.status":
        p.reports?.drStatus?.(c.id, c.status);
        return;
      case "record":
        this.log(`${new Date(c.event.at * 1000).toISOString()} ${c.event.kind}: ${c.event.reason}`);
        return;
      case "interval":
        return;
    }
  }

  private async validate(sessionId: SessionId, vin: Vin, path: "commissioning" | "rebinding", proofOk: boolean): Promise<void> {
    const utility = this.opts.ports.utility;
    const premisesId = this.state.settings.premisesId;
    for (;;) {
      const s = this.state.session;
      if (!s || s.id !== sessionId || s.phase !== "awaiting-binding") return;
      if (!utility) {
        await this.dispatch({ type: "utility.unreachable", reason: "no utility link is configured", offlineCredentialValid: this.offlineOk(vin) });
        return;
      }
      try {
        const answer = await utility.validateBinding({ sessionId, vin, premisesId, path, proofOk });
        this.ok("utility");
        if (answer.pevSecretHex) this.pendingSecret.set(vin, answer.pevSecretHex);
        await this.dispatch({ type: "utility.answer", status: answer.status, path, params: answer.params });
        return;
      } catch (e) {
        if (!(e instanceof UtilityUnreachable)) {
          this.log(`hub: binding request failed: ${(e as Error).message}`);
        }
        this.failed("utility", e);
        await this.dispatch({ type: "utility.unreachable", reason: (e as Error).message, offlineCredentialValid: path === "rebinding" && this.offlineOk(vin) });
        // Retry inside the window: the utility may come back before it closes.
        await this.opts.clock.sleep(5000);
      }
    }
  }

  private offlineOk(vin: Vin): boolean {
    const pev = this.opts.store.getPev(vin);
    const known = this.state.knownPevs[vin];
    if (!pev || !known || known.credentialExpiresAt === null || !this.opts.ports.utility) return false;
    return this.opts.ports.utility.credentialValid(pev.credential, vin, this.state.settings.premisesId, this.opts.clock.now());
  }

  /**
   * S1 steps 14-16. An EUMD that speaks the PEV link (one inside the PEV, BR-8) acknowledges over it. A Modbus or
   * Zigbee EUMD cannot receive parameters itself: the hub is its communications interface, keeps its interval length
   * (already applied by the engine) and acknowledges for it once the EUMD has answered a read with these parameters.
   */
  private async detectEumd(params: AuthenticationParameters): Promise<void> {
    if (this.opts.ports.pevLink?.eumdDetect?.(params)) return;
    const eumd = this.opts.ports.eumd;
    if (!eumd) return;
    try {
      const r = await eumd.read();
      await this.dispatch({ type: "eumd.reading", energyWh: r.energyWh, powerW: r.powerW, at: r.at });
      await this.dispatch({ type: "eumd.ack" });
    } catch (e) {
      this.log(`hub: EUMD did not answer after detection; no acknowledgement: ${(e as Error).message}`);
    }
  }

  /** For the status API: seconds left in the comm-wait window, or null. */
  commWaitLeft(now: UtcSeconds = this.opts.clock.now()): number | null {
    const s = this.state.session;
    return s && s.phase === "awaiting-binding" ? Math.max(0, s.windowEndsAt - now) : null;
  }
}

/** The engine shows text only when a binding is decided; this is that decision, for displays with their own wording. */
function bindingOutcome(state: HubState): BindingOutcome | undefined {
  const s = state.session;
  if (s?.phase === "bound") {
    const name = s.binding.programName ?? s.binding.programId ?? state.knownPevs[s.vin ?? ""]?.programId;
    return name ? { established: true, programName: name } : { established: true };
  }
  if (s?.phase === "fallback" && s.fallbackReason) return { established: false, reason: FALLBACK_REASON_TEXT[s.fallbackReason], fallbackReason: s.fallbackReason };
  return undefined;
}
