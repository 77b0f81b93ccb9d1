// One place decides what the EVSE may do, by priority (after OpenEVSE's arbiter): safety, then the binding rules
// of the use case, then utility demand response, then the customer's schedule, then "charge".
import { isPluggedIn } from "../../core/ports/index.ts";
import type { EvseOutput, HubState } from "./types.ts";

export function decideEvse(s: HubState, now: number): EvseOutput {
  const max = s.settings.maxCurrentA;
  const held = (why: string): EvseOutput => ({ enabled: false, currentA: max, why });
  const session = s.session;
  if (s.evse === "E" || s.evse === "F") return held("EVSE reports a fault (J1772 state " + s.evse + ")");
  if (!session || session.phase === "ended" || s.evse === "A" || (s.evse !== "unknown" && !isPluggedIn(s.evse))) return held("no vehicle plugged in");
  if (session.phase === "awaiting-binding") return held("waiting for the utility to confirm the vehicle (NFR-2, NFR-3)");
  const dr = s.dr;
  if (session.phase === "bound" && dr && !dr.optedOut && now >= dr.startsAt && now < dr.endsAt) {
    if (dr.action === "pause") return held(`paused by utility demand-response event ${dr.id}`);
    const limit = Math.min(max, dr.limitA ?? max);
    return { enabled: true, currentA: limit, why: `curtailed to ${limit} A by utility demand-response event ${dr.id}` };
  }
  if (session.phase === "fallback" && s.settings.fallbackPreference === "wait-off-peak" && !s.offPeak) {
    return held("fallback: waiting for the premises' off-peak hours (customer preference)");
  }
  if (session.phase === "bound" && s.chargeMode === "cheapest-hours" && !s.planAllowsNow) {
    return held("waiting for the cheapest hours before departure (customer preference)");
  }
  const what = session.phase === "bound" ? `under program ${session.binding.programName ?? session.binding.programId}` : "at the premises default rate (fallback)";
  return { enabled: true, currentA: max, why: `charging ${what}` };
}
