// One place decides what the EVSE may do, by priority (after OpenEVSE's arbiter): safety, then the binding rules
// of the use case, then utility demand response, then the customer's schedule, then "charge". Each answer names
// who decided it, so the actuator and the session's events can say why the charger is held or allowed.
import { isPluggedIn } from "../../core/ports/index.ts";
import type { EvseDecider, EvseOutput, HubState } from "./types.ts";

export function decideEvse(s: HubState, now: number): EvseOutput {
  const max = s.settings.maxCurrentA;
  const held = (by: EvseDecider, why: string): EvseOutput => ({ enabled: false, currentA: max, why, by });
  const session = s.session;
  if (s.evse === "E" || s.evse === "F") return held("fault", "EVSE reports a fault (J1772 state " + s.evse + ")");
  if (!session || session.phase === "ended" || s.evse === "A" || (s.evse !== "unknown" && !isPluggedIn(s.evse))) return held("no-vehicle", "no vehicle plugged in");
  // After a restart the charger keeps whatever it had: hold it until the EUMD and the charger have been read,
  // so a vehicle swapped while the hub was down never charges on the previous vehicle's binding.
  if (s.evse === "unknown") return held("restart", "the hub (re)started with a session open: held until it has read the EUMD and the charger");
  if (session.phase === "awaiting-binding") return held("binding-wait", "waiting for the utility to confirm the vehicle (NFR-2, NFR-3)");
  const dr = s.dr;
  if (session.phase === "bound" && dr && !dr.optedOut && now >= dr.startsAt && now < dr.endsAt) {
    if (dr.action === "pause") return held("dr", `paused by utility demand-response event ${dr.id}`);
    const limit = Math.min(max, dr.limitA ?? max);
    return { enabled: true, currentA: limit, why: `curtailed to ${limit} A by utility demand-response event ${dr.id}`, by: "dr" };
  }
  if (session.phase === "fallback" && s.settings.fallbackPreference === "wait-off-peak" && !s.offPeak) {
    return held("fallback-preference", "fallback: waiting for the premises' off-peak hours (customer preference)");
  }
  if (session.phase === "bound" && s.chargeMode === "cheapest-hours" && !s.planAllowsNow) {
    return held("schedule", "waiting for the cheapest hours before departure (customer preference)");
  }
  const what = session.phase === "bound" ? `under program ${session.binding.programName ?? session.binding.programId}` : "at the premises default rate (fallback)";
  return { enabled: true, currentA: max, why: `charging ${what}`, by: session.phase === "fallback" ? "fallback-preference" : "charge" };
}
