// The JSON the hub's dashboard API returns, as the page reads it (edge/http/dashboard/dashboard-views.ts builds it).
// ui/ imports no edge code, so the wire shapes are restated here; the browser tests keep the two in step.
import type { FallbackReason } from "../../core/binding/index.ts";
import type { J1772State } from "../../core/ports/index.ts";

export interface AuthState { setupNeeded: boolean; loggedIn: boolean; role: "owner" | "guest" | null; csrf: string | null; guestView: boolean; minPasswordLength: number }

export interface SessionNow {
  id: string; phase: "awaiting-binding" | "bound" | "fallback" | "ended"; vin: string | null; pluggedAt: number; established: boolean;
  binding: { programName: string | null; programId: string | null; offline: boolean; status: string | null; path: string | null };
  rate: "pending" | "program" | "default"; fallbackReason: FallbackReason | null; fallbackReasonText: string | null;
  commWaitEndsAt: number; commWaitLeftS: number | null; energyWh: number; intervalS: number;
}

export interface DeviceHealth { online: boolean | null; lastOkAt: number | null; lastError: string | null; failures: number }

export interface PriceNow {
  tariffId: string; tariffName: string; periodName: string; priceMicroUsdPerKWh: number; until: number;
  next: { periodName: string; priceMicroUsdPerKWh: number; since: number } | null;
}

export interface NowView {
  now: number; timeZone: string; premisesId: string;
  chargePoint: { evseState: J1772State | "unknown"; evse: { enabled: boolean; currentA: number; why: string } | null; eumd: "present" | "absent" | "unknown" };
  session: SessionNow | null; lastSession: SessionNow | null;
  settings: { commWaitS: number; intervalS: number; fallbackPreference: string; chargeMode: string };
  devices: Record<"charger" | "eumd" | "premises" | "utility", DeviceHealth>;
  live: { powerW: number; at: number } | null;
  price: PriceNow | null; priceProblem: string | null; costNanoUsd: number | null;
  chargePlan: { mode: "charge-now" | "cheapest-hours"; departAt: string | null; planAllowsNow: boolean };
  demandResponse: { id: string; action: "pause" | "curtail"; limitA: number | null; startsAt: number; endsAt: number; optOutAllowed: boolean; optedOut: boolean; started: boolean } | null;
}

export interface Reading { powerW: number; at: number; sessionWh: number | null }

export interface SessionListRow {
  id: string; vin: string | null; pluggedAt: number; endedAt: number | null; phase: string; bindingStatus: string | null; programName: string | null;
  rate: string; fallbackReason: string | null; offline: boolean; totalWh: number; costNanoUsd: number | null; revision: number; sync: string;
}

export interface SessionDetail {
  id: string; vin: string | null; pluggedAt: number; endedAt: number | null; phase: string; rate: string; programName: string | null;
  fallbackReasonText: string | null; totalWh: number;
  events: { at: number; kind: string; reason: string }[];
  intervals: { start: number; lengthS: number; wh: number; quality: string }[];
}

export interface UsageView {
  month: string; timeZone: string; tariffName: string | null; totalWh: number; totalNanoUsd: number | null;
  days: { date: string; wh: number; nanoUsd: number | null; byPeriod: { periodName: string; wh: number; nanoUsd: number }[] | null }[];
  bills: { month?: string; totalCents?: number }[];
}

export interface TariffShape {
  id: string; name: string; example: boolean; timeZone: string; effectiveFrom: string; role: string;
  periods: { name: string; priceMicroUsdPerKWh: number }[];
  seasons: { months: number[]; weekday: number[]; weekend: number[] }[];
}

export interface ProgramView {
  timeZone: string; premisesId: string; utilityId: string;
  program: { id: string | null; name: string | null; tariffId: string | null } | null;
  pevs: { vin: string; programId: string; commissionedAt: number; offlineUntil: number | null }[];
  tariffs: TariffShape[]; guestView: boolean;
}

export interface DevicesView {
  timeZone: string;
  charger: DeviceHealth & { state: string; output: { enabled: boolean; currentA: number; why: string } | null };
  eumd: DeviceHealth & { state: string };
  premises: DeviceHealth; utility: DeviceHealth; zigbee: ZigbeeView | null;
  /** The OCPP central system, when the charger is an OCPP one. */
  ocpp: OcppView | null;
  /** RFID cards and Autocharge IDs the owner registered for a VIN (the charger's vehicle identity). */
  vehicleTags: { tag: string; vin: string; registeredAt: number }[];
}

export interface OcppView {
  url: string; tls: boolean; fingerprintSha256: string | null;
  chargePoint: { id: string; connected: boolean; vendor: string | null; model: string | null; quirks: string | null; controlMode: string | null; lastHeardAt: number | null } | null;
  pending: { id: string; firstSeenAt: number; lastSeenAt: number; remote: string; offeredPassword: boolean; vendor?: string; model?: string }[];
}

export interface ZigbeeView {
  adapter: string; channel: number;
  /** Seconds until permit-join closes; 0 = closed. */
  permitJoinSecondsLeft: number;
  devices: { ieeeAddr: string; networkAddress: number; type: string; modelId: string | null; manufacturer: string | null; interview: string; lastSeen: number | null }[];
}

export interface SettingsView {
  timeZone: string; commWaitS: number; intervalS: number; pendingIntervalS: number | null; fallbackPreference: string;
  utility: DeviceHealth; outbox: { waiting: number; oldestCreatedAtMs: number | null; lastError: string | null; deadLetters: number } | null; guestView: boolean;
}
