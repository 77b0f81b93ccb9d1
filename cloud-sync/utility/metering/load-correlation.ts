// FR-15 load correlation: energy attributed to PEV charging must come from the premises the hub serves.
// The EUMD is downstream of the premises meter (BR-7), so in every UTC interval the PEV's Wh cannot exceed
// the premises meter's Wh. Meters differ a little (accuracy class, interval edges a second apart), hence a
// tolerance: PEV Wh ≤ premises Wh × (1 + ratio) + slackWh. Default 2 % + 10 Wh: ANSI C12.20 class 0.5 meters
// on both sides stay well inside it, while a PEV charging at another address (premises far lower) does not.
import type { UtcSeconds } from "../../../core/time/index.ts";

export interface LoadCorrelationTolerance { ratio: number; slackWh: number }
export const DEFAULT_LOAD_TOLERANCE: LoadCorrelationTolerance = { ratio: 0.02, slackWh: 10 };

export interface PevInterval { start: UtcSeconds; lengthS: number; wh: number }

/** Premises (AMI) Wh over [start, start + lengthS), or null when the AMI has not delivered that span yet. */
export type PremisesEnergyLookup = (start: UtcSeconds, lengthS: number) => number | null;

export interface LoadMismatch { start: UtcSeconds; pevWh: number; premisesWh: number; allowedWh: number }

export interface LoadCorrelationResult {
  /** Intervals where the PEV drew more than the premises could have supplied: the session is held for review. */
  mismatches: LoadMismatch[];
  /** Intervals without AMI data yet: checked when the AMI arrives (the session is not held for this alone). */
  unchecked: UtcSeconds[];
}

export const allowedPevWh = (premisesWh: number, tol: LoadCorrelationTolerance): number =>
  Math.floor(premisesWh * (1 + tol.ratio)) + tol.slackWh;

export function correlateLoad(intervals: readonly PevInterval[], premises: PremisesEnergyLookup, tol: LoadCorrelationTolerance = DEFAULT_LOAD_TOLERANCE): LoadCorrelationResult {
  const mismatches: LoadMismatch[] = [];
  const unchecked: UtcSeconds[] = [];
  for (const iv of intervals) {
    const p = premises(iv.start, iv.lengthS);
    if (p === null) {
      unchecked.push(iv.start);
      continue;
    }
    const allowed = allowedPevWh(p, tol);
    if (iv.wh > allowed) mismatches.push({ start: iv.start, pevWh: iv.wh, premisesWh: p, allowedWh: allowed });
  }
  return { mismatches, unchecked };
}
