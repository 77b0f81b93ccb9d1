// Builds the OCPI 2.2.1-shaped CDR a visited utility (acting as CPO) posts for a roaming PEV's session (FR-32).
// The location names the hub (as EVSE) and the premises only by an opaque ID: the home utility needs where and
// how much, not the host's address. Costs go out in dollars, rounded to the cent once for the whole CDR.
import { createHash } from "node:crypto";
import { roundToCents } from "../../../core/tariff/index.ts";
import { toIso, type UtcSeconds } from "../../../core/time/index.ts";
import { partyIdOf, type OcpiCdr } from "../../protocol/index.ts";
import type { SessionReport } from "../../protocol/index.ts";

export interface CdrInput {
  report: SessionReport;
  visitedUtilityId: string;
  homeUtilityId: string;
  /** Cost of the session at the visited premises' regular rate, nano-dollars. */
  totalNano: number;
  tariffId: string;
  now: UtcSeconds;
}

export function buildCdr(i: CdrInput): OcpiCdr {
  const r = i.report;
  const ended = r.unpluggedAt ?? (r.intervals.length ? (r.intervals.at(-1)!.start + r.intervals.at(-1)!.lengthS) : r.pluggedAt);
  const opaquePremises = createHash("sha256").update(`${i.visitedUtilityId}\n${r.premisesId}`).digest("hex").slice(0, 24);
  return {
    country_code: "US",
    party_id: partyIdOf(i.visitedUtilityId),
    id: `cdr-${r.sessionId}`.slice(0, 39),
    start_date_time: toIso(r.pluggedAt),
    end_date_time: toIso(ended as UtcSeconds),
    session_id: r.sessionId.slice(0, 36),
    cdr_token: { country_code: "US", party_id: partyIdOf(i.homeUtilityId), uid: r.vin!, type: "OTHER", contract_id: r.vin! },
    auth_method: "AUTH_REQUEST",
    cdr_location: {
      id: opaquePremises, address: "withheld (residential premises)", city: "withheld", country: "USA",
      coordinates: { latitude: "0.000000", longitude: "0.000000" },
      evse_uid: r.hubId.slice(0, 36), evse_id: `US*${partyIdOf(i.visitedUtilityId)}*E${r.hubId}`.slice(0, 48), connector_id: "1",
      connector_standard: "SAE_J1772", connector_format: "CABLE", connector_power_type: "AC_1_PHASE",
    },
    currency: "USD",
    charging_periods: r.intervals.filter((iv) => iv.wh > 0).map((iv) => ({
      start_date_time: toIso(iv.start), dimensions: [{ type: "ENERGY" as const, volume: iv.wh / 1000 }], tariff_id: i.tariffId.slice(0, 36),
    })),
    total_cost: { excl_vat: roundToCents(i.totalNano) / 100 },
    total_energy: r.totalWh / 1000,
    total_time: Math.max(0, ended - r.pluggedAt) / 3600,
    last_updated: toIso(i.now),
  };
}
