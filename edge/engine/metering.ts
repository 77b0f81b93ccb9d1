// Turns the EUMD's cumulative register into interval energy (FR-20, FR-29), purely.
// Rules: energy between two readings is spread over the intervals it spans pro rata by time, in whole Wh
// with the remainder given to the last part, so the intervals always sum to exactly the register's advance.
// A register that goes backwards (reset, rollover, swapped meter) never yields negative energy: the interval is
// flagged `reset`, and only what the new register shows (if physically possible) is counted.
// Intervals are aligned to UTC boundaries of their length; a new length (FR-25) takes effect at the next interval
// boundary that is also a boundary of the new length (15 → 5 min: the very next one; 5 → 15 min: the next quarter
// hour), so every interval stays whole and aligned and the utility never sees a ragged one.
import type { SessionId } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { intervalStart } from "../../core/time/index.ts";
import type { ClosedInterval, IntervalQuality, MeteringState } from "./types.ts";

/** Readings further apart than this make the intervals they span estimates, not measurements. */
export const GAP_ESTIMATED_S = 120;
const QUALITY_RANK: Record<IntervalQuality, number> = { ok: 0, partial: 1, estimated: 2, reset: 3, suspect: 4 };
const worse = (a: IntervalQuality, b: IntervalQuality): IntervalQuality => (QUALITY_RANK[a] >= QUALITY_RANK[b] ? a : b);

export interface MeteringContext {
  sessionId: SessionId;
  maxPowerW: number;
  /** Interval length to switch to at the next boundary (FR-25), or null. */
  pendingIntervalS: number | null;
}

export interface MeteringNote { kind: string; reason: string }

export interface MeteringResult {
  metering: MeteringState;
  closed: ClosedInterval[];
  notes: MeteringNote[];
  /** True once the pending interval length has taken effect. */
  appliedPending: boolean;
}

export function newMetering(at: UtcSeconds, intervalS: number, baseline: { wh: number; at: UtcSeconds } | null): MeteringState {
  const start = intervalStart(at, intervalS);
  return {
    lastWh: baseline?.wh ?? null,
    lastAt: baseline ? at : null,
    intervalStart: start,
    intervalEnd: (start + intervalS) as UtcSeconds,
    intervalS,
    accWh: 0,
    quality: "partial", // a session's first interval starts part-way through
    rejected: 0,
    rejectedWh: null,
    totalWh: 0,
  };
}

/** The most energy a charge point could have delivered in `seconds`, with a margin for meter resolution. */
export const plausibleWh = (maxPowerW: number, seconds: number): number => Math.ceil((maxPowerW * 1.25 * seconds) / 3600) + 10;

const closeOf = (m: MeteringState, ctx: MeteringContext, quality: IntervalQuality): ClosedInterval => ({
  sessionId: ctx.sessionId,
  start: m.intervalStart,
  lengthS: m.intervalEnd - m.intervalStart,
  wh: m.accWh,
  quality,
});

/** Closes the current interval and opens the next, honouring a pending length change at this boundary. */
function roll(m: MeteringState, ctx: MeteringContext, closed: ClosedInterval[]): { m: MeteringState; applied: boolean } {
  closed.push(closeOf(m, ctx, m.quality));
  const start = m.intervalEnd;
  const pending = ctx.pendingIntervalS;
  const applied = pending !== null && pending !== m.intervalS && start % pending === 0;
  const len = applied ? pending : m.intervalS;
  const end = (start + len) as UtcSeconds;
  return { m: { ...m, intervalStart: start, intervalEnd: end, intervalS: len, accWh: 0, quality: "ok" }, applied };
}

/** Adds `wh` spread evenly over [from, to), closing the intervals it passes. */
function spread(m0: MeteringState, wh: number, from: number, to: number, mark: IntervalQuality, ctx: MeteringContext, closed: ClosedInterval[]) {
  let m = m0;
  let applied = false;
  let left = wh;
  const span = Math.max(1, to - from);
  for (;;) {
    if (to <= m.intervalEnd) {
      return { m: { ...m, accWh: m.accWh + left, totalWh: m.totalWh + left, quality: worse(m.quality, mark) }, applied };
    }
    const overlap = m.intervalEnd - Math.max(from, m.intervalStart);
    const give = Math.min(left, Math.max(0, Math.floor((wh * overlap) / span)));
    left -= give;
    m = { ...m, accWh: m.accWh + give, totalWh: m.totalWh + give, quality: worse(m.quality, mark) };
    const r = roll(m, ctx, closed);
    m = r.m;
    applied ||= r.applied;
  }
}

/** Closes every interval that ended by `now`, once a reading at or after its end exists (used on ticks too). */
export function advanceTo(m0: MeteringState, now: number, ctx: MeteringContext): { m: MeteringState; closed: ClosedInterval[]; applied: boolean } {
  const closed: ClosedInterval[] = [];
  let m = m0;
  let applied = false;
  while (m.lastAt !== null && m.intervalEnd <= Math.min(now, m.lastAt)) {
    const r = roll(m, ctx, closed);
    m = r.m;
    applied ||= r.applied;
  }
  return { m, closed, applied };
}

/**
 * `timingUncertain`: the energy's total is measured but not when it flowed (a hub restart, a vehicle that left while
 * the hub was down), so intervals it is spread over are flagged `estimated` when it spans more than one.
 */
export function applyReading(m0: MeteringState, reading: { energyWh: number; at: UtcSeconds; timingUncertain?: boolean }, ctx: MeteringContext): MeteringResult {
  const closed: ClosedInterval[] = [];
  const notes: MeteringNote[] = [];
  const { energyWh: wh, at } = reading;
  if (m0.lastWh === null || m0.lastAt === null) {
    const r = advanceTo({ ...m0, lastWh: wh, lastAt: at }, at, ctx);
    return { metering: r.m, closed: r.closed, notes, appliedPending: r.applied };
  }
  if (at < m0.lastAt) {
    notes.push({ kind: "eumd.reading-rejected", reason: `reading time ${at} is before the previous reading ${m0.lastAt}` });
    return { metering: m0, closed, notes, appliedPending: false };
  }
  const dt = at - m0.lastAt;
  const delta = wh - m0.lastWh;
  // Both timestamps are truncated to whole seconds, so the true span can be up to 2 s longer than dt.
  const limit = plausibleWh(ctx.maxPowerW, dt + 2);
  let counted = delta;
  let mark: IntervalQuality = dt > GAP_ESTIMATED_S || (reading.timingUncertain && delta > 0 && at > m0.intervalEnd) ? "estimated" : "ok";
  if (delta < 0) {
    counted = wh <= limit ? wh : 0;
    mark = "reset";
    notes.push({ kind: "eumd.register-reset", reason: `EUMD register went from ${m0.lastWh} Wh to ${wh} Wh; counted ${counted} Wh since the reset, interval flagged` });
  } else if (delta > limit) {
    // Impossible step: hold it back. Three readings in a row that agree with each other mean a new register (swapped meter).
    const consistent = m0.rejectedWh !== null && wh >= m0.rejectedWh && wh - m0.rejectedWh <= plausibleWh(ctx.maxPowerW, dt + 2);
    const rejected = consistent ? m0.rejected + 1 : 1;
    if (rejected < 3) {
      notes.push({ kind: "eumd.reading-rejected", reason: `EUMD register jumped ${delta} Wh in ${dt} s, more than the charge point can deliver (${limit} Wh); reading held back` });
      return { metering: { ...m0, rejected, rejectedWh: wh }, closed, notes, appliedPending: false };
    }
    counted = 0;
    mark = "suspect";
    notes.push({ kind: "eumd.register-rebased", reason: `EUMD register stayed ahead by ${delta} Wh for 3 readings (swapped meter?); re-based with no energy counted, interval flagged` });
  }
  const s = spread({ ...m0, rejected: 0, rejectedWh: null }, counted, m0.lastAt, at, mark, ctx, closed);
  const adv = advanceTo({ ...s.m, lastWh: wh, lastAt: at }, at, ctx);
  return { metering: adv.m, closed: [...closed, ...adv.closed], notes, appliedPending: s.applied || adv.applied };
}

/** Ends metering at unplug: the interval being filled is closed as partial with whatever it holds. */
export function finish(m: MeteringState, ctx: MeteringContext): ClosedInterval[] {
  return [closeOf(m, ctx, worse(m.quality, "partial"))];
}
