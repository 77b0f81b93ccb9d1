// The customer's charging preference and the prices behind it, for the hub: which tariff prices the session now, and
// — once a minute and whenever the owner changes the preference — whether the engine should treat now as off-peak
// (fallback "wait for off-peak") and whether the cheapest-hours plan allows charging in the current slot.
// The plan is remade each time for the energy still needed, so it never plans slots the car no longer needs.
import type { Tariff } from "../../core/tariff/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { EngineEvent, HubState } from "../engine/types.ts";
import type { HubStore } from "../store/hub-store.ts";
import { type HubTariffs, sessionTariff } from "./session-tariff.ts";
import { cheapestHours, isOffPeak, priceView, type PriceView } from "./tariff-watch.ts";

/** What the owner asked for, and how much the session had delivered when they asked. */
export interface CheapestHoursPreference { departAt: UtcSeconds; energyNeededWh: number; sessionId: string | null; deliveredAtSetWh: number }

export type ChargePreference = { mode: "charge-now" } | { mode: "cheapest-hours"; departAt: UtcSeconds; energyNeededWh: number };

const PREFERENCE_KEY = "charge.cheapest-hours";

export class ChargeScheduler {
  private cheapest: CheapestHoursPreference | null;

  constructor(
    private readonly tariffs: HubTariffs,
    private readonly store: HubStore,
    private readonly clock: Clock,
    private readonly state: () => HubState,
    private readonly dispatch: (e: EngineEvent) => Promise<void>,
  ) {
    this.cheapest = store.getSetting<CheapestHoursPreference>(PREFERENCE_KEY);
  }

  /** The tariff that prices the current (or last) session: the program's when bound, the premises default otherwise. */
  tariffNow(): Tariff {
    const st = this.state();
    const s = st.session ?? st.lastEnded;
    return sessionTariff(this.tariffs, s ? { rate: s.rate, tariffId: s.binding.tariffId } : null);
  }

  prices(): PriceView { return priceView(this.tariffNow(), this.clock.now()); }

  preference(): CheapestHoursPreference | null { return this.cheapest; }

  async setPreference(p: ChargePreference): Promise<void> {
    const s = this.state().session;
    this.cheapest = p.mode === "cheapest-hours"
      ? { departAt: p.departAt, energyNeededWh: p.energyNeededWh, sessionId: s?.id ?? null, deliveredAtSetWh: s?.metering.totalWh ?? 0 }
      : null;
    this.store.setSetting(PREFERENCE_KEY, this.cheapest, this.clock.now());
    if (p.mode === "charge-now") await this.dispatch({ type: "charge-mode", mode: "charge-now", planAllowsNow: true });
    else await this.check(true);
  }

  /** Energy the plan still has to deliver: what was asked, less what this session delivered since. */
  private remainingWh(p: CheapestHoursPreference): number {
    const s = this.state().session;
    if (!s) return p.energyNeededWh;
    const since = s.id === p.sessionId ? s.metering.totalWh - p.deliveredAtSetWh : s.metering.totalWh;
    return Math.max(0, p.energyNeededWh - since);
  }

  async check(force = false): Promise<void> {
    const st = this.state();
    const now = this.clock.now();
    const offPeak = isOffPeak(this.tariffs.premisesDefault, now);
    if (force || offPeak !== st.offPeak) await this.dispatch({ type: "tariff.off-peak", offPeak });
    const p = this.cheapest;
    if (!p) return;
    if (now >= p.departAt) {
      // Departure time passed: the plan is over; charge normally until the owner sets a new one.
      this.cheapest = null;
      this.store.setSetting(PREFERENCE_KEY, null, now);
      await this.dispatch({ type: "charge-mode", mode: "charge-now", planAllowsNow: true });
      return;
    }
    const remaining = this.remainingWh(p);
    const allowsNow = remaining > 0 && cheapestHours(this.tariffNow(), { departAt: p.departAt, energyNeededWh: remaining }, now, this.state().settings.maxPowerW).allowsNow;
    const cur = this.state();
    if (force || cur.chargeMode !== "cheapest-hours" || allowsNow !== cur.planAllowsNow) {
      await this.dispatch({ type: "charge-mode", mode: "cheapest-hours", planAllowsNow: allowsNow });
    }
  }
}
