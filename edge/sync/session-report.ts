// Builds the utility's session report (cloud-sync protocol) from what the hub's store holds about a session.
import { isReportedToUtility } from "../engine/event-kinds.ts";
import type { HubId, PremisesId, UtilityId } from "../../core/ids/index.ts";
import type { SessionReport } from "../../cloud-sync/protocol/index.ts";
import type { HubStore } from "../store/hub-store.ts";


/** Names a charge point's EUMD for the utility (config key or device address); absent: the hub has one charger. */
export type EumdIdOf = (chargePoint: string | null) => string;

export function buildSessionReport(store: HubStore, sessionId: string, ids: { hubId: HubId; premisesId: PremisesId; utilityId: UtilityId; chargePointEumdId?: EumdIdOf }): SessionReport | null {
  const s = store.getSession(sessionId);
  if (!s) return null;
  const intervals = s.intervals.map((i) => ({ start: i.start, lengthS: i.lengthS, wh: i.wh, quality: i.quality }));
  const ended = s.phase === "ended";
  const rate = s.rate === "program" ? "program" : "default";
  return {
    v: 1,
    sessionId: s.id,
    revision: Math.max(1, s.revision),
    hubId: ids.hubId,
    premisesId: ids.premisesId,
    utilityId: ids.utilityId,
    customerId: null,
    accountId: null,
    vin: s.vin,
    binding: {
      status: s.bindingStatus,
      path: s.bindingPath,
      // A session that ended before any decision charged nothing under the program: report it as a timeout.
      fallbackReason: rate === "default" ? s.fallbackReason ?? "comm-timeout" : null,
      offline: s.offline,
    },
    rate,
    programId: rate === "program" ? s.programId : null,
    tariffId: rate === "program" ? s.tariffId : null,
    pluggedAt: s.pluggedAt,
    unpluggedAt: s.endedAt,
    final: ended,
    intervals,
    totalWh: intervals.reduce((a, i) => a + i.wh, 0),
    events: s.events.filter((e) => isReportedToUtility(e.kind)).slice(-1000).map((e) => ({ at: e.at, kind: e.kind, reason: e.reason.slice(0, 500) })),
    // A hub with several charge points says which one, and its EUMD (the hub's own charger is named "charger").
    ...(ids.chargePointEumdId ? { chargePoint: { id: s.chargePoint ?? "charger", eumdId: ids.chargePointEumdId(s.chargePoint) } } : {}),
  } as SessionReport;
}
