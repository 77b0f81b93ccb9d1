// What binding validation granted (issue 13): a hub's signature proves which hub spoke, not that a PEV was there, so
// program, guest and roaming settlement need a grant the head-end itself made — for that VIN, at that premises, to
// that hub — and the session's energy must lie inside the grant's time (± GRANT_TOLERANCE_S). A guest or roaming
// grant covers one session; a grant to a PEV enrolled here covers its credential's lifetime (offline re-binding).
import type { SqlStore } from "../../../core/storage/index.ts";
import { randomBytes } from "node:crypto";
import type { UtcSeconds } from "../../../core/time/index.ts";

/** Clock difference allowed between hub and head-end: the request-signing window (300 s). */
export const GRANT_TOLERANCE_S = 300;
/** A guest or roaming grant covers one session whose energy lies within a day of the grant. */
export const VISITOR_GRANT_S = 86_400;

export type GrantStatus = "enrolled" | "guest" | "roaming";

export interface BindingGrant {
  bindingId: string; hubId: string; premisesId: string; hubSessionId: string | null; vin: string; status: GrantStatus;
  payer: string | null; homeUtilityId: string | null; programId: string; validFrom: UtcSeconds; validUntil: UtcSeconds;
}

interface GrantRow {
  binding_id: string; hub_id: string; premises_id: string; hub_session_id: string | null; vin: string; status: GrantStatus;
  payer: string | null; home_utility_id: string | null; program_id: string; valid_from: number; valid_until: number;
}

/** 128 random bits: a binding (`bnd_`) or fallback (`fbk_`) ID nobody can guess. */
export const mintBindingId = (kind: "bnd" | "fbk"): string => `${kind}_${randomBytes(16).toString("base64url")}`;

/**
 * The span of a session that carried energy: first energetic interval's start to last one's end, narrowed to the
 * plug-in and unplug times (intervals are aligned to UTC boundaries, so back-to-back sessions on one EUMD share a
 * partial interval without sharing energy); null if no energy.
 */
export interface EnergyWindow { from: number; firstEnd: number; to: number }

export function energyWindow(intervals: readonly { start: number; lengthS: number; wh: number }[], pluggedAt: number, unpluggedAt: number | null): EnergyWindow | null {
  let first = -1, last = -1;
  for (let i = 0; i < intervals.length; i++) {
    if (intervals[i]!.wh > 0) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (first < 0) return null;
  const a = intervals[first]!, b = intervals[last]!;
  const to = Math.min(b.start + b.lengthS, unpluggedAt ?? Infinity);
  const from = Math.min(Math.max(a.start, pluggedAt), to);
  return { from, firstEnd: a.start + a.lengthS, to };
}

export class BindingGrants {
  private readonly insert: string;
  private readonly lookup: string;

  constructor(private readonly db: SqlStore) {
    this.insert = `INSERT INTO binding_grants (binding_id, hub_id, premises_id, hub_session_id, vin, status, payer, home_utility_id,
      program_id, valid_from, valid_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
    // A grant covers the window when energy starts no earlier than the grant (the first energetic interval may have
    // begun before it: the EVSE is held until the answer, so only its end must follow the grant) and ends before it
    // expires, each ± the tolerance. The session's own grant first, then the newest.
    this.lookup = `SELECT * FROM binding_grants WHERE vin = ? AND premises_id = ? AND hub_id = ? AND status = ?
      AND valid_from <= ? AND valid_until >= ? AND (hub_session_id IS NULL OR hub_session_id = ? OR status = 'enrolled')
      ORDER BY (hub_session_id IS NOT DISTINCT FROM ?) DESC, valid_from DESC LIMIT 1`;
  }

  async grant(g: Omit<BindingGrant, "bindingId">): Promise<string> {
    const id = mintBindingId("bnd");
    await this.db.run(this.insert, id, g.hubId, g.premisesId, g.hubSessionId, g.vin, g.status, g.payer, g.homeUtilityId, g.programId, g.validFrom, g.validUntil);
    return id;
  }

  /** The grant that covers this session's energy window, or null: then nobody but the premises may be billed. */
  async find(q: { vin: string; premisesId: string; hubId: string; hubSessionId: string; status: GrantStatus; window: EnergyWindow }): Promise<BindingGrant | null> {
    const r = await this.db.get<GrantRow>(this.lookup, q.vin, q.premisesId, q.hubId, q.status, q.window.firstEnd + GRANT_TOLERANCE_S, q.window.to - GRANT_TOLERANCE_S,
      q.hubSessionId, q.hubSessionId);
    return r ? toGrant(r) : null;
  }

  /** True when `bindingId` is a grant to this hub at this premises not yet claimed by another of its sessions. */
  async isOwn(bindingId: string, hubId: string, premisesId: string, hubSessionId: string): Promise<boolean> {
    const r = await this.db.get<{ hub_id: string; premises_id: string; hub_session_id: string | null }>(
      "SELECT hub_id, premises_id, hub_session_id FROM binding_grants WHERE premises_id = ? AND binding_id = ?", premisesId, bindingId);
    return !!r && r.hub_id === hubId && r.premises_id === premisesId && (r.hub_session_id === null || r.hub_session_id === hubSessionId);
  }

  /** A visitor's grant serves one session: the first session settled under it claims it. */
  async claim(premisesId: string, bindingId: string, hubSessionId: string): Promise<void> {
    await this.db.run("UPDATE binding_grants SET hub_session_id = ? WHERE premises_id = ? AND binding_id = ? AND hub_session_id IS NULL", hubSessionId, premisesId, bindingId);
  }
}

const toGrant = (r: GrantRow): BindingGrant => ({
  bindingId: r.binding_id, hubId: r.hub_id, premisesId: r.premises_id, hubSessionId: r.hub_session_id, vin: r.vin, status: r.status,
  payer: r.payer, homeUtilityId: r.home_utility_id, programId: r.program_id, validFrom: r.valid_from as UtcSeconds, validUntil: r.valid_until as UtcSeconds,
});
