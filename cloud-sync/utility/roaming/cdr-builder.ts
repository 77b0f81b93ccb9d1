// Builds the OCPI 2.2.1 CDR a visited utility (acting as CPO) posts for a roaming PEV's session (FR-32), and the
// credit CDR that cancels one already sent when the session is corrected or cancelled (issue 14). The location names
// the hub (as EVSE) and the premises only by opaque IDs: the home utility needs where and how much, not the host's
// address. Each charging period names the tariff that priced it, and those tariffs travel with the CDR, so the home
// utility can check total_energy_cost = Σ volume × price. Costs go out in dollars, rounded to the cent once.
import { createHash } from "node:crypto";
import { roundToCents } from "../../../core/tariff/index.ts";
import { toIso, type UtcSeconds } from "../../../core/time/index.ts";
import type { OcpiCdr, OcpiParty, OcpiTariff, SessionReport } from "../../protocol/index.ts";
import type { Posting } from "../types.ts";

export interface CdrInput {
  report: SessionReport;
  /** The visited utility's own OCPI party (the CDR's owner) and the home utility's (the token's issuer). */
  cpo: OcpiParty;
  emsp: OcpiParty;
  /** The head-end's session ID and revision: one CDR per revision. */
  sessionId: string;
  revision: number;
  /** Cost of the session at the visited premises' regular rate, nano-dollars (the cent-rounded total). */
  totalNano: number;
  /** The visited premises' priced energy postings (one per interval and price period). */
  priced: readonly Posting[];
  tariffId: string;
  now: UtcSeconds;
}

const hash = (s: string) => createHash("sha256").update(s).digest("hex");
const dollars = (nano: number) => roundToCents(nano) / 100;

/** One CDR ID per (session, revision): at most 36 characters, as OCPI requires of a CDR that is not a credit. */
export const cdrIdOf = (sessionId: string, revision: number): string => `cdr-${hash(sessionId).slice(0, 20)}-r${revision}`;

/** An eMI3 EVSE ID for a hub: `US*ABC*E` and 16 hex digits of its ID's hash (hub IDs may hold characters eMI3 forbids). */
export const evseIdOf = (cpo: OcpiParty, hubId: string): string => `${cpo.countryCode}*${cpo.partyId}*E${hash(hubId).slice(0, 16).toUpperCase()}`;

export function buildCdr(i: CdrInput): OcpiCdr {
  const r = i.report;
  const ended = r.unpluggedAt ?? (r.intervals.length ? (r.intervals.at(-1)!.start + r.intervals.at(-1)!.lengthS) : r.pluggedAt);
  const opaquePremises = hash(`${i.cpo.partyId}\n${r.premisesId}`).slice(0, 24);
  const updated = toIso(i.now);
  // One OCPI tariff per distinct energy price used; the periods name theirs.
  const tariffs = new Map<number, OcpiTariff>();
  const tariffOf = (priceMicro: number): string => {
    let t = tariffs.get(priceMicro);
    if (!t) {
      t = {
        country_code: i.cpo.countryCode, party_id: i.cpo.partyId, id: `${i.tariffId.slice(0, 24)}-${priceMicro}`.slice(0, 36), currency: "USD", type: "REGULAR",
        elements: [{ price_components: [{ type: "ENERGY", price: priceMicro / 1_000_000, vat: 0, step_size: 1 }] }],
        last_updated: updated,
      };
      tariffs.set(priceMicro, t);
    }
    return t.id;
  };
  const periods = i.priced.filter((p) => p.energyWh > 0 && p.intervalStart !== null && p.priceMicroUsdPerKWh !== null).map((p) => ({
    start_date_time: toIso(p.intervalStart!), dimensions: [{ type: "ENERGY" as const, volume: p.energyWh / 1000 }], tariff_id: tariffOf(p.priceMicroUsdPerKWh!),
  }));
  const total = { excl_vat: dollars(i.totalNano), incl_vat: dollars(i.totalNano) };
  return {
    country_code: i.cpo.countryCode,
    party_id: i.cpo.partyId,
    id: cdrIdOf(i.sessionId, i.revision),
    start_date_time: toIso(r.pluggedAt),
    end_date_time: toIso(ended as UtcSeconds),
    session_id: i.sessionId.slice(0, 36),
    cdr_token: { country_code: i.emsp.countryCode, party_id: i.emsp.partyId, uid: r.vin!, type: "OTHER", contract_id: r.vin! },
    auth_method: "AUTH_REQUEST",
    cdr_location: {
      id: opaquePremises, address: "withheld (residential premises)", city: "withheld", country: "USA",
      coordinates: { latitude: "0.000000", longitude: "0.000000" },
      evse_uid: hash(r.hubId).slice(0, 36), evse_id: evseIdOf(i.cpo, r.hubId), connector_id: "1",
      connector_standard: "IEC_62196_T1", connector_format: "CABLE", connector_power_type: "AC_1_PHASE",
    },
    currency: "USD",
    tariffs: [...tariffs.values()],
    charging_periods: periods.length ? periods : [{ start_date_time: toIso(r.pluggedAt), dimensions: [{ type: "ENERGY", volume: 0 }] }],
    total_cost: total,
    total_energy_cost: total,
    total_energy: r.totalWh / 1000,
    total_time: Math.max(0, ended - r.pluggedAt) / 3600,
    last_updated: updated,
  };
}

/**
 * The credit CDR for `original` (OCPI 2.2.1 10.1 "Credit CDRs"): the same data under a new ID (the original's with
 * `-C`), credit: true, credit_reference_id naming the original, and the cost fields negated.
 */
export function creditCdrOf(original: OcpiCdr, now: UtcSeconds): OcpiCdr {
  const neg = (p: { excl_vat: number; incl_vat?: number }) => ({ excl_vat: -p.excl_vat, ...(p.incl_vat !== undefined ? { incl_vat: -p.incl_vat } : {}) });
  return {
    ...original, id: `${original.id}-C`, credit: true, credit_reference_id: original.id,
    total_cost: neg(original.total_cost), ...(original.total_energy_cost ? { total_energy_cost: neg(original.total_energy_cost) } : {}),
    last_updated: toIso(now),
  };
}
