// The dashboard's Now page: GET /api/v1/dashboard/now and the live events of GET /api/v1/events (Server-Sent
// Events), whose "now" event carries the same view.
import type { Priced } from "./pricing.ts";
import type { ChargeModeName, StatusView } from "./status.ts";

export interface PriceNowView {
  tariffId: string;
  tariffName: string;
  periodName: string;
  priceMicroUsdPerKWh: number;
  until: number;
  next: { periodName: string; priceMicroUsdPerKWh: number; since: number } | null;
}

/** The owner's charging choice; `departAt` is a local "HH:MM" for cheapest hours. */
export interface ChargePlanView { mode: ChargeModeName; departAt: string | null; planAllowsNow: boolean }

/** The cost of the session in progress: priced, unpriced with the reason, or nothing to price (no session). */
export type SessionCostNow = Priced | { costNanoUsd: null; unpriced: null };

export type NowView = StatusView & {
  timeZone: string;
  /** The last EUMD reading (power is not part of the engine state). */
  live: { powerW: number; at: number } | null;
  price: PriceNowView | null;
  /** Why there is no price, when `price` is null. */
  priceProblem: string | null;
  chargePlan: ChargePlanView;
} & SessionCostNow;

/** One EUMD reading as it arrives; `sentAtMs` is the hub's wall clock when it sent it (for latency measurement). */
export interface LiveReading { powerW: number; at: number; sessionWh: number | null; sentAtMs: number }

/** Every event of GET /api/v1/events by its SSE event name, with the JSON its data carries. */
export interface LiveEvents {
  hello: Record<string, never>;
  now: NowView;
  reading: LiveReading;
  /** Every 10 s, so a quiet stream stays open and the page can tell quiet from stale. */
  ping: { now: number };
}
