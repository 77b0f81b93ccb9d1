// The JSON views the hub's HTTP API returns: plain data for the dashboard and for scripts, with UTC seconds
// and ISO strings side by side so nobody has to guess the unit. The shapes are declared in core/hub-api; each
// field is picked here (never spread from an internal type), so nothing reaches the wire undeclared.
import { FALLBACK_REASON_TEXT, type FallbackReason } from "../../core/binding/index.ts";
import type { ChargePointStatusView, SessionDetailView, SessionList, SessionRowView, SessionView, StatusView } from "../../core/index.ts";
import { toIso, type UtcSeconds } from "../../core/time/index.ts";
import type { Session } from "../engine/types.ts";
import type { Hub } from "../hub/hub.ts";
import type { SessionDetail, SessionRow } from "../store/hub-store.ts";

export function sessionView(s: Session, now: UtcSeconds): SessionView {
  const b = s.binding;
  return {
    id: s.id,
    phase: s.phase,
    vin: s.vin,
    pluggedAt: s.pluggedAt,
    pluggedAtIso: toIso(s.pluggedAt),
    established: s.phase === "bound",
    binding: {
      path: b.path, status: b.status, programId: b.programId, programName: b.programName, tariffId: b.tariffId,
      offline: b.offline, requestedAt: b.requestedAt, decidedAt: b.decidedAt,
    },
    rate: s.rate,
    fallbackReason: s.fallbackReason,
    fallbackReasonText: s.fallbackReason ? FALLBACK_REASON_TEXT[s.fallbackReason] : null,
    commWaitEndsAt: s.windowEndsAt,
    commWaitLeftS: s.phase === "awaiting-binding" ? Math.max(0, s.windowEndsAt - now) : null,
    commissioning: s.commissioning,
    energyWh: s.metering.totalWh,
    intervalS: s.metering.intervalS,
    revision: s.revision,
  };
}

/** The hub's name for a charge point on the wire: [devices.charger] is "charger". */
export const chargePointName = (hub: Hub): string => hub.chargePointId ?? "charger";

export function chargePointStatusView(hub: Hub, now: UtcSeconds): ChargePointStatusView {
  const st = hub.snapshot();
  return {
    id: chargePointName(hub),
    evseState: st.evse, evse: st.evseOut, eumd: st.eumd,
    session: st.session ? sessionView(st.session, now) : null,
    lastSession: st.lastEnded ? sessionView(st.lastEnded, now) : null,
    devices: { charger: hub.health.charger, eumd: hub.health.eumd },
  };
}

/** `hubs`: every charge point's engine when the hub has several ([devices.charger]'s first, as `hub`). */
export function statusView(hub: Hub, now: UtcSeconds, hubs: readonly Hub[] = [hub]): StatusView {
  const st = hub.snapshot();
  return {
    ...(hubs.length > 1 ? { chargePoints: hubs.map((h) => chargePointStatusView(h, now)) } : {}),
    now,
    nowIso: toIso(now),
    premisesId: st.settings.premisesId,
    utilityId: st.settings.utilityId,
    chargePoint: {
      evseState: st.evse,
      evse: st.evseOut,
      eumd: st.eumd,
    },
    session: st.session ? sessionView(st.session, now) : null,
    lastSession: st.lastEnded ? sessionView(st.lastEnded, now) : null,
    settings: {
      commWaitS: st.settings.commWaitS,
      intervalS: st.settings.intervalS,
      pendingIntervalS: st.settings.pendingIntervalS,
      fallbackPreference: st.settings.fallbackPreference,
      chargeMode: st.chargeMode,
    },
    demandResponse: st.dr,
    devices: hub.health,
  };
}

export function sessionRowView(r: SessionRow): SessionRowView {
  return {
    id: r.id, seq: r.seq, ...(r.chargePoint !== null ? { chargePoint: r.chargePoint } : {}), premisesId: r.premisesId, vin: r.vin,
    pluggedAt: r.pluggedAt, pluggedAtIso: toIso(r.pluggedAt as UtcSeconds),
    endedAt: r.endedAt, endedAtIso: r.endedAt === null ? null : toIso(r.endedAt as UtcSeconds),
    phase: r.phase, bindingPath: r.bindingPath, bindingStatus: r.bindingStatus, programId: r.programId, programName: r.programName,
    tariffId: r.tariffId, offline: r.offline,
    established: r.bindingStatus !== null && r.phase !== "fallback" && r.rate === "program",
    fallbackReason: r.fallbackReason,
    fallbackReasonText: r.fallbackReason ? FALLBACK_REASON_TEXT[r.fallbackReason as FallbackReason] ?? r.fallbackReason : null,
    rate: r.rate, revision: r.revision, totalWh: r.totalWh, commissioning: r.commissioning,
  };
}

export const sessionListView = (rows: readonly SessionRow[]): SessionList => ({ sessions: rows.map(sessionRowView) });

export function sessionDetailView(d: SessionDetail): SessionDetailView {
  return {
    ...sessionRowView(d),
    events: d.events.map((e) => ({ at: e.at, atIso: toIso(e.at as UtcSeconds), kind: e.kind, reason: e.reason })),
    intervals: d.intervals.map((i) => ({ start: i.start, startIso: toIso(i.start as UtcSeconds), lengthS: i.lengthS, wh: i.wh, quality: i.quality })),
  };
}
