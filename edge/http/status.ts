// The JSON views the hub's HTTP API returns: plain data for the dashboard and for scripts, with UTC seconds
// and ISO strings side by side so nobody has to guess the unit.
import { FALLBACK_REASON_TEXT, type FallbackReason } from "../../core/binding/index.ts";
import { toIso, type UtcSeconds } from "../../core/time/index.ts";
import type { Session } from "../engine/types.ts";
import type { Hub } from "../hub/hub.ts";
import type { SessionDetail, SessionRow } from "../store/hub-store.ts";

export function sessionView(s: Session, now: UtcSeconds) {
  return {
    id: s.id,
    phase: s.phase,
    vin: s.vin,
    pluggedAt: s.pluggedAt,
    pluggedAtIso: toIso(s.pluggedAt),
    established: s.phase === "bound",
    binding: s.binding,
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

export function statusView(hub: Hub, now: UtcSeconds) {
  const st = hub.snapshot();
  return {
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

export function sessionRowView(r: SessionRow) {
  return {
    ...r,
    pluggedAtIso: toIso(r.pluggedAt as UtcSeconds),
    endedAtIso: r.endedAt === null ? null : toIso(r.endedAt as UtcSeconds),
    established: r.bindingStatus !== null && r.phase !== "fallback" && r.rate === "program",
    fallbackReasonText: r.fallbackReason ? FALLBACK_REASON_TEXT[r.fallbackReason as FallbackReason] ?? r.fallbackReason : null,
  };
}

export function sessionDetailView(d: SessionDetail) {
  return {
    ...sessionRowView(d),
    events: d.events.map((e) => ({ ...e, atIso: toIso(e.at as UtcSeconds) })),
    intervals: d.intervals.map((i) => ({ ...i, startIso: toIso(i.start as UtcSeconds) })),
  };
}
