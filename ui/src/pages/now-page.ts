// Now: what the car and charger are doing, the binding as it happens (waiting with the countdown → bound to a
// program, or fallback to the default rate with the reason in plain words), power, energy and cost so far, the
// price now and when it gets cheaper, and the owner's charge-now / cheapest-hours choice.
import { LitElement, css, html } from "lit";
import { postJson } from "../api.ts";
import type { ChargeModeAnswer, ChargePointStatusView, NowView, SessionView } from "../../../core/index.ts";
import { centsPerKWh, cost, kW, kWh, localTime } from "../format.ts";
import { live } from "../live-connection.ts";
import { shared } from "../shared-styles.ts";

const EVSE_WORDS: Record<string, string> = {
  A: "No car plugged in", B: "Car plugged in, not charging", C: "Charging", D: "Charging (ventilation needed)",
  E: "Charger fault: no pilot", F: "Charger fault", unknown: "Charger state unknown",
};

export class OpNowPage extends LitElement {
  static override properties = { view: { state: true }, powerW: { state: true }, sessionWh: { state: true }, stale: { state: true }, readOnly: { type: Boolean }, message: { state: true } };
  declare view: NowView | null;
  declare powerW: number | null;
  declare sessionWh: number | null;
  declare stale: boolean;
  declare readOnly: boolean;
  declare message: string | null;
  private off: (() => void) | null = null;

  static override styles = [shared, css`
    .status { font-size: 1.25rem; font-weight: 650; }
    progress { width: 100%; height: 1.1rem; accent-color: var(--accent); }
    .stale { border: 2px solid var(--warn); color: var(--warn); border-radius: 8px; padding: 0.4rem 0.7rem; margin-bottom: 1rem; font-weight: 600; }
    fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 0; padding: 0.5rem 0.8rem; }
    .choice { display: flex; gap: 0.5rem; align-items: center; font-weight: 400; margin: 0.3rem 0; }
    .choice input { min-height: 24px; width: 24px; }
  `];

  constructor() { super(); this.view = null; this.powerW = null; this.sessionWh = null; this.stale = false; this.readOnly = false; this.message = null; }

  override connectedCallback(): void {
    super.connectedCallback();
    this.off = live.subscribe({
      now: (v) => { this.view = v; this.powerW = v.live?.powerW ?? null; this.sessionWh = v.session?.energyWh ?? null; },
      reading: (r) => { this.powerW = r.powerW; if (r.sessionWh !== null) this.sessionWh = r.sessionWh; },
      stale: (s) => { this.stale = s; },
    });
  }
  override disconnectedCallback(): void { this.off?.(); super.disconnectedCallback(); }

  private binding(s: SessionView, tz: string) {
    switch (s.phase) {
      case "awaiting-binding": {
        const left = s.commWaitLeftS ?? 0;
        const total = Math.max(left, 60, s.commWaitEndsAt - s.pluggedAt);
        return html`<p class="status" id="binding">Waiting for the utility to confirm your car…</p>
          <p><span id="countdown" class="big">${left} s</span> <span class="muted">left before charging starts at the default rate</span></p>
          <progress max=${total} value=${total - left} aria-label="Waiting window used"></progress>`;
      }
      case "bound":
        return html`<p class="status ok" id="binding">✓ Bound to ${s.binding.programName ?? s.binding.programId ?? "your program"}</p>
          <p class="muted">Program rates apply to this session${s.binding.offline ? " (confirmed offline from your car's signed credential; the utility was unreachable)" : ""}. Since ${localTime(tz, s.pluggedAt)}.</p>`;
      case "fallback":
        return html`<p class="status warn" id="binding">⚠ Default rate: not bound to a program</p>
          <p>${s.fallbackReasonText ?? "The utility did not confirm the car."} All energy of this session is billed at the premises' default rate.</p>`;
      default:
        return html`<p class="status" id="binding">Session ended</p>`;
    }
  }

  private async setMode(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const mode = f.get("mode");
    try {
      const r = await postJson<ChargeModeAnswer>("/api/v1/dashboard/charge-mode", { mode, departAt: mode === "cheapest-hours" ? f.get("departAt") : undefined, energyKWh: mode === "cheapest-hours" ? f.get("energyKWh") : undefined });
      this.message = mode === "charge-now" ? "Charging as soon as the car is ready." : r.planAllowsNow ? "No cheaper period starts before your departure: charging now." : "Waiting for the cheaper period before your departure.";
    } catch (err) { this.message = `Not saved: ${(err as Error).message}`; }
  }

  private async optOut(id: string) {
    try {
      await postJson("/api/v1/dashboard/dr/opt-out", { id });
      this.message = "You opted out of this event: charging continues as usual.";
    } catch (err) { this.message = `Not saved: ${(err as Error).message}`; }
  }

  private demandResponse(v: NowView) {
    const dr = v.demandResponse;
    if (!dr) return null;
    const what = dr.action === "pause" ? "pause charging" : `limit charging to ${dr.limitA} A`;
    return html`<section class="card" aria-labelledby="dr">
      <h2 id="dr">Utility demand response</h2>
      <p class="status ${dr.optedOut ? "" : "warn"}">${dr.optedOut ? "You opted out of this event." : `Your utility asks to ${what}`}</p>
      <p>From ${localTime(v.timeZone, dr.startsAt)} to ${localTime(v.timeZone, dr.endsAt)}${dr.started ? " (in progress)" : ""}.</p>
      ${!dr.optedOut && dr.optOutAllowed && !this.readOnly ? html`<p><button @click=${() => this.optOut(dr.id)}>Opt out of this event</button></p>` : null}
      ${!dr.optOutAllowed ? html`<p class="muted">Your program does not allow opting out of this event.</p>` : null}
    </section>`;
  }

  /** A hub with several charge points: one card each, with its own state, binding and session energy. */
  private chargePointCard(cp: ChargePointStatusView, tz: string) {
    const s = cp.session;
    return html`<section class="card" aria-labelledby="cp-${cp.id}" data-charge-point=${cp.id}>
      <h2 id="cp-${cp.id}">Charge point ${cp.id}</h2>
      <p class="status">${EVSE_WORDS[cp.evseState] ?? cp.evseState}</p>
      ${s ? this.binding(s, tz) : html`<p class="muted">Plug in a car to start a session.</p>`}
      ${s ? html`<p>Energy this session: <span class="big">${kWh(s.energyWh)}</span></p>` : null}
      ${!s && cp.lastSession ? html`<p class="muted">Last session: ${kWh(cp.lastSession.energyWh)}, ${cp.lastSession.rate === "program" ? `program ${cp.lastSession.binding.programName ?? ""}` : "default rate"}.</p>` : null}
      ${cp.eumd === "absent" ? html`<p class="warn">Its energy meter (EUMD) does not answer: sessions here charge at the default rate.</p>` : null}
    </section>`;
  }

  override render() {
    const v = this.view;
    if (!v) return html`<h1>Now</h1><p>Connecting to the hub…</p>`;
    const tz = v.timeZone;
    const s = v.session;
    const p = v.price;
    return html`
      <h1>Now</h1>
      ${this.stale ? html`<p class="stale" role="status">Live updates interrupted: these numbers may be out of date. Reconnecting…</p>` : null}
      <div class="grid">
        ${this.demandResponse(v)}
        ${(v.chargePoints ?? []).slice(1).length ? v.chargePoints!.map((cp) => this.chargePointCard(cp, tz)) : null}
        <section class="card" aria-labelledby="cp" ?hidden=${(v.chargePoints ?? []).length > 1}>
          <h2 id="cp">Charge point</h2>
          <p class="status" id="evse-state">${EVSE_WORDS[v.chargePoint.evseState] ?? v.chargePoint.evseState}</p>
          ${s ? this.binding(s, tz) : html`<p class="muted" id="binding">Plug in your car to start a session.</p>`}
          ${!s && v.lastSession ? html`<p class="muted">Last session: ${kWh(v.lastSession.energyWh)}, ${v.lastSession.rate === "program" ? `program ${v.lastSession.binding.programName ?? ""}` : "default rate"}.</p>` : null}
        </section>
        <section class="card" aria-labelledby="meas">
          <h2 id="meas">This session</h2>
          <dl>
            <dt>Power</dt><dd class="big" id="power">${this.powerW === null ? "—" : kW(this.powerW)}</dd>
            <dt>Energy</dt><dd id="energy">${s ? kWh(this.sessionWh ?? s.energyWh) : "—"}</dd>
            <dt>Cost so far</dt><dd id="cost">${s ? cost(v.costNanoUsd, v.unpriced) : "—"}${s ? html` <span class="muted">(${s.rate === "program" ? "program rate" : s.rate === "default" ? "default rate" : "rate not decided yet"})</span>` : null}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="price">
          <h2 id="price">Price</h2>
          ${p ? html`<dl>
              <dt>Now</dt><dd id="period">${p.periodName}: ${centsPerKWh(p.priceMicroUsdPerKWh)} until ${localTime(tz, p.until)}</dd>
              <dt>Cheaper</dt><dd id="next-cheaper">${p.next ? html`${p.next.periodName} from ${localTime(tz, p.next.since)} (${centsPerKWh(p.next.priceMicroUsdPerKWh)})` : "This is the cheapest period."}</dd>
              <dt>Tariff</dt><dd>${p.tariffName}</dd>
            </dl>` : html`<p class="muted">Price unknown: ${v.priceProblem ?? ""}</p>`}
        </section>
        <section class="card" aria-labelledby="mode">
          <h2 id="mode">When to charge</h2>
          <form @submit=${this.setMode}>
            <fieldset ?disabled=${this.readOnly}>
              <legend class="sr">Charging mode</legend>
              <label class="choice"><input type="radio" name="mode" value="charge-now" ?checked=${v.chargePlan.mode === "charge-now"}> Charge now</label>
              <label class="choice"><input type="radio" name="mode" value="cheapest-hours" ?checked=${v.chargePlan.mode === "cheapest-hours"}> Cheapest hours before I leave</label>
              <label for="depart">Departure (${tz.split("/").pop()?.replace(/_/g, " ")} time)</label>
              <input id="depart" name="departAt" type="time" .value=${v.chargePlan.departAt ?? "07:00"}>
              <label for="energy">Energy needed by then (kWh)</label>
              <input id="energy" name="energyKWh" type="number" min="0.1" max="200" step="0.1" inputmode="decimal" placeholder="20">
              <p><button class="primary" type="submit">Save</button></p>
            </fieldset>
          </form>
          <p role="status">${this.message ?? ""}</p>
        </section>
      </div>`;
  }

  protected override updated(): void { if (this.view) this.setAttribute("data-ready", ""); }
}
customElements.define("op-now-page", OpNowPage);
