// Usage and bills: daily charging energy by price period (SVG chart), the month so far, bills synced from the utility.
import { LitElement, html } from "lit";
import { getJson } from "../api.ts";
import type { UsageView } from "../../../core/index.ts";
import "../charts/bar-chart.ts";
import { cost, kWh } from "../format.ts";
import { shared } from "../shared-styles.ts";

export class OpUsagePage extends LitElement {
  static override properties = { view: { state: true }, error: { state: true } };
  declare view: UsageView | null;
  declare error: string | null;
  static override styles = [shared];
  constructor() { super(); this.view = null; this.error = null; }
  override connectedCallback(): void {
    super.connectedCallback();
    getJson<UsageView>("/api/v1/dashboard/usage").then((v) => { this.view = v; }, (e: Error) => { this.error = e.message; });
  }
  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const v = this.view;
    if (!v) return html`<h1>Usage and bills</h1><p>Loading…</p>`;
    return html`
      <h1>Usage and bills</h1>
      <section class="card"><h2>Month so far (${v.month})</h2>
        <dl><dt>Charging energy</dt><dd class="big" id="month-energy">${kWh(v.totalWh)}</dd>
        <dt>Estimated cost</dt><dd>${cost(v.totalNanoUsd, v.unpriced)} <span class="muted">program sessions at the program's rate, the others at ${v.tariffName}; your bill comes from the utility</span></dd></dl>
      </section>
      <section class="card"><h2>Daily energy by price period</h2>
        <op-bar-chart .caption=${`Daily charging energy in ${v.month} by price period`} .format=${(x: number) => `${(x / 1000).toFixed(1)}`}
          .bars=${v.days.map((d) => ({ label: d.date.slice(8), segments: (d.byPeriod ?? [{ periodName: "all", wh: d.wh }]).map((p) => ({ series: p.periodName, value: p.wh })) }))}></op-bar-chart>
        <p class="muted">Bars in kWh per day of the month, in ${v.timeZone} time.</p>
      </section>
      <section class="card"><h2>Bills</h2>
        ${v.bills.length ? html`<ul>${v.bills.map((b) => html`<li>${b.month ?? "bill"}: ${b.totalCents === undefined ? "" : `$${(b.totalCents / 100).toFixed(2)}`}</li>`)}</ul>`
          : html`<p class="muted">No bills have been synced from the utility yet.</p>`}
      </section>`;
  }
}
customElements.define("op-usage-page", OpUsagePage);
