// The session engine: a pure function (state, event, now) → (state, commands). No I/O, no clock, no randomness:
// the shell feeds it events from the devices, the PEV link and the utility, and carries out the commands.
// Every decision is recorded as an event with a UTC second and a reason, so a session can be replayed.
import type { SessionEventKind } from "./event-kinds.ts";
import type { AuthenticationParameters, BindingPath, BindingStatus, FallbackReason } from "../../core/binding/index.ts";
import { FALLBACK_REASON_TEXT } from "../../core/binding/index.ts";
import type { SessionId } from "../../core/ids/index.ts";
import { parseVin, VinError } from "../../core/ids/index.ts";
import { isPluggedIn } from "../../core/ports/index.ts";
import { toIso, type UtcSeconds } from "../../core/time/index.ts";
import { decideEvse } from "./arbiter.ts";
import { advanceTo, applyReading, finish, newMetering, type MeteringContext } from "./metering.ts";
import { checkCommWait, checkIntervalLength, SettingError } from "./settings.ts";
import type { ClosedInterval, Command, EngineEvent, EngineSettings, HubState, ResumeObservation, Session, StepResult } from "./types.ts";

/** An EUMD reading older than this at plug-in is no baseline for the new session. */
const BASELINE_MAX_AGE_S = 300;

export function initialState(settings: EngineSettings): HubState {
  checkCommWait(settings.commWaitS, "settings.commWaitS");
  checkIntervalLength(settings.intervalS, "settings.intervalS");
  return {
    settings,
    evse: "unknown",
    eumd: "unknown",
    eumdLast: null,
    offPeak: false,
    chargeMode: "charge-now",
    planAllowsNow: true,
    dr: null,
    knownPevs: {},
    session: null,
    lastEnded: null,
    sessionSeq: 0,
    evseOut: null,
  };
}

/** The next session number after `last` that belongs to this engine (settings.seqSlot). */
export function nextSessionSeq(last: number, slot: EngineSettings["seqSlot"]): number {
  if (!slot || slot.of <= 1) return last + 1;
  const n = last + 1;
  return n + ((slot.index - (n % slot.of)) % slot.of + slot.of) % slot.of;
}

export function sessionIdFor(premisesId: string, at: UtcSeconds, seq: number): SessionId {
  const stamp = toIso(at).replace(/[-:]/g, "");
  return `${premisesId}-${stamp}-${seq}` as SessionId;
}

/** A mutable working copy for one step; the input state is never touched. */
class Step {
  s: HubState;
  out: Command[] = [];
  constructor(state: HubState, readonly now: UtcSeconds) {
    this.s = { ...state, settings: { ...state.settings } };
  }
  get session(): Session | null { return this.s.session; }
  patchSession(p: Partial<Session>): Session {
    const next = { ...this.s.session!, ...p };
    this.s.session = next;
    return next;
  }
  record(kind: SessionEventKind, reason: string, sessionId: SessionId | null = this.s.session?.id ?? null): void {
    this.out.push({ type: "record", event: { sessionId, at: this.now, kind, reason } });
  }
  report(): void {
    const s = this.patchSession({ revision: this.session!.revision + 1 });
    this.out.push({ type: "session.report", sessionId: s.id, revision: s.revision });
  }
  intervals(closed: ClosedInterval[]): void {
    for (const interval of closed) this.out.push({ type: "interval", interval });
    if (closed.length && this.session) this.patchSession({ intervalsClosed: this.session.intervalsClosed + closed.length });
  }
  meteringContext(): MeteringContext {
    return { sessionId: this.session!.id, maxPowerW: this.s.settings.maxPowerW, pendingIntervalS: this.s.settings.pendingIntervalS };
  }
  appliedPending(): void {
    const len = this.s.settings.pendingIntervalS;
    this.s.settings.intervalS = len!;
    this.s.settings.pendingIntervalS = null;
    this.record("interval-length.applied", `EUMD interval length is now ${len} s from this boundary on (FR-25)`);
  }
}

const active = (s: Session | null): s is Session => s !== null && s.phase !== "ended";

function plug(st: Step, from: string, chargerSession: string | null = null, how?: string): void {
  const { settings } = st.s;
  const seq = nextSessionSeq(st.s.sessionSeq, settings.seqSlot);
  const id = sessionIdFor(settings.premisesId, st.now, seq);
  const recent = st.s.eumdLast && st.now - st.s.eumdLast.at <= BASELINE_MAX_AGE_S ? st.s.eumdLast : null;
  st.s.sessionSeq = seq;
  st.s.session = {
    id,
    seq,
    pluggedAt: st.now,
    windowEndsAt: (st.now + settings.commWaitS) as UtcSeconds,
    phase: "awaiting-binding",
    vin: null,
    binding: { path: null, status: null, programId: null, programName: null, tariffId: null, offline: false, requestedAt: null, decidedAt: null },
    fallbackReason: null,
    rate: "pending",
    commissioning: null,
    metering: newMetering(st.now, settings.intervalS, recent),
    endedAt: null,
    revision: 0,
    intervalsClosed: 0,
    chargerSession,
    unpluggedBetween: null,
  };
  st.record("on-plug", `${how ?? `EVSE went from state ${from} to ${st.s.evse}: vehicle plugged in`}; the ${settings.commWaitS} s comm-wait window opens and the EVSE is held until the binding is decided (FR-06, FR-10, NFR-3)`);
  st.out.push({ type: "pevlink.open", sessionId: id });
  if (st.s.eumd === "absent") fallback(st, "no-eumd", "no EUMD was detected at plug-in (BR-6)");
}

function fallback(st: Step, reason: FallbackReason, detail: string): void {
  st.patchSession({ phase: "fallback", rate: "default", fallbackReason: reason, binding: { ...st.session!.binding, decidedAt: st.now } });
  st.record("fallback", `${FALLBACK_REASON_TEXT[reason]}: ${detail}. Charging proceeds per the customer's preference (${st.s.settings.fallbackPreference}); all energy accrues to the premises account at the default rate (BR-4)`);
  st.out.push({ type: "display", text: `Charging at the regular rate: ${FALLBACK_REASON_TEXT[reason]}.` });
  st.report();
}

function bind(st: Step, status: BindingStatus, params: AuthenticationParameters | null, offline: boolean): void {
  const session = st.session!;
  st.patchSession({
    phase: "bound",
    rate: "program",
    binding: {
      ...session.binding,
      status,
      programId: params?.programId ?? st.s.knownPevs[session.vin!]?.programId ?? null,
      programName: params?.programName ?? null,
      tariffId: params?.tariffId ?? null,
      offline,
      decidedAt: st.now,
    },
  });
  const program = params?.programName ?? params?.programId ?? st.s.knownPevs[session.vin!]?.programId ?? "the utility program";
  const how = offline ? "offline, from the utility-signed credential" : `confirmed by the utility (${status})`;
  st.record("bound", `vehicle ${session.vin} bound to ${program} at premises ${st.s.settings.premisesId}, ${how}, ${st.now - session.pluggedAt} s after On-Plug (FR-16, FR-17)`);
  st.out.push({ type: "display", text: `Charging session established: ${program}.` });
  st.report();
}

function requestValidation(st: Step, path: BindingPath, proofOk: boolean): void {
  const session = st.patchSession({ binding: { ...st.session!.binding, path, requestedAt: st.now } });
  st.out.push({ type: "utility.validate", sessionId: session.id, vin: session.vin!, premisesId: st.s.settings.premisesId, path, proofOk });
  st.record("binding.requested", `asked the utility to validate PEV ${session.vin} at premises ${st.s.settings.premisesId} (${path}) (FR-14)`);
}

function onHello(st: Step, raw: string, via?: string): void {
  const session = st.session;
  if (!active(session)) {
    st.record("pev-link.refused", "the PEV spoke before On-Plug; no communications session exists until the vehicle is plugged in (FR-06)", null);
    return;
  }
  if (session.phase !== "awaiting-binding" || session.vin !== null) {
    st.record("pev.hello-ignored", `a further hello from the PEV was ignored: the session is ${session.phase}`);
    return;
  }
  let vin;
  try {
    vin = parseVin(raw);
  } catch (e) {
    if (!(e instanceof VinError)) throw e;
    fallback(st, "invalid-pev-id", e.message);
    return;
  }
  st.patchSession({ vin });
  const by = via ? ` (ID-only: ${via})` : "";
  const known = st.s.knownPevs[vin];
  if (known) {
    st.patchSession({ binding: { ...st.session!.binding, path: "rebinding" } });
    st.record("pev.identified", `PEV ${vin} identified itself${by}; it was commissioned on ${toIso(known.commissionedAt)}, so the short re-binding path applies (FR-13, FR-28)`);
    st.out.push({ type: "pev.challenge", vin });
  } else {
    st.record("pev.identified", `PEV ${vin} identified itself${by}; not commissioned at this hub, so the full commissioning path applies (FR-13, S1)`);
    requestValidation(st, "commissioning", false);
  }
}

function onAnswer(st: Step, status: BindingStatus, path: BindingPath, params: AuthenticationParameters | null): void {
  const session = st.session;
  if (!active(session) || session.phase !== "awaiting-binding") {
    st.record("binding.late", `the utility's answer (${status}) arrived after the session was decided (${session?.phase ?? "no session"}); it does not change this session`);
    return;
  }
  if (status === "not-enrolled") {
    st.out.push({ type: "pev.confirm", status, params: null, commissioning: false });
    fallback(st, "not-enrolled", `the utility answered that PEV ${session.vin} is not enrolled for premises ${st.s.settings.premisesId} (FR-05)`);
    return;
  }
  if (status === "invalid") {
    st.out.push({ type: "pev.confirm", status, params: null, commissioning: false });
    fallback(st, "rejected", `the utility rejected PEV ${session.vin} for premises ${st.s.settings.premisesId}`);
    return;
  }
  const commissioning = path === "commissioning" && params !== null;
  bind(st, status, params, false);
  st.out.push({ type: "pev.confirm", status, params, commissioning });
  if (commissioning && params) {
    st.patchSession({ commissioning: { pevParamsSentAt: st.now, pevAckAt: null, eumdDetectSentAt: st.now, eumdAckAt: null } });
    st.record("commissioning.params-sent", `authentication parameters (program ${params.programId}, tariff ${params.tariffId}, interval ${params.intervalS} s) sent to the PEV (FR-16, FR-18)`);
    st.out.push({ type: "eumd.detect", params });
    st.record("commissioning.eumd-detect", `EUMD detection message with interval length ${params.intervalS} s sent to the EUMD (FR-23, FR-26)`);
    if (status === "enrolled") {
      st.s.knownPevs = { ...st.s.knownPevs, [session.vin!]: { programId: params.programId, commissionedAt: st.now, credentialExpiresAt: params.offlineRebinding ? params.credential.expiresAt : null } };
    }
  }
  if (params) applyUtilityParams(st, params);
}

function applyUtilityParams(st: Step, params: AuthenticationParameters): void {
  if (params.intervalS !== st.s.settings.intervalS) setInterval(st, params.intervalS, "the utility's authentication parameters");
  if (params.commWaitS !== st.s.settings.commWaitS) setCommWait(st, params.commWaitS, "the utility's authentication parameters");
}

function setInterval(st: Step, intervalS: number, source: string): void {
  try {
    checkIntervalLength(intervalS, "intervalS");
  } catch (e) {
    if (!(e instanceof SettingError)) throw e;
    st.record("config.refused", `${source}: ${e.message}`);
    return;
  }
  if (active(st.session)) {
    st.s.settings.pendingIntervalS = intervalS;
    st.record("interval-length.pending", `EUMD interval length ${intervalS} s from ${source} takes effect at the next interval boundary (FR-25)`);
  } else {
    st.s.settings.intervalS = intervalS;
    st.s.settings.pendingIntervalS = null;
    st.record("interval-length.applied", `EUMD interval length is now ${intervalS} s, from ${source} (FR-25)`);
  }
}

function setCommWait(st: Step, commWaitS: number, source: string): void {
  try {
    st.s.settings.commWaitS = checkCommWait(commWaitS, "commWaitS");
    st.record("config.comm-wait", `comm-wait window is now ${commWaitS} s for the next plug-in, from ${source}`);
  } catch (e) {
    if (!(e instanceof SettingError)) throw e;
    st.record("config.refused", `${source}: ${e.message}`);
  }
}

function onReading(st: Step, energyWh: number, powerW: number, at: UtcSeconds, timingUncertain = false): void {
  if (!Number.isSafeInteger(energyWh) || energyWh < 0 || !Number.isFinite(powerW)) {
    st.record("eumd.reading-rejected", `EUMD reading is not a usable register value (energy ${energyWh} Wh, power ${powerW} W)`);
    return;
  }
  const session = st.session;
  if (active(session)) {
    const r = applyReading(session.metering, { energyWh, at, timingUncertain }, st.meteringContext());
    const accepted = !r.notes.some((n) => n.kind === "eumd.reading-rejected");
    st.patchSession({ metering: accepted ? { ...r.metering, lastPowerW: powerW } : r.metering });
    for (const n of r.notes) st.record(n.kind, n.reason);
    st.intervals(r.closed);
    if (r.appliedPending) st.appliedPending();
    if (r.closed.length) st.report();
    if (accepted) st.s.eumdLast = { wh: energyWh, at };
  } else {
    st.s.eumdLast = { wh: energyWh, at };
  }
}

/**
 * Ends the session. `whileDown`: the vehicle left while the hub was down, so the unplug happened somewhere in
 * [from, to]; `at` is the estimate the session records (never the restart time) and the event says it is uncertain.
 * `why` names what ended it when it was not the plug coming out (e.g. another vehicle's tag on the charger).
 */
function unplug(st: Step, whileDown: { at: UtcSeconds; from: UtcSeconds; to: UtcSeconds; why: string } | null = null, why?: string): void {
  const session = st.session!;
  const ctx = st.meteringContext();
  st.intervals(finish(session.metering, ctx));
  const undecided = session.phase === "awaiting-binding";
  const endedAt = whileDown ? whileDown.at : st.now;
  st.patchSession({
    phase: "ended",
    endedAt,
    rate: session.rate === "pending" ? "default" : session.rate,
    unpluggedBetween: whileDown ? { from: whileDown.from, to: whileDown.to } : null,
  });
  const after = `${endedAt - session.pluggedAt} s`;
  const uncertain = whileDown ? `; ${whileDown.why}: the unplug time is uncertain, somewhere between ${toIso(whileDown.from)} and ${toIso(whileDown.to)}, recorded as ${toIso(endedAt)} (estimated from the energy the EUMD delivered)` : "";
  st.record(whileDown ? "unplug.uncertain" : "unplug", `${why ?? "vehicle unplugged"} after ${after}; ${session.metering.totalWh} Wh metered${undecided ? "; the binding was never decided, so any energy is at the default rate" : ""}${uncertain}`);
  st.out.push({ type: "pevlink.close", sessionId: session.id });
  if (st.s.settings.pendingIntervalS !== null) st.appliedPending();
  st.report();
  if (session.metering.lastWh !== null && session.metering.lastAt !== null) st.s.eumdLast = { wh: session.metering.lastWh, at: session.metering.lastAt };
  st.s.lastEnded = st.s.session;
  st.s.session = null;
}

function onEvseState(st: Step, next: HubState["evse"], chargerSession: string | null = null): void {
  const prev = st.s.evse;
  st.s.evse = next;
  if (next === "unknown") return;
  if (next === "E" || next === "F") st.record("evse.fault", `EVSE reports J1772 state ${next}`);
  if (isPluggedIn(next) && !active(st.session)) plug(st, prev, chargerSession);
  else if (next === "A" && active(st.session)) unplug(st);
  else if (isPluggedIn(next) && active(st.session) && chargerSession !== null && (st.session.chargerSession ?? null) === null) {
    // Some chargers name their session only after the plug-in (an OCPP transaction starts once the vehicle is
    // authorized): it is this plug-in's from then on, so a restart or a poll that finds another one sees a swap.
    st.patchSession({ chargerSession });
    st.record("evse.charger-session", `the charger names this plug-in's session ${chargerSession}; another one on the same plug-in would be another vehicle`);
  }
}

/**
 * Why the vehicle plugged in now cannot be proven to be the session's vehicle, or null when it is the same one.
 * A changed charger session counter or vehicle ID proves a swap; with neither signal the hub errs towards a new
 * session (docs/hardware.md lists what each charger reports).
 */
export function swapReason(session: Session, o: ResumeObservation): string | null {
  const before = session.chargerSession ?? null;
  if (before !== null && o.chargerSession !== null) {
    return before === o.chargerSession ? null : `the charger's session counter changed from ${before} to ${o.chargerSession} since the hub last saw it: another plug-in`;
  }
  if (session.vin !== null && o.vehicleId !== null) {
    return o.vehicleId === session.vin ? null : `the charger reports vehicle ${o.vehicleId}, the session's vehicle was ${session.vin}: the vehicle was swapped since the hub last saw it`;
  }
  return "nothing the charger reports proves the same vehicle is still plugged in (no session counter, no vehicle ID to compare), so the hub errs towards a new session";
}

/**
 * The hub started again. It has held the charger and read the EUMD, then the charger; this decides, before the
 * charger's state is acted on, where the energy since the last saved step goes (issue 12):
 * - same vehicle still plugged in: to the resumed session (`estimated` where it spans intervals);
 * - vehicle gone: to the resumed session, which ends at the estimated unplug time (recorded as uncertain);
 * - another vehicle: the old session ends at its last provable reading (plus what the charger says was not the new
 *   vehicle's), and a new session opens with its own comm-wait; the new vehicle's energy so far is its own.
 */
function onResumed(st: Step, o: ResumeObservation): void {
  const session = st.session;
  if (!active(session) || o.evse === null) {
    if (o.reading) onReading(st, o.reading.energyWh, o.reading.powerW, o.reading.at, true);
    if (o.evse !== null) onEvseState(st, o.evse, o.chargerSession);
    return;
  }
  const left = o.evse === "A";
  // A fault (E/F) proves neither an unplug nor a swap: the session stays open and the charger held (fault).
  const swap = left || !isPluggedIn(o.evse) ? null : swapReason(session, o);
  if (!left && swap === null) {
    if (o.reading) onReading(st, o.reading.energyWh, o.reading.powerW, o.reading.at, true);
    onEvseState(st, o.evse, o.chargerSession);
    return;
  }
  const m = session.metering;
  const from = (m.lastAt ?? session.pluggedAt) as UtcSeconds;
  // Estimates stay at or before the restart reading, so every reading the metering sees moves forward in time.
  const now = Math.max(from, o.reading ? Math.min(o.reading.at, st.now) : st.now) as UtcSeconds;
  // What the new vehicle drew before the hub came back: the charger's own session energy when it measures it;
  // otherwise none of the energy since the last provable reading can be given to the old vehicle.
  const total = o.reading && m.lastWh !== null ? Math.max(0, o.reading.energyWh - m.lastWh) : 0;
  const newVehicleWh = swap === null ? 0 : o.chargerSessionWh !== null ? Math.min(total, Math.max(0, o.chargerSessionWh)) : total;
  const oldWh = total - newVehicleWh;
  // The old vehicle charged at most at its last power (or the charge point's maximum) until it left.
  const power = Math.min(st.s.settings.maxPowerW, m.lastPowerW && m.lastPowerW > 0 ? m.lastPowerW : st.s.settings.maxPowerW);
  const endAt = Math.min(now, from + Math.ceil((oldWh * 3600) / power)) as UtcSeconds;
  if (o.reading && m.lastWh !== null) {
    onReading(st, m.lastWh + oldWh, m.lastPowerW ?? 0, endAt, true);
  } else if (o.reading) {
    onReading(st, o.reading.energyWh - newVehicleWh, o.reading.powerW, endAt, true);
  } else {
    st.record("eumd.unavailable", "the EUMD did not answer when the hub restarted: energy since the last reading cannot be attributed to this session until it does");
  }
  unplug(st, { at: endAt, from, to: st.now, why: swap ?? "the vehicle left while the hub was down" });
  if (swap === null) {
    st.s.evse = o.evse;
    return;
  }
  st.record("evse.swap", swap, st.s.lastEnded?.id ?? null);
  st.s.evse = "A";
  onEvseState(st, o.evse, o.chargerSession);
  const fresh = st.session;
  if (!fresh || !o.reading) return;
  // The new session's baseline is where the old one ended; what the new vehicle drew so far is spread over the time it
  // could at least have taken, flagged estimated where that crosses an interval boundary.
  const startAt = Math.max(endAt, now - Math.ceil((newVehicleWh * 3600) / st.s.settings.maxPowerW)) as UtcSeconds;
  st.patchSession({ metering: { ...fresh.metering, lastWh: o.reading.energyWh - newVehicleWh, lastAt: startAt } });
  onReading(st, o.reading.energyWh, o.reading.powerW, o.reading.at, true);
}

function onTick(st: Step): void {
  const session = st.session;
  if (active(session) && session.phase === "awaiting-binding" && st.now >= session.windowEndsAt) {
    fallback(st, "comm-timeout", `no binding within ${st.s.settings.commWaitS} s of On-Plug (FR-10)`);
  }
  if (active(st.session)) {
    const r = advanceTo(st.session.metering, st.now, st.meteringContext());
    if (r.closed.length) {
      st.patchSession({ metering: r.m });
      st.intervals(r.closed);
      if (r.applied) st.appliedPending();
      st.report();
    }
  }
  const dr = st.s.dr;
  if (dr) {
    if (st.now >= dr.endsAt) {
      st.s.dr = null;
      st.out.push({ type: "dr.status", id: dr.id, status: dr.optedOut ? "opted-out" : "completed" });
      st.record("dr.completed", `demand-response event ${dr.id} ended`);
    } else if (!dr.started && st.now >= dr.startsAt) {
      st.s.dr = { ...dr, started: true };
      if (!dr.optedOut) st.out.push({ type: "dr.status", id: dr.id, status: "started" });
      st.record("dr.started", `demand-response event ${dr.id} started (${dr.action}${dr.limitA !== null ? ` to ${dr.limitA} A` : ""})${dr.optedOut ? "; the customer opted out" : ""}`);
    }
  }
}

function onEvent(st: Step, e: EngineEvent): void {
  const session = st.session;
  switch (e.type) {
    case "evse.state":
      return onEvseState(st, e.state, e.chargerSession ?? null);
    case "hub.resumed":
      return onResumed(st, e.observed);
    case "evse.diverged":
      st.record("evse.divergence", e.reason);
      return;
    case "pev.hello":
      return onHello(st, e.vin, e.via);
    case "pev.proof":
      if (!active(session) || session.phase !== "awaiting-binding" || session.binding.path !== "rebinding") {
        st.record("pev.proof-ignored", "a PEV proof arrived with no re-binding in progress");
        return;
      }
      if (!e.ok) return fallback(st, "proof-failed", e.reason ?? "the PEV's proof did not match its enrolled secret (FR-09)");
      st.record("pev.proof-ok", `PEV ${session.vin} proved its secret over the secure link (FR-09, FR-28)`);
      return requestValidation(st, "rebinding", true);
    case "pev.ack":
    case "eumd.ack": {
      const device = e.type === "pev.ack" ? "pev" : "eumd";
      const c = session?.commissioning;
      if (!session || !c || !session.vin) {
        st.record(`${device}.ack-ignored`, `an acknowledgement from the ${device.toUpperCase()} arrived with no commissioning in progress`);
        return;
      }
      st.patchSession({ commissioning: device === "pev" ? { ...c, pevAckAt: st.now } : { ...c, eumdAckAt: st.now } });
      st.out.push({ type: "utility.ack", sessionId: session.id, vin: session.vin, device });
      st.record(`commissioning.${device}-ack`, device === "pev"
        ? "the PEV acknowledged authentication and initial setup; forwarded to the utility (FR-19)"
        : "the EUMD acknowledged the detection message and its parameters; forwarded to the utility (FR-24, FR-27)");
      return;
    }
    case "pev.link-lost":
      if (active(session)) st.record("pev-link.lost", e.reason);
      return;
    case "pev.claim-conflict":
      if (active(session) && session.phase === "awaiting-binding") return fallback(st, "two-vehicles", `two vehicles claimed this plug-in: ${e.reason}`);
      st.record("pev.claim-refused", e.reason);
      return;
    case "pev.claim-refused":
      st.record("pev.claim-refused", e.reason);
      return;
    case "utility.answer":
      return onAnswer(st, e.status, e.path, e.params);
    case "utility.unreachable":
      if (!active(session) || session.phase !== "awaiting-binding") return;
      if (session.binding.path === "rebinding" && e.offlineCredentialValid) {
        st.record("utility.unreachable", `${e.reason}; the PEV's utility-signed credential is valid and the program allows offline re-binding`);
        return bind(st, "enrolled", null, true);
      }
      st.record("utility.unreachable", `${e.reason}; still waiting until ${toIso(session.windowEndsAt)}`);
      return;
    case "eumd.status": {
      const was = st.s.eumd;
      st.s.eumd = e.present ? "present" : "absent";
      if (was !== st.s.eumd) st.record(e.present ? "eumd.online" : "eumd.offline", e.reason);
      if (!e.present && active(session) && session.phase === "awaiting-binding") fallback(st, "no-eumd", `the EUMD is unavailable: ${e.reason} (BR-6)`);
      return;
    }
    case "eumd.reading":
      return onReading(st, e.energyWh, e.powerW, e.at);
    case "tick":
      return onTick(st);
    case "config":
      if (e.intervalS !== undefined) setInterval(st, e.intervalS, "the utility's configuration");
      if (e.commWaitS !== undefined) setCommWait(st, e.commWaitS, "configuration");
      if (e.fallbackPreference !== undefined) {
        st.s.settings.fallbackPreference = e.fallbackPreference;
        st.record("config.fallback-preference", `fallback now means: ${e.fallbackPreference}`);
      }
      if (e.maxCurrentA !== undefined && e.maxCurrentA > 0) st.s.settings.maxCurrentA = e.maxCurrentA;
      return;
    case "tariff.off-peak":
      st.s.offPeak = e.offPeak;
      return;
    case "charge-mode":
      if (st.s.chargeMode !== e.mode) st.record("charge-mode", `customer chose ${e.mode}`);
      st.s.chargeMode = e.mode;
      st.s.planAllowsNow = e.planAllowsNow;
      return;
    case "dr.event":
      if (st.s.dr?.id === e.id) return;
      st.s.dr = { id: e.id, action: e.action, limitA: e.limitA, startsAt: e.startsAt, endsAt: e.endsAt, optOutAllowed: e.optOutAllowed, optedOut: false, started: false };
      st.out.push({ type: "dr.status", id: e.id, status: "received" });
      st.record("dr.received", `demand-response event ${e.id}: ${e.action} from ${toIso(e.startsAt)} to ${toIso(e.endsAt)}`);
      return onTick(st);
    case "dr.cancel":
      if (st.s.dr?.id !== e.id) return;
      st.s.dr = null;
      st.out.push({ type: "dr.status", id: e.id, status: "cancelled" });
      st.record("dr.cancelled", `demand-response event ${e.id} cancelled by the utility`);
      return;
    case "owner.request":
      st.record("owner.request", `${e.source === "mqtt" ? "over MQTT" : "on the dashboard"}: ${e.request}`);
      return;
    case "evse.vehicle-changed":
      // Only while a vehicle is plugged in: a new identity then means a new session on the same plug.
      if (!active(session) || st.s.evse === "unknown" || !isPluggedIn(st.s.evse)) return;
      unplug(st, null, `session ended: ${e.reason}`);
      return plug(st, st.s.evse, null, `a new session on the same plug-in: ${e.reason}`);
    case "dr.opt-out":
      if (st.s.dr?.id !== e.id || st.s.dr.optedOut) return;
      if (!st.s.dr.optOutAllowed) {
        st.record("dr.opt-out-refused", `the customer asked to opt out of demand-response event ${e.id}, but the program does not allow opting out of it`);
        return;
      }
      st.s.dr = { ...st.s.dr, optedOut: true };
      st.out.push({ type: "dr.status", id: e.id, status: "opted-out" });
      st.record("dr.opted-out", `the customer opted out of demand-response event ${e.id}`);
      return;
  }
}

/** The engine: apply one event at `now`, return the next state and what the shell must do. */
export function step(state: HubState, event: EngineEvent, now: UtcSeconds): StepResult {
  const st = new Step(state, now);
  onEvent(st, event);
  const want = decideEvse(st.s, now);
  const had = st.s.evseOut;
  // The EVSE is re-commanded whenever the decision or its reason changes (e.g. "no vehicle" → "waiting for the
  // utility"), so a charger that someone else enabled is held again at On-Plug.
  if (!had || had.enabled !== want.enabled || had.currentA !== want.currentA || had.why !== want.why) {
    st.s.evseOut = want;
    st.out.push({ type: "evse.set", enabled: want.enabled, currentA: want.currentA, why: want.why, by: want.by });
    if (st.session) st.record(want.enabled ? "evse.allow" : "evse.hold", want.why);
  }
  return { state: st.s, commands: st.out };
}
