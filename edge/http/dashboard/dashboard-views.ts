// The JSON the dashboard pages read, built from the engine snapshot, the store and the tariff. Times stay UTC
// seconds on the wire; the page formats them in the premises' time zone, which every view carries.
import { badRequest } from "../../../cloud-sync/protocol/index.ts";
import type { MeteredInterval, Tariff } from "../../../core/tariff/index.ts";
import { localDateAt, localMidnightUtc } from "../../../core/tariff/index.ts";
import type { UtcSeconds } from "../../../core/time/index.ts";
import type { Wh } from "../../../core/units/index.ts";
import type { Session } from "../../engine/types.ts";
import type { Hub } from "../../hub/hub.ts";
import type { OcppNetwork, ZigbeeNetwork } from "../../hub/ports.ts";
import type { HubStore, SessionRow } from "../../store/hub-store.ts";
import { statusView } from "../status.ts";
import { CHARGE_PLAN_KEY, type ChargePlanSetting } from "../../hub/owner-requests.ts";
import { byPeriod, costOf, findTariff, priceNow } from "./tariff-lookup.ts";

export interface DashboardContext {
  hub: Hub;
  store: HubStore;
  timeZone: string;
  defaultTariffId: string;
  /** Last EUMD reading seen by the dashboard (power is not part of the engine state). */
  lastReading(): { powerW: number; at: number } | null;
  /** Null when no [zigbee] coordinator is configured. */
  zigbee?: ZigbeeNetwork | null;
  /** Null unless the charger is an OCPP one. */
  ocpp?: OcppNetwork | null;
}

export { CHARGE_PLAN_KEY, type ChargePlanSetting } from "../../hub/owner-requests.ts";

export function sessionTariff(ctx: DashboardContext, s: { rate: string; tariffId: string | null } | null): Tariff | null {
  const dflt = findTariff(ctx.defaultTariffId);
  if (s && s.rate === "program") return findTariff(s.tariffId) ?? dflt;
  return dflt;
}

const asMetered = (i: { start: number; lengthS: number; wh: number }): MeteredInterval => ({ start: i.start as UtcSeconds, lengthS: i.lengthS, wh: i.wh as Wh });

/** Cost of a live session: its closed intervals plus the one being filled, at the tariff that applies to it. */
function liveCost(ctx: DashboardContext, s: Session, now: UtcSeconds): number | null {
  const detail = ctx.store.getSession(s.id);
  const intervals = (detail?.intervals ?? []).map(asMetered);
  const m = s.metering;
  if (m.accWh > 0) intervals.push({ start: m.intervalStart, lengthS: Math.max(1, Math.min(m.intervalEnd, now) - m.intervalStart), wh: m.accWh as Wh });
  return costOf(sessionTariff(ctx, { rate: s.rate, tariffId: s.binding.tariffId }), intervals);
}

export function nowView(ctx: DashboardContext, now: UtcSeconds) {
  const st = ctx.hub.snapshot();
  const base = statusView(ctx.hub, now);
  const s = st.session;
  const tariff = sessionTariff(ctx, s ? { rate: s.rate, tariffId: s.binding.tariffId } : null);
  const { price, problem } = priceNow(tariff, now);
  const plan = ctx.store.getSetting<ChargePlanSetting>(CHARGE_PLAN_KEY);
  return {
    ...base,
    timeZone: ctx.timeZone,
    live: ctx.lastReading(),
    price,
    priceProblem: problem,
    costNanoUsd: s ? liveCost(ctx, s, now) : null,
    chargePlan: { mode: st.chargeMode, departAt: plan?.departAt ?? null, planAllowsNow: st.planAllowsNow },
  };
}

export function sessionCost(ctx: DashboardContext, r: SessionRow): number | null {
  const d = ctx.store.getSession(r.id);
  return d ? costOf(sessionTariff(ctx, r), d.intervals.map(asMetered)) : null;
}

/** Sync state per session from the cloud-sync outbox table in the same database, when that module is present. */
export function queuedSessions(store: HubStore): Set<string> | null {
  try {
    const rows = store.db.query("SELECT DISTINCT session_id AS id FROM outbox_messages WHERE session_id IS NOT NULL").all() as { id: string }[];
    return new Set(rows.map((r) => r.id));
  } catch { return null; }
}

export function outboxState(store: HubStore): { waiting: number; oldestCreatedAtMs: number | null; lastError: string | null; deadLetters: number } | null {
  try {
    const w = store.db.query("SELECT COUNT(*) AS n, MIN(created_at_ms) AS oldest FROM outbox_messages").get() as { n: number; oldest: number | null };
    const e = store.db.query("SELECT last_error AS e FROM outbox_messages WHERE last_error IS NOT NULL ORDER BY id DESC LIMIT 1").get() as { e: string } | null;
    let dead = 0;
    try { dead = (store.db.query("SELECT COUNT(*) AS n FROM outbox_dead_letters").get() as { n: number }).n; } catch { /* older schema */ }
    return { waiting: w.n, oldestCreatedAtMs: w.oldest, lastError: e?.e ?? null, deadLetters: dead };
  } catch { return null; }
}

export function sessionsView(ctx: DashboardContext, limit: number, before: number) {
  const queued = queuedSessions(ctx.store);
  return ctx.store.listSessions(limit, before).map((r) => ({
    id: r.id, vin: r.vin, pluggedAt: r.pluggedAt, endedAt: r.endedAt, phase: r.phase, bindingStatus: r.bindingStatus,
    programName: r.programName, rate: r.rate, fallbackReason: r.fallbackReason, offline: r.offline, totalWh: r.totalWh,
    costNanoUsd: sessionCost(ctx, r), revision: r.revision,
    sync: queued === null ? "unknown" : queued.has(r.id) ? "queued" : r.endedAt === null ? "in progress" : "sent",
  }));
}

/** YYYY-MM of a moment in the premises zone. */
export const localMonth = (tz: string, t: number): string => localDateAt(tz, t).slice(0, 7);



export function usageView(ctx: DashboardContext, month: string, now: UtcSeconds) {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw badRequest(`month must look like 2024-06, got ${JSON.stringify(month)}`, "month");
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const tariff = findTariff(ctx.defaultTariffId);
  const days: { date: string; wh: number; nanoUsd: number | null; byPeriod: { periodName: string; wh: number; nanoUsd: number }[] | null }[] = [];
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  // One query for the month, split into local days here (31 range queries cost more than the rows).
  const monthFrom = localMidnightUtc(ctx.timeZone, y, mo, 1);
  const monthTo = localMidnightUtc(ctx.timeZone, mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, 1);
  const monthRows = ctx.store.ratedIntervalsBetween(monthFrom, Math.min(monthTo, now + 86_400));
  let row = 0;
  for (let d = 1; d <= last; d++) {
    const from = localMidnightUtc(ctx.timeZone, y, mo, d);
    if (from > now) break;
    const to = d === last ? monthTo : localMidnightUtc(ctx.timeZone, y, mo, d + 1);
    const dayRows: typeof monthRows = [];
    while (row < monthRows.length && monthRows[row]!.start < to) { if (monthRows[row]!.start >= from) dayRows.push(monthRows[row]!); row++; }
    // Each session's energy is priced at the tariff it was billed at: the program's when bound, the default otherwise.
    const byTariff = new Map<Tariff | null, MeteredInterval[]>();
    const tariffOf = new Map<string, Tariff | null>();
    for (const i of dayRows) {
      const key = `${i.rate}|${i.tariffId}`;
      let t = tariffOf.get(key);
      if (t === undefined) tariffOf.set(key, (t = sessionTariff(ctx, { rate: i.rate, tariffId: i.tariffId })));
      let list = byTariff.get(t);
      if (!list) byTariff.set(t, (list = []));
      list.push(asMetered(i));
    }
    const groups = [...byTariff.entries()];
    const periods = groups.map(([t, iv]) => byPeriod(t, iv));
    // The cost is the sum of the periods' costs: one rating per group, not two.
    const costs = periods.map((list) => (list === null ? null : list.reduce((a, p) => a + p.nanoUsd, 0)));
    const merged = new Map<string, { periodName: string; wh: number; nanoUsd: number }>();
    for (const list of periods) for (const p of list ?? []) {
      const e = merged.get(p.periodName) ?? { periodName: p.periodName, wh: 0, nanoUsd: 0 };
      e.wh += p.wh;
      e.nanoUsd += p.nanoUsd;
      merged.set(p.periodName, e);
    }
    days.push({
      date: localDateAt(ctx.timeZone, from),
      wh: groups.reduce((a, [, iv]) => a + iv.reduce((b, i) => b + i.wh, 0), 0),
      nanoUsd: costs.every((c) => c !== null) ? costs.reduce((a, c) => a + (c ?? 0), 0) : null,
      byPeriod: periods.every((p) => p !== null) ? [...merged.values()] : null,
    });
  }
  const totalNano = days.every((d) => d.nanoUsd !== null) ? days.reduce((a, d) => a + (d.nanoUsd ?? 0), 0) : null;
  return {
    month, timeZone: ctx.timeZone, tariffName: tariff?.name ?? null, days,
    totalWh: days.reduce((a, d) => a + d.wh, 0), totalNanoUsd: totalNano,
    // Bills arrive from the utility through sync (cloud-sync); the hub keeps them under this setting when it has any.
    bills: ctx.store.getSetting<unknown[]>("sync.bills") ?? [],
  };
}

function tariffShape(t: Tariff, now: UtcSeconds) {
  const today = localDateAt(t.timeZone, now);
  const v = [...t.versions].reverse().find((x) => x.effectiveFrom <= today) ?? t.versions[0]!;
  const seasons: { months: number[]; weekday: number[]; weekend: number[] }[] = [];
  for (let i = 0; i < 12; i++) {
    const weekday = v.energyweekdayschedule[i] ?? [];
    const weekend = v.energyweekendschedule[i] ?? [];
    const same = seasons.find((s) => JSON.stringify(s.weekday) === JSON.stringify(weekday) && JSON.stringify(s.weekend) === JSON.stringify(weekend));
    if (same) same.months.push(i + 1); else seasons.push({ months: [i + 1], weekday, weekend });
  }
  return {
    id: t.id, name: t.name, example: t.example === true, timeZone: t.timeZone, effectiveFrom: v.effectiveFrom,
    periods: v.periodNames.map((name, i) => ({ name, priceMicroUsdPerKWh: (v.energyratestructure[i]?.[0]?.rate ?? 0) + (v.energyratestructure[i]?.[0]?.adj ?? 0) })),
    seasons,
  };
}

export function programView(ctx: DashboardContext, now: UtcSeconds, guestView: boolean) {
  const st = ctx.hub.snapshot();
  const ids = new Set<string>([ctx.defaultTariffId]);
  const last = ctx.store.listSessions(20).find((r) => r.rate === "program" && r.tariffId);
  if (last?.tariffId) ids.add(last.tariffId);
  const tariffs = [...ids].map((id) => findTariff(id)).filter((t): t is Tariff => t !== null);
  return {
    timeZone: ctx.timeZone,
    premisesId: st.settings.premisesId,
    utilityId: st.settings.utilityId,
    program: last ? { id: last.programId, name: last.programName, tariffId: last.tariffId } : null,
    pevs: Object.entries(st.knownPevs).map(([vin, p]) => ({ vin, programId: p.programId, commissionedAt: p.commissionedAt, offlineUntil: p.credentialExpiresAt })),
    tariffs: tariffs.map((t) => ({ ...tariffShape(t, now), role: t === findTariff(ctx.defaultTariffId) ? "premises default" : "program" })),
    guestView,
  };
}

export function devicesView(ctx: DashboardContext) {
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

export function settingsView(ctx: DashboardContext, guestView: boolean) {
  const st = ctx.hub.snapshot();
  return {
    timeZone: ctx.timeZone,
    commWaitS: st.settings.commWaitS,
    intervalS: st.settings.intervalS,
    pendingIntervalS: st.settings.pendingIntervalS,
    fallbackPreference: st.settings.fallbackPreference,
    utility: ctx.hub.health.utility,
    outbox: outboxState(ctx.store),
    guestView,
  };
}
