// Stored sessions: GET /api/v1/sessions (list), /api/v1/sessions/:id (detail with its events and intervals), and
// the dashboard's list GET /api/v1/dashboard/sessions, which adds the cost estimate and the sync state.
import type { Priced } from "./pricing.ts";
import type { CommissioningView } from "./status.ts";

export type IntervalQualityName = "ok" | "partial" | "estimated" | "reset" | "suspect";

/** A session row as the hub's store keeps it. `phase` and `rate` are the engine's words, stored as text. */
export interface SessionRowView {
  id: string;
  seq: number;
  /** The charge point it ran on, on a hub with several ([[charge_points]] id); absent for [devices.charger]. */
  chargePoint?: string;
  premisesId: string;
  vin: string | null;
  pluggedAt: number;
  pluggedAtIso: string;
  endedAt: number | null;
  endedAtIso: string | null;
  phase: string;
  bindingPath: string | null;
  bindingStatus: string | null;
  programId: string | null;
  programName: string | null;
  tariffId: string | null;
  offline: boolean;
  established: boolean;
  fallbackReason: string | null;
  fallbackReasonText: string | null;
  rate: string;
  revision: number;
  totalWh: number;
  commissioning: CommissioningView | null;
}

export interface SessionList { sessions: SessionRowView[] }

export interface SessionEventView { at: number; atIso: string; kind: string; reason: string }
export interface IntervalView { start: number; startIso: string; lengthS: number; wh: number; quality: IntervalQualityName }

export interface SessionDetailView extends SessionRowView {
  events: SessionEventView[];
  intervals: IntervalView[];
}

/** Whether the session's latest report still waits in the outbox; "unknown" when the hub runs without sync. */
export type SyncState = "unknown" | "queued" | "in progress" | "sent";

export type DashboardSessionRow = {
  id: string;
  vin: string | null;
  pluggedAt: number;
  endedAt: number | null;
  phase: string;
  bindingStatus: string | null;
  programName: string | null;
  rate: string;
  fallbackReason: string | null;
  offline: boolean;
  totalWh: number;
  revision: number;
  sync: SyncState;
} & Priced;

export interface DashboardSessions { timeZone: string; sessions: DashboardSessionRow[] }
