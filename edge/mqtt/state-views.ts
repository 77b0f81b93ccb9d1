// The JSON on the hub's state topics, built from the same views the dashboard's live page reads (nowView): MQTT is one
// more view of the hub, never a second source of truth. Money is in dollars (Home Assistant's monetary sensors want a
// plain number), times are ISO strings beside UTC seconds, energy is whole Wh. A null becomes Home Assistant's "None",
// which its MQTT entities show as unknown.
import { FALLBACK_REASON_TEXT } from "../../core/binding/index.ts";
import { priceAt } from "../../core/tariff/index.ts";
import { toIso, type UtcSeconds } from "../../core/time/index.ts";
import type { HubState } from "../engine/types.ts";
import { type DashboardContext, nowView } from "../http/dashboard/dashboard-views.ts";
import { chargePlan } from "../hub/owner-requests.ts";
import type { ChargePointStateTopic, StateTopic } from "./topics.ts";

const usd = (microOrNano: number | null, per: number): number | null => (microOrNano === null ? null : Math.round((microOrNano / per) * 1e6) / 1e6);

/** The select entity's option labels, by charge mode. */
export const MODE_OPTIONS = { "charge-now": "Charge now", "cheapest-hours": "Cheapest hours" } as const;

/** Binding states as the "binding state" sensor shows them (an enum sensor: these are its options). */
export const BINDING_STATES = ["no vehicle", "awaiting binding", "bound", "fallback"] as const;

/**
 * Who has the charge point right now, in the arbiter's order (edge/engine/arbiter.ts: fault, no vehicle, comm-wait
 * hold, demand response, the customer's preference, charging). Read from the decision the engine recorded.
 */
export function controlledBy(st: HubState, now: UtcSeconds): "fault" | "no vehicle" | "comm-wait hold" | "utility demand response" | "customer preference" | "charging" {
  const s = st.session;
  if (st.evse === "E" || st.evse === "F") return "fault";
  if (!s || s.phase === "ended" || st.evse === "A") return "no vehicle";
  if (s.phase === "awaiting-binding") return "comm-wait hold";
  const dr = st.dr;
  if (s.phase === "bound" && dr && !dr.optedOut && now >= dr.startsAt && now < dr.endsAt) return "utility demand response";
  return st.evseOut?.enabled === false ? "customer preference" : "charging";
}

export interface ViewInputs {
  ctx: DashboardContext;
  now: UtcSeconds;
  /** Charging energy over the hub's life so far (ended sessions plus the one in progress), never decreasing. */
  lifetimeWh: number;
}

/** Every state topic's payload, keyed by topic. */
export function stateViews({ ctx, now, lifetimeWh }: ViewInputs): Record<StateTopic, unknown> {
  const st = ctx.hub.snapshot();
  const v = nowView(ctx, now);
  const s = st.session && st.session.phase !== "ended" ? st.session : null;
  const live = ctx.lastReading();
  const dr = st.dr;
  const drActive = dr !== null && now >= dr.startsAt && now < dr.endsAt;
  const plan = chargePlan(ctx);
  const p = v.price;
  const nextChange = p && p.until > now ? nextPeriod(ctx, s ? { rate: s.rate, tariffId: s.binding.tariffId } : null, p.until as UtcSeconds) : null;
  const cp = chargePointStates(st, now);
  return {
    charge_point: cp.charge_point,
    session: {
      ...cp.session,
      powerW: s && live ? live.powerW : 0,
      costUsd: s ? usd(v.costNanoUsd, 1e9) : null,
    },
    energy: { lifetimeWh },
    price: p
      ? {
        tariffId: p.tariffId, tariffName: p.tariffName, periodName: p.periodName, priceUsdPerKWh: usd(p.priceMicroUsdPerKWh, 1e6),
        until: toIso(p.until as UtcSeconds), nextChange,
        nextCheaper: p.next ? { at: toIso(p.next.since as UtcSeconds), periodName: p.next.periodName, priceUsdPerKWh: usd(p.next.priceMicroUsdPerKWh, 1e6) } : null,
      }
      : { tariffId: null, priceUsdPerKWh: null, problem: v.priceProblem },
    demand_response: {
      state: drActive ? "ON" : "OFF",
      active: drActive,
      id: dr?.id ?? null,
      action: dr?.action ?? null,
      limitA: dr?.limitA ?? null,
      startsAt: dr ? toIso(dr.startsAt) : null,
      until: dr ? toIso(dr.endsAt) : null,
      optOutAllowed: dr?.optOutAllowed ?? false,
      optedOut: dr?.optedOut ?? false,
    },
    health: Object.fromEntries(Object.entries(ctx.hub.health).map(([k, h]) => [k, {
      state: h.online === true ? "ON" : h.online === false ? "OFF" : "None",
      online: h.online, lastOkAt: h.lastOkAt === null ? null : toIso(h.lastOkAt as UtcSeconds), lastError: h.lastError,
    }])),
    charge_plan: {
      mode: plan.mode,
      modeOption: MODE_OPTIONS[plan.mode],
      departAt: plan.departAt,
      energyNeededKWh: plan.energyKWh,
      planAllowsNow: st.planAllowsNow,
    },
  };
}

/**
 * One charge point's engine as its state topics show it: the charger and the session (binding, comm-wait, energy).
 * [devices.charger]'s adds power and cost (stateViews); every further charge point publishes these two as they are.
 */
export function chargePointStates(st: HubState, now: UtcSeconds): Record<ChargePointStateTopic, Record<string, unknown>> {
  const s = st.session && st.session.phase !== "ended" ? st.session : null;
  return {
    charge_point: {
      j1772: st.evse,
      vehiclePluggedIn: st.evse === "B" || st.evse === "C" || st.evse === "D",
      enabled: st.evseOut?.enabled ?? false,
      currentLimitA: st.evseOut?.currentA ?? null,
      controlledBy: controlledBy(st, now),
      why: st.evseOut?.why ?? null,
    },
    session: {
      active: s !== null,
      id: s?.id ?? null,
      bindingState: !s ? "no vehicle" : s.phase === "awaiting-binding" ? "awaiting binding" : s.phase,
      reason: !s ? null : s.fallbackReason ? FALLBACK_REASON_TEXT[s.fallbackReason] : s.phase === "bound" ? `bound to program ${s.binding.programName ?? s.binding.programId ?? "?"}${s.binding.offline ? " (offline credential)" : ""}` : null,
      rate: s?.rate ?? null,
      commWaitLeftS: s && s.phase === "awaiting-binding" ? Math.max(0, s.windowEndsAt - now) : null,
      energyWh: s?.metering.totalWh ?? 0,
      pluggedAt: s ? toIso(s.pluggedAt) : null,
    },
  };
}

function nextPeriod(ctx: DashboardContext, s: { rate: string; tariffId: string | null } | null, at: UtcSeconds): { at: string; periodName: string; priceUsdPerKWh: number | null } | null {
  const tariff = ctx.pricing.tariffFor(s, "the MQTT price topic");
  try {
    const n = priceAt(tariff, at);
    return { at: toIso(at), periodName: n.periodName, priceUsdPerKWh: usd(n.priceMicroUsdPerKWh, 1e6) };
  } catch { return null; }
}
