// The JSON the dashboard pages read, built from the engine snapshot, the store, the outbox and the tariff. Times stay
// UTC seconds on the wire; the page formats them in the premises' time zone, which every view carries. Each builder
// returns the view's declared type (core/hub-api), the one contract the page (ui/) reads.
import { badRequest } from "../../../cloud-sync/protocol/index.ts";
import type {
  BillView, DashboardSessionRow, DashboardSessions, DayPricing, DevicesView, NowView, OutboxView, PeriodUsage, Priced, ProgramView, SettingsView,
  SyncState, TariffShape, UsageDay, UsageView,
} from "../../../core/index.ts";
import type { MeteredInterval, Tariff } from "../../../core/tariff/index.ts";
import { localDateAt, localMidnightUtc } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import type { Session } from "../../engine/types.ts";
import type { Hub } from "../../hub/hub.ts";
import type { OcppNetwork, ZigbeeNetwork } from "../../hub/ports.ts";
import type { HubStore, SessionRow } from "../../store/hub-store.ts";
import type { Outbox } from "../../sync/outbox.ts";
import { statusView } from "../status.ts";
import { CHARGE_PLAN_KEY, type ChargePlanSetting } from "../../hub/owner-requests.ts";
import type { PeriodSplit, SessionPricing } from "./tariff-lookup.ts";

/** What the dashboard reads of the sync outbox. */
export type OutboxReadout = Pick<Outbox, "stats" | "queuedSessionIds" | "lastError">;

export interface DashboardContext {
  hub: Hub;
  /** Every charge point's engine ([devices.charger]'s first); a live list. Absent: `hub` alone. */
  hubs?: readonly Hub[];
  store: HubStore;
  timeZone: string;
  /** Which tariff prices what, and the tariff engine's answers (reporting what it cannot price). */
  pricing: SessionPricing;
  /** Last EUMD reading seen by the dashboard (power is not part of the engine state). */
  lastReading(): { powerW: number; at: number } | null;
  /** Null when no [zigbee] coordinator is configured. */
  zigbee?: ZigbeeNetwork | null;
  /** The sync outbox once the utility link exists; absent or null when the hub runs without sync. */
  outbox?: () => OutboxReadout | null;
  /** Null unless the charger is an OCPP one. */
  ocpp?: OcppNetwork | null;
}

export { CHARGE_PLAN_KEY, type ChargePlanSetting } from "../../hub/owner-requests.ts";

const asMetered = (i: { start: number; lengthS: number; wh: number }): MeteredInterval => ({ start: i.start as UtcSeconds, lengthS: i.lengthS, wh: i.wh as Wh });

/** Cost of a live session: its closed intervals plus the one being filled, at the tariff that applies to it. */
function liveCost(ctx: DashboardContext, s: Session, tariff: Tariff, now: UtcSeconds): Priced {
  const intervals = ctx.store.sessionIntervals(s.id).map(asMetered);
  const m = s.metering;
  if (m.accWh > 0) intervals.push({ start: m.intervalStart, lengthS: Math.max(1, Math.min(m.intervalEnd, now) - m.intervalStart), wh: m.accWh as Wh });
  return ctx.pricing.cost(`session ${s.id}`, tariff, intervals);
}

export function nowView(ctx: DashboardContext, now: UtcSeconds): NowView {
  const st = ctx.hub.snapshot();
  const base = statusView(ctx.hub, now, ctx.hubs);
  const s = st.session;
  const tariff = ctx.pricing.tariffFor(s ? { rate: s.rate, tariffId: s.binding.tariffId } : null, s ? `session ${s.id}` : "the premises");
  const { price, problem } = ctx.pricing.priceNow(tariff, now);
  const plan = ctx.store.getSetting<ChargePlanSetting>(CHARGE_PLAN_KEY);
  return {
    ...base,
    timeZone: ctx.timeZone,
    live: ctx.lastReading(),
    price,
    priceProblem: problem,
    ...(s ? liveCost(ctx, s, tariff, now) : { costNanoUsd: null, unpriced: null }),
    chargePlan: { mode: st.chargeMode, departAt: plan?.departAt ?? null, planAllowsNow: st.planAllowsNow },
  };
}

export function sessionCost(ctx: DashboardContext, r: SessionRow): Priced {
  const what = `session ${r.id}`;
  return ctx.pricing.cost(what, ctx.pricing.tariffFor(r, what), ctx.store.sessionIntervals(r.id).map(asMetered));
}

/** The outbox as the Settings page shows it; null when the hub runs without sync. */
export function outboxView(ctx: DashboardContext): OutboxView | null {
  const outbox = ctx.outbox?.() ?? null;
  if (!outbox) return null;
  const s = outbox.stats();
  return { waiting: s.depth, oldestCreatedAtMs: s.oldestCreatedAtMs, lastError: outbox.lastError(), deadLetters: s.deadLetters };
}

/** Null `queued`: the hub runs without sync, so nothing is known of what reached the utility. */
const syncState = (queued: ReadonlySet<string> | null, r: SessionRow): SyncState =>
  queued === null ? "unknown" : queued.has(r.id) ? "queued" : r.endedAt === null ? "in progress" : "sent";

export function sessionsView(ctx: DashboardContext, limit: number, before: number): DashboardSessions {
  const queued = ctx.outbox?.()?.queuedSessionIds() ?? null;
  const sessions = ctx.store.listSessions(limit, before).map((r): DashboardSessionRow => ({
    id: r.id, vin: r.vin, pluggedAt: r.pluggedAt, endedAt: r.endedAt, phase: r.phase, bindingStatus: r.bindingStatus,
    programName: r.programName, rate: r.rate, fallbackReason: r.fallbackReason, offline: r.offline, totalWh: r.totalWh,
    ...sessionCost(ctx, r), revision: r.revision, sync: syncState(queued, r),
  }));
  return { timeZone: ctx.timeZone, sessions };
}

/** Bills synced from the utility (FR-34, FR-35); the store keeps them as the utility's validated summaries. */
export const billsView = (ctx: DashboardContext): BillView[] => ctx.store.bills();

/** YYYY-MM of a moment in the premises zone. */
export const localMonth = (tz: string, t: number): string => localDateAt(tz, t).slice(0, 7);



export function usageView(ctx: DashboardContext, month: string, now: UtcSeconds): UsageView {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw badRequest(`month must look like 2024-06, got ${JSON.stringify(month)}`, "month");
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const days: UsageDay[] = [];
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  // One query for the month, split into local days here (31 range queries cost more than the rows).
  const monthFrom = localMidnightUtc(ctx.timeZone, y, mo, 1);
  const monthTo = localMidnightUtc(ctx.timeZone, mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, 1);
  const monthRows = ctx.store.ratedIntervalsBetween(monthFrom, Math.min(monthTo, now + 86_400));
  // Each session's energy is priced at the tariff it was billed at: the program's when bound, the default otherwise.
  const tariffOf = new Map<string, Tariff>();
  let row = 0;
  for (let d = 1; d <= last; d++) {
    const from = localMidnightUtc(ctx.timeZone, y, mo, d);
    if (from > now) break;
    const to = d === last ? monthTo : localMidnightUtc(ctx.timeZone, y, mo, d + 1);
    const date = localDateAt(ctx.timeZone, from);
    const byTariff = new Map<Tariff, MeteredInterval[]>();
    let wh = 0;
    for (; row < monthRows.length && monthRows[row]!.start < to; row++) {
      const i = monthRows[row]!;
      if (i.start < from) continue;
      const key = `${i.rate}|${i.tariffId}`;
      let t = tariffOf.get(key);
      if (t === undefined) tariffOf.set(key, (t = ctx.pricing.tariffFor({ rate: i.rate, tariffId: i.tariffId }, `charging in ${month}`)));
      let list = byTariff.get(t);
      if (!list) byTariff.set(t, (list = []));
      list.push(asMetered(i));
      wh += i.wh;
    }
    // The cost is the sum of the periods' costs: one rating per tariff, not two.
    const splits: PeriodSplit[] = [...byTariff].map(([t, iv]) => ctx.pricing.byPeriod(`charging on ${date}`, t, iv));
    days.push({ date, wh, ...dayPricing(splits) });
  }
  const unpricedDay = days.find((d) => d.unpriced !== null);
  const totalNanoUsd = unpricedDay ? null : days.reduce((a, d) => a + (d.nanoUsd ?? 0), 0);
  // The month's charges and credits come from the tariff the head-end bills the month under: the program's when the
  // month had program charging, else the premises default.
  const programRow = [...monthRows].reverse().find((r) => r.rate === "program");
  const monthTariff = programRow ? ctx.pricing.tariffFor({ rate: programRow.rate, tariffId: programRow.tariffId }, `charging in ${month}`) : ctx.pricing.tariffs.premisesDefault;
  const month_ = ctx.pricing.monthCharges(monthTariff, month);
  const unpriced = unpricedDay?.unpriced ?? month_.unpriced;
  return {
    month, timeZone: ctx.timeZone, tariffName: ctx.pricing.tariffs.premisesDefault.name, days,
    totalWh: days.reduce((a, d) => a + d.wh, 0),
    totalNanoUsd,
    unpriced,
    monthCharges: month_.charges,
    estimateNanoUsd: totalNanoUsd === null || month_.unpriced ? null : totalNanoUsd + month_.charges.reduce((a, c) => a + c.nanoUsd, 0),
    bills: billsView(ctx),
  };
}

/** A day's periods merged over the tariffs that priced its sessions; unpriced if any tariff could not price its part. */
function dayPricing(splits: readonly PeriodSplit[]): DayPricing {
  const merged = new Map<string, PeriodUsage>();
  for (const split of splits) {
    if (split.unpriced !== null) return { nanoUsd: null, byPeriod: null, unpriced: split.unpriced };
    for (const p of split.periods) {
      const e = merged.get(p.periodName) ?? { periodName: p.periodName, wh: 0, nanoUsd: 0 };
      e.wh += p.wh;
      e.nanoUsd += p.nanoUsd;
      merged.set(p.periodName, e);
    }
  }
  const byPeriod = [...merged.values()];
  return { nanoUsd: byPeriod.reduce((a, p) => a + p.nanoUsd, 0), byPeriod, unpriced: null };
}

function tariffShape(t: Tariff, role: TariffShape["role"], now: UtcSeconds): TariffShape {
  const today = localDateAt(t.timeZone, now);
  const v = [...t.versions].reverse().find((x) => x.effectiveFrom <= today) ?? t.versions[0]!;
  const seasons: TariffShape["seasons"] = [];
  for (let i = 0; i < 12; i++) {
    const weekday = v.energyweekdayschedule[i] ?? [];
    const weekend = v.energyweekendschedule[i] ?? [];
    const same = seasons.find((s) => JSON.stringify(s.weekday) === JSON.stringify(weekday) && JSON.stringify(s.weekend) === JSON.stringify(weekend));
    if (same) same.months.push(i + 1); else seasons.push({ months: [i + 1], weekday, weekend });
  }
  return {
    id: t.id, name: t.name, example: t.example === true, timeZone: t.timeZone, effectiveFrom: v.effectiveFrom, role,
    periods: v.periodNames.map((name, i) => ({ name, priceMicroUsdPerKWh: (v.energyratestructure[i]?.[0]?.rate ?? 0) + (v.energyratestructure[i]?.[0]?.adj ?? 0) })),
    seasons,
  };
}

export function programView(ctx: DashboardContext, now: UtcSeconds, guestView: boolean): ProgramView {
  const st = ctx.hub.snapshot();
  const premisesDefault = ctx.pricing.tariffs.premisesDefault;
  const last = ctx.store.listSessions(20).find((r) => r.rate === "program" && r.tariffId);
  // The program's tariff, as the last bound session named it; the default again when this hub does not know it.
  const program = last ? ctx.pricing.tariffFor(last, "the program") : premisesDefault;
  const tariffs = program === premisesDefault ? [premisesDefault] : [premisesDefault, program];
  return {
    timeZone: ctx.timeZone,
    premisesId: st.settings.premisesId,
    utilityId: st.settings.utilityId,
    program: last ? { id: last.programId, name: last.programName, tariffId: last.tariffId } : null,
    pevs: Object.entries(st.knownPevs).map(([vin, p]) => ({ vin, programId: p.programId, commissionedAt: p.commissionedAt, offlineUntil: p.credentialExpiresAt })),
    tariffs: tariffs.map((t) => tariffShape(t, t === premisesDefault ? "premises default" : "program", now)),
    guestView,
  };
}

export function devicesView(ctx: DashboardContext): DevicesView {
  const st = ctx.hub.snapshot();
  return {
    timeZone: ctx.timeZone,
    charger: { ...ctx.hub.health.charger, state: st.evse, output: st.evseOut },
    eumd: { ...ctx.hub.health.eumd, state: st.eumd },
    premises: ctx.hub.health.premises,
    utility: ctx.hub.health.utility,
    zigbee: ctx.zigbee ? ctx.zigbee.view() : null,
    ocpp: ctx.ocpp ? ctx.ocpp.view() : null,
    vehicleTags: ctx.store.listVehicleTags(),
  };
}

export function settingsView(ctx: DashboardContext, guestView: boolean): SettingsView {
  const st = ctx.hub.snapshot();
  return {
    timeZone: ctx.timeZone,
    commWaitS: st.settings.commWaitS,
    intervalS: st.settings.intervalS,
    pendingIntervalS: st.settings.pendingIntervalS,
    fallbackPreference: st.settings.fallbackPreference,
    utility: ctx.hub.health.utility,
    outbox: outboxView(ctx),
    guestView,
  };
}
