// The hub's shell around the pure engine: it turns device polls, PEV-link messages, utility answers and timer
// ticks into engine events, persists each step (store first, then act), and carries out the engine's commands.
// Device faults become events and log lines, never exceptions that stop the hub.
import type { AuthenticationParameters } from "../../core/binding/index.ts";
import type { DeviceHealth } from "../../core/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import { parseSessionId, type SessionId } from "../../core/ids/index.ts";
import type { ChargerStatus, Meter, MeterReading } from "../../core/ports/index.ts";
import type { Clock, TimerHandle } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { applyReading, newMetering } from "../engine/metering.ts";
import { decideEvse } from "../engine/arbiter.ts";
import { initialState, step } from "../engine/reducer.ts";
import type { Command, EngineEvent, EngineSettings, HubState, MeteringState } from "../engine/types.ts";
import { EvseActuator } from "./evse-actuator.ts";
import type { HubStore } from "../store/hub-store.ts";
import { FALLBACK_REASON_TEXT } from "../../core/binding/index.ts";
import { type BindingOutcome, type HubPorts, UtilityUnreachableError } from "./ports.ts";
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
  /**
   * One of several charge points on this hub (issue 16 item 7): its [[charge_points]] id (null or absent: the hub's own
   * charger, [devices.charger]) and its share of the premises' session numbers. Each charge point has its own engine,
   * snapshot, comm-wait window, binding and EUMD; they share the store, the outbox and the utility link.
   */
  chargePoint?: { id: string | null; seqSlot?: { index: number; of: number } };
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
  private eumdChain: Promise<unknown> = Promise.resolve();
  /** False until the charger has been read once after start: the first read decides resume, unplug or swap. */
  private resumed = false;
  /** The one owner of the charger's output (null without a charger). */
  readonly actuator: EvseActuator | null;
  /** Resolves once the start-up sequence (hold, read the EUMD, read the charger) has run and polling has begun. */
  ready: Promise<void> = Promise.resolve();
  readonly health: Record<"charger" | "eumd" | "premises" | "utility", DeviceHealthView> = {
    charger: { online: null, lastOkAt: null, lastError: null, failures: 0 },
    eumd: { online: null, lastOkAt: null, lastError: null, failures: 0 },
    premises: { online: null, lastOkAt: null, lastError: null, failures: 0 },
    utility: { online: null, lastOkAt: null, lastError: null, failures: 0 },
  };
  private readonly log: (line: string) => void;
  private readonly pollMs: number;

  constructor(private readonly opts: HubOptions) {
    const log = opts.log ?? ((l: string) => console.log(l));
    const cp = opts.chargePoint?.id;
    // Several engines write one log: each line names its charge point (the hub's own charger's lines are as before).
    this.log = cp ? (l) => log(`[${cp}] ${l}`) : log;
    this.pollMs = opts.pollMs ?? 1000;
    this.schedule = opts.tariffs ? new ChargeScheduler(opts.tariffs, opts.store, opts.clock, () => this.state, (e) => this.dispatch(e)) : null;
    this.actuator = opts.ports.charger ? new EvseActuator(opts.ports.charger, this.log, () => opts.clock.monotonicMs()) : null;
  }

  /** Resumes from the stored snapshot (a restarted hub continues its session), or starts fresh. */
  /** The charge point this engine runs (null: the hub's own charger). */
  get chargePointId(): string | null { return this.opts.chargePoint?.id ?? null; }

  start(): void {
    const saved = this.opts.store.loadSnapshot(this.chargePointId);
    const slot = this.opts.chargePoint?.seqSlot ?? this.opts.settings.seqSlot;
    if (saved) {
      // The stored engine state wins, except for settings the operator changed in the config since.
      const settings = { ...saved.settings, fallbackPreference: this.opts.settings.fallbackPreference, maxCurrentA: this.opts.settings.maxCurrentA, maxPowerW: this.opts.settings.maxPowerW };
      if (slot) settings.seqSlot = slot; else delete settings.seqSlot;
      this.state = { ...saved, settings, evse: "unknown", evseOut: null };
      if (saved.session) this.log(`hub: resumed session ${saved.session.id} (${saved.session.phase}, ${saved.session.metering.totalWh} Wh so far)`);
    } else {
      this.state = initialState(slot ? { ...this.opts.settings, seqSlot: slot } : this.opts.settings);
    }
    // Several engines share the premises' session numbers: each numbers its next session after every one stored.
    if (slot) this.state = { ...this.state, sessionSeq: Math.max(this.state.sessionSeq, this.opts.store.maxSessionSeq()) };
    this.premisesMetering = this.opts.store.getSetting<MeteringState>(PREMISES_METERING_KEY);
    this.running = true;
    this.ready = this.resume()
      .catch((e) => this.log(`hub: start-up sequence failed: ${(e as Error).stack ?? e}`))
      .then(() => {
        if (!this.running) return;
        this.every(1000, () => this.dispatch({ type: "tick" }));
        if (this.opts.ports.charger) this.every(this.pollMs, () => this.pollCharger());
        if (this.opts.ports.eumd) this.every(this.pollMs, () => this.pollEumd());
        if (this.opts.ports.premisesMeter) this.every(this.pollMs, () => this.pollPremises(this.opts.ports.premisesMeter!));
        if (this.schedule) this.every(60_000, () => this.schedule!.check());
      });
  }

  /**
   * Start-up, before anything else (issue 12): the charger is put into the engine's desired state — held while a
   * session is open and its vehicle not yet proven — then the EUMD is read, then the charger, and only then does the
   * engine act on the charger's state: the energy since the last saved step goes to the resumed session, and a
   * vehicle that left or was swapped while the hub was down ends that session at its last provable reading.
   */
  private async resume(): Promise<void> {
    const p = this.opts.ports;
    if (this.actuator) {
      await this.actuator.armFailsafe();
      await this.actuator.want(decideEvse(this.state, this.opts.clock.now()));
    }
    if (!p.eumd) await this.dispatch({ type: "eumd.status", present: false, reason: "no EUMD is configured" });
    if (!p.charger) {
      this.resumed = true;
      return;
    }
    let status: ChargerStatus | null = null;
    const reading = await this.readEumd();
    try {
      status = await p.charger.readStatus();
      this.ok("charger");
    } catch (e) {
      this.failed("charger", e);
      this.log(`hub: the charger did not answer at start-up (${(e as Error).message}); it stays held until it does`);
    }
    await this.resumeWith(reading, status);
  }

  private async resumeWith(reading: MeterReading | null, status: ChargerStatus | null): Promise<void> {
    if (!status) {
      // The EUMD's energy still goes to the open session; the charger's state is acted on once it answers.
      if (reading) await this.dispatch({ type: "eumd.reading", energyWh: reading.energyWh, powerW: reading.powerW, at: reading.at });
      return;
    }
    this.resumed = true;
    const before = this.state.session;
    await this.dispatch({ type: "hub.resumed", observed: {
      evse: status.state,
      reading: reading ? { energyWh: reading.energyWh, powerW: reading.powerW, at: reading.at } : null,
      vehicleId: status.vehicleId ?? null,
      chargerSession: status.sessionId ?? null,
      chargerSessionWh: status.sessionEnergyWh ?? null,
    } });
    this.lastEvse = status.state;
    // The actuator follows the engine again (it may have been held ahead of the engine's decision).
    if (this.actuator && this.state.evseOut) void this.actuator.want(this.state.evseOut);
    const after = this.state.session;
    if (before && before.phase !== "ended") {
      const how = after?.id === before.id ? `continues (${after.phase}, ${after.metering.totalWh} Wh so far)` : `ended (${this.state.lastEnded?.id === before.id ? `${this.state.lastEnded.metering.totalWh} Wh` : "?"})${after ? `; new session ${after.id} opened` : ""}`;
      this.log(`hub: resumed: charger in state ${status.state}, EUMD ${reading ? `${reading.energyWh} Wh` : "unread"}; session ${before.id} ${how}`);
    }
  }

  /**
   * Reads the EUMD (and, with `dispatch`, feeds the reading to the engine); null when it does not answer. One read at
   * a time, each fed to the engine before the next starts: a slow poll can never land after the unplug's read with an
   * older register (that looked like a register reset and gave its energy to the next session).
   */
  private readEumd(dispatch = false): Promise<MeterReading | null> {
    const run = this.eumdChain.then(() => this.readEumdNow(dispatch));
    this.eumdChain = run.catch(() => null);
    return run;
  }

  private async readEumdNow(dispatch: boolean): Promise<MeterReading | null> {
    const eumd = this.opts.ports.eumd;
    if (!eumd) return null;
    try {
      const r = await eumd.read();
      this.ok("eumd");
      if (this.state.eumd !== "present") await this.dispatch({ type: "eumd.status", present: true, reason: "the EUMD answers" });
      if (dispatch) {
        await this.dispatch({ type: "eumd.reading", energyWh: r.energyWh, powerW: r.powerW, at: r.at });
        for (const l of this.listeners) l({ kind: "reading", device: "eumd", powerW: r.powerW, energyWh: r.energyWh, at: r.at });
      }
      return r;
    } catch (e) {
      this.failed("eumd", e);
      return null;
    }
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

  /**
   * A charge point was added to the running hub: this engine takes its share of the session numbers from now on
   * (applied between two events, like the settings the config overrides at start).
   */
  reslot(seqSlot: { index: number; of: number }): Promise<void> {
    const run = this.queue.then(() => {
      this.state = { ...this.state, settings: { ...this.state.settings, seqSlot }, sessionSeq: Math.max(this.state.sessionSeq, this.opts.store.maxSessionSeq()) };
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) this.opts.clock.clearTimeout(t);
    this.timers.clear();
    await this.ready;
    await this.queue;
    await this.actuator?.idle();
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
    // Everything the step sends (reports, acknowledgements, DR status) is queued in the same transaction.
    const reports = this.opts.ports.reports;
    if (commands.length) this.opts.store.commitStep(before, state, commands, now, reports ? () => reports.stage({ before, state, commands }) : undefined, this.chargePointId);
    this.state = state;
    if (reports && commands.some(isOutgoing)) reports.committed();
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
      const token = this.actuator!.beginRead();
      const st = await this.opts.ports.charger!.readStatus();
      this.ok("charger");
      if (!this.resumed) {
        // The charger did not answer at start-up: this first answer decides resume, unplug or swap.
        await this.resumeWith(await this.readEumd(), st);
        return;
      }
      const divergence = this.actuator!.observe(token, st);
      if (divergence) {
        this.log(`hub: EVSE output diverged: ${divergence.reason}`);
        await this.dispatch({ type: "evse.diverged", reason: divergence.reason });
      }
      const s = this.state.session;
      // No vehicle spoke on the PEV link a few seconds into the window, but the EVSE knows who it is: ID-only.
      if (st.vehicleId && this.opts.idOnlyFallback !== false && s && s.phase === "awaiting-binding" && s.vin === null
        && this.opts.clock.now() - s.pluggedAt >= (s.windowEndsAt - s.pluggedAt) * ID_ONLY_AFTER_WINDOW_FRACTION) {
        this.opts.ports.pevLink?.vehicleId?.(st.vehicleId);
      }
      const open = s !== null && s.phase !== "ended";
      // The charger started a new session of its own while ours is open: a vehicle swapped between two polls.
      const swapped = open && st.sessionId !== undefined && (s.chargerSession ?? null) !== null && st.sessionId !== s.chargerSession;
      if (swapped) {
        // Hold first (the new vehicle must not charge on the old one's binding), then the EUMD, then the charger again.
        await this.actuator!.want(decideEvse({ ...this.state, evse: "unknown" }, this.opts.clock.now()));
        const reading = await this.readEumd();
        await this.resumeWith(reading, await this.opts.ports.charger!.readStatus().catch(() => st));
        return;
      }
      // A charger that names its session only after the plug-in (an OCPP transaction): the engine learns it now.
      const named = open && st.sessionId !== undefined && (s.chargerSession ?? null) === null && st.state === this.lastEvse;
      if (named) await this.dispatch({ type: "evse.state", state: st.state, chargerSession: st.sessionId ?? null });
      if (st.state !== this.lastEvse) {
        // The EUMD is read before the session is closed, so its last interval ends at the unplug.
        if (open && st.state === "A") await this.readEumd(true);
        this.lastEvse = st.state;
        await this.dispatch({ type: "evse.state", state: st.state, chargerSession: st.sessionId ?? null });
      }
    } catch (e) {
      this.failed("charger", e);
    }
  }

  private async pollEumd(): Promise<void> {
    const r = await this.readEumd(true);
    if (!r && this.health.eumd.online === false && this.state.eumd !== "absent") {
      await this.dispatch({ type: "eumd.status", present: false, reason: this.health.eumd.lastError ?? "no answer" });
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
        // The intervals and the metering state that closed them are one transaction: a kill repeats neither.
        this.opts.store.insertPremisesIntervals(res.closed.map((c) => ({ start: c.start, lengthS: c.lengthS, wh: c.wh, quality: c.quality })),
          () => this.opts.store.setSetting(PREMISES_METERING_KEY, res.metering, r.at));
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
        // Serial and latest-wins: the actuator owns the charger's output (it logs a write that fails).
        void this.actuator?.want({ enabled: c.enabled, currentA: c.currentA, why: c.why, by: c.by });
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
      case "session.report":
      case "dr.status":
        // Queued in the step's own transaction (ReportSink.stage); nothing is left to do after the commit.
        return;
      case "eumd.detect":
        void this.detectEumd(c.params);
        return;
      case "display": {
        const outcome = bindingOutcome(state);
        for (const d of p.displays) d.show(c.text, outcome);
        return;
      }
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
        if (!(e instanceof UtilityUnreachableError)) {
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

/** Commands that leave the hub through the outbox (staged in the step's transaction). */
const isOutgoing = (c: Command): boolean => c.type === "session.report" || c.type === "utility.ack" || c.type === "dr.status";
