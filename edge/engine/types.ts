// The session engine's vocabulary: its state, the events the shell feeds it and the commands it hands back.
// The engine itself (reducer.ts) is a pure function over these; everything here is plain, JSON-safe data,
// so the hub can snapshot the state to its store and resume after a crash.
import type { SessionBindingView } from "../../core/index.ts";
import type { SessionEventKind } from "./event-kinds.ts";
import type { AuthenticationParameters, BindingPath, BindingStatus, FallbackReason } from "../../core/binding/index.ts";
import type { PremisesId, SessionId, UtilityId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { J1772State } from "../../core/ports/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";

export type Phase = "awaiting-binding" | "bound" | "fallback" | "ended";

/** What fallback does (FR-10: "charging proceeds per customer preferences"). */
export type FallbackPreference = "charge-now" | "wait-off-peak";

/** How a bound session charges: at once, or in the cheapest hours before departure (planned by the shell). */
export type ChargeMode = "charge-now" | "cheapest-hours";

export type IntervalQuality = "ok" | "partial" | "estimated" | "reset" | "suspect";

export interface EngineSettings {
  premisesId: PremisesId;
  utilityId: UtilityId;
  /** Comm-wait window after On-Plug, seconds; never below 60 (NFR-3). */
  commWaitS: number;
  /** EUMD interval length in force, seconds (FR-25). */
  intervalS: number;
  /** A new interval length waiting for the next boundary (FR-25). */
  pendingIntervalS: number | null;
  fallbackPreference: FallbackPreference;
  /** The EVSE's maximum current, amperes: what "charge" means when nothing curtails it. */
  maxCurrentA: number;
  /** Above this many watts between two readings, an energy step is physically impossible for this charge point. */
  maxPowerW: number;
  /**
   * Several charge points share one premises, one store and one sequence of session numbers: this engine takes the
   * numbers n with n % of === index (absent: every number, the single charge point). Session IDs stay unique per
   * premises however many engines plug in at the same second.
   */
  seqSlot?: { index: number; of: number };
}

export interface CommissioningProgress {
  pevParamsSentAt: UtcSeconds | null; // FR-16, FR-18
  pevAckAt: UtcSeconds | null; // FR-19
  eumdDetectSentAt: UtcSeconds | null; // FR-23, FR-26
  eumdAckAt: UtcSeconds | null; // FR-27
}

/** The binding as the engine keeps it: the wire's view (core/hub-api) with its times as UTC seconds. */
export interface SessionBinding extends Omit<SessionBindingView, "requestedAt" | "decidedAt"> {
  requestedAt: UtcSeconds | null;
  decidedAt: UtcSeconds | null;
}

/** The EUMD interval being filled. Energy is attributed pro rata by time between readings. */
export interface MeteringState {
  /** Last accepted cumulative register value and when it was read. */
  lastWh: number | null;
  lastAt: UtcSeconds | null;
  intervalStart: UtcSeconds;
  /** End of the interval being filled (start + intervalS). */
  intervalEnd: UtcSeconds;
  /** Interval length in force (FR-25). */
  intervalS: number;
  accWh: number;
  quality: IntervalQuality;
  /** Consecutive readings rejected as impossible; after 3 consistent ones the register is re-based (swapped meter). */
  rejected: number;
  rejectedWh: number | null;
  totalWh: number;
  /** Power the EUMD showed at the last accepted reading: estimates when a vehicle left while the hub was down. */
  lastPowerW?: number;
}

export interface Session {
  id: SessionId;
  seq: number;
  pluggedAt: UtcSeconds;
  windowEndsAt: UtcSeconds;
  phase: Phase;
  vin: Vin | null;
  binding: SessionBinding;
  fallbackReason: FallbackReason | null;
  /** Which rate all of this session's energy is billed at; decided once, never changed (BR-4). */
  rate: "pending" | "program" | "default";
  commissioning: CommissioningProgress | null;
  metering: MeteringState;
  endedAt: UtcSeconds | null;
  /** Bumped whenever the session's report to the utility changes (sync dedupes on id + revision). */
  revision: number;
  intervalsClosed: number;
  /** The charger's own session counter or transaction ID at plug-in, when it has one: a change proves a new vehicle. */
  chargerSession?: string | null;
  /** Set when the vehicle left while the hub was down: the unplug happened somewhere in [from, to] (UTC seconds). */
  unpluggedBetween?: { from: UtcSeconds; to: UtcSeconds } | null;
}

export interface KnownPev {
  programId: string;
  commissionedAt: UtcSeconds;
  /** Offline re-binding allowed until this time (the credential's expiry), if the program allows it. */
  credentialExpiresAt: UtcSeconds | null;
}

export interface DemandResponse {
  id: string;
  action: "pause" | "curtail";
  limitA: number | null;
  startsAt: UtcSeconds;
  endsAt: UtcSeconds;
  /** The program lets the customer opt out of this event (the utility says so per event). */
  optOutAllowed: boolean;
  optedOut: boolean;
  started: boolean;
}

/** Who decided the EVSE's output, by the arbiter's priority (edge/engine/arbiter.ts). */
export type EvseDecider = "fault" | "no-vehicle" | "restart" | "binding-wait" | "dr" | "fallback-preference" | "schedule" | "charge";

export interface EvseOutput { enabled: boolean; currentA: number; why: string; by: EvseDecider }

/** What the hub found when it started again with a session open: read after the charger was held, EUMD first. */
export interface ResumeObservation {
  /** The charger's J1772 state, or null when it did not answer (the hub keeps holding until a poll succeeds). */
  evse: J1772State | null;
  /** The EUMD's register, or null when it did not answer. */
  reading: { energyWh: number; powerW: number; at: UtcSeconds } | null;
  /** A vehicle identifier the charger reports now (EVCCID, RFID, VIN), if any. */
  vehicleId: string | null;
  /** The charger's session counter or transaction ID now, if it has one. */
  chargerSession: string | null;
  /** Energy the charger says its current session delivered, Wh, if it measures it. */
  chargerSessionWh: number | null;
}

export interface HubState {
  settings: EngineSettings;
  evse: J1772State | "unknown";
  eumd: "present" | "absent" | "unknown";
  /** Last EUMD register seen outside a session: the baseline the next session starts from. */
  eumdLast: { wh: number; at: UtcSeconds } | null;
  /** Whether the premises tariff is in its cheapest period now (computed by the shell from the tariff). */
  offPeak: boolean;
  chargeMode: ChargeMode;
  /** For cheapest-hours: does the shell's plan allow charging in the current slot? */
  planAllowsNow: boolean;
  dr: DemandResponse | null;
  knownPevs: Record<string, KnownPev>;
  session: Session | null;
  /** The session that ended last, in its final form (for the store and the dashboard). */
  lastEnded: Session | null;
  sessionSeq: number;
  /** Last output commanded to the EVSE, so it is only written on change. */
  evseOut: EvseOutput | null;
}

// ---- Events the shell feeds in -------------------------------------------------------------

export type EngineEvent =
  | { type: "evse.state"; state: J1772State; chargerSession?: string | null }
  /** The hub (re)started: what it read from the EUMD and the charger before acting on either (issue 12). */
  | { type: "hub.resumed"; observed: ResumeObservation }
  /** The charger's actual output differs from what the hub last wrote (the actuator re-applies it). */
  | { type: "evse.diverged"; reason: string }
  /** `via`: how an ID-only identity reached the hub (e.g. a charger's idTag the owner registered), recorded for the utility. */
  | { type: "pev.hello"; vin: string; via?: string }
  | { type: "pev.proof"; ok: boolean; reason?: string }
  | { type: "pev.ack" }
  | { type: "pev.link-lost"; reason: string }
  /** A second PEV link said hello on this plug-in: before any link proved itself the session cannot be trusted. */
  | { type: "pev.claim-conflict"; reason: string }
  /** A later PEV link was turned away because the session's link had already proved itself or been decided. */
  | { type: "pev.claim-refused"; reason: string }
  | { type: "utility.answer"; status: BindingStatus; path: BindingPath; params: AuthenticationParameters | null }
  | { type: "utility.unreachable"; reason: string; offlineCredentialValid: boolean }
  | { type: "eumd.status"; present: boolean; reason: string }
  | { type: "eumd.reading"; energyWh: number; powerW: number; at: UtcSeconds }
  | { type: "eumd.ack" }
  | { type: "tick" }
  | { type: "config"; intervalS?: number; commWaitS?: number; fallbackPreference?: FallbackPreference; maxCurrentA?: number }
  | { type: "tariff.off-peak"; offPeak: boolean }
  | { type: "charge-mode"; mode: ChargeMode; planAllowsNow: boolean }
  | { type: "dr.event"; id: string; action: "pause" | "curtail"; limitA: number | null; startsAt: UtcSeconds; endsAt: UtcSeconds; optOutAllowed: boolean }
  | { type: "dr.cancel"; id: string }
  | { type: "dr.opt-out"; id: string }
  /** The owner asked for something (dashboard or MQTT): recorded with where it came from, before it is applied. */
  | { type: "owner.request"; source: OwnerRequestSource; request: string }
  /**
   * The EVSE reports a different vehicle on the same plug-in (an OCPP charger saw a new idTag): the session ends and a
   * new one opens with its own comm-wait window and binding (issue 16; FR-28).
   */
  | { type: "evse.vehicle-changed"; reason: string };

/** Where an owner's request came from; MQTT and the dashboard go through the same code path (edge/hub/owner-requests.ts). */
export type OwnerRequestSource = "dashboard" | "mqtt";

// ---- Commands the engine hands back --------------------------------------------------------

export interface SessionEventRecord {
  sessionId: SessionId | null;
  at: UtcSeconds;
  kind: SessionEventKind;
  reason: string;
}

export interface ClosedInterval {
  sessionId: SessionId;
  start: UtcSeconds;
  lengthS: number;
  wh: number;
  quality: IntervalQuality;
}

export type Command =
  | { type: "evse.set"; enabled: boolean; currentA: number; why: string; by: EvseDecider }
  | { type: "pevlink.open"; sessionId: SessionId }
  | { type: "pevlink.close"; sessionId: SessionId }
  | { type: "pev.challenge"; vin: Vin }
  | { type: "pev.confirm"; status: BindingStatus; params: AuthenticationParameters | null; commissioning: boolean }
  | { type: "utility.validate"; sessionId: SessionId; vin: Vin; premisesId: PremisesId; path: BindingPath; proofOk: boolean }
  | { type: "utility.ack"; sessionId: SessionId; vin: Vin; device: "pev" | "eumd" }
  | { type: "eumd.detect"; params: AuthenticationParameters }
  | { type: "display"; text: string }
  | { type: "record"; event: SessionEventRecord }
  | { type: "interval"; interval: ClosedInterval }
  | { type: "session.report"; sessionId: SessionId; revision: number }
  | { type: "dr.status"; id: string; status: "received" | "started" | "completed" | "opted-out" | "cancelled" };

export interface StepResult { state: HubState; commands: Command[] }
