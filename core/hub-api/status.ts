// GET /api/v1/status: the hub's state for scripts and for the dashboard's Now page (which adds to it, see now.ts).
// Times are UTC seconds with an ISO string beside them where a person may read the raw JSON.
import type { BindingPath, BindingStatus, FallbackReason } from "../binding/index.ts";
import type { J1772State } from "../ports/index.ts";

/** GET /healthz (no login): the process answers, and since when. */
export interface HealthView { ok: true; uptimeS: number }

export type SessionPhase = "awaiting-binding" | "bound" | "fallback" | "ended";
/** Which rate all of a session's energy is billed at (BR-4): undecided until bound or fallen back. */
export type SessionRate = "pending" | "program" | "default";
export type ChargeModeName = "charge-now" | "cheapest-hours";
/** What fallback does (FR-10): charge at once, or wait for the off-peak period. */
export type FallbackPreferenceName = "charge-now" | "wait-off-peak";
export type HubDevice = "charger" | "eumd" | "premises" | "utility";

/** How a device (or the utility link) has answered lately; `online` is null until it was tried. */
export interface DeviceHealth { online: boolean | null; lastOkAt: number | null; lastError: string | null; failures: number }

export interface SessionBindingView {
  path: BindingPath | null;
  status: BindingStatus | null;
  programId: string | null;
  programName: string | null;
  tariffId: string | null;
  /** Bound from the unexpired utility-signed credential while the utility was unreachable. */
  offline: boolean;
  requestedAt: number | null;
  decidedAt: number | null;
}

/** Commissioning steps (S1 steps 7-16): when the parameters went out and when each device acknowledged. */
export interface CommissioningView {
  pevParamsSentAt: number | null;
  pevAckAt: number | null;
  eumdDetectSentAt: number | null;
  eumdAckAt: number | null;
}

/** The session in progress (or the last one), as the engine holds it. */
export interface SessionView {
  id: string;
  phase: SessionPhase;
  vin: string | null;
  pluggedAt: number;
  pluggedAtIso: string;
  /** Bound to a program (the use case's "session established"). */
  established: boolean;
  binding: SessionBindingView;
  rate: SessionRate;
  fallbackReason: FallbackReason | null;
  fallbackReasonText: string | null;
  commWaitEndsAt: number;
  /** Seconds left in the comm-wait window while waiting for the binding; null otherwise. */
  commWaitLeftS: number | null;
  commissioning: CommissioningView | null;
  energyWh: number;
  intervalS: number;
  revision: number;
}

/** What the hub last commanded the charger. */
export interface EvseOutputView { enabled: boolean; currentA: number; why: string }

export interface DemandResponseView {
  id: string;
  action: "pause" | "curtail";
  limitA: number | null;
  startsAt: number;
  endsAt: number;
  optOutAllowed: boolean;
  optedOut: boolean;
  started: boolean;
}

export interface HubSettingsView {
  commWaitS: number;
  intervalS: number;
  /** A new interval length set by the utility, in force from the next interval boundary (FR-25). */
  pendingIntervalS: number | null;
  fallbackPreference: FallbackPreferenceName;
  chargeMode: ChargeModeName;
}

/** One charge point of a hub with several (issue 16 item 7): its own engine's state, session and devices. */
export interface ChargePointStatusView {
  /** The hub's name for it: "charger" for [devices.charger], else its [[charge_points]] id. */
  id: string;
  evseState: J1772State | "unknown";
  evse: EvseOutputView | null;
  eumd: "present" | "absent" | "unknown";
  session: SessionView | null;
  lastSession: SessionView | null;
  devices: Pick<Record<HubDevice, DeviceHealth>, "charger" | "eumd">;
}

export interface StatusView {
  now: number;
  nowIso: string;
  premisesId: string;
  utilityId: string;
  chargePoint: { evseState: J1772State | "unknown"; evse: EvseOutputView | null; eumd: "present" | "absent" | "unknown" };
  session: SessionView | null;
  lastSession: SessionView | null;
  settings: HubSettingsView;
  demandResponse: DemandResponseView | null;
  devices: Record<HubDevice, DeviceHealth>;
  /**
   * Present when the hub has more than one charge point: every one, [devices.charger]'s first (whose state the
   * fields above also carry, as for a single-charger hub).
   */
  chargePoints?: ChargePointStatusView[];
}
