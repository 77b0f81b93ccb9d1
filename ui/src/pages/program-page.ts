// Program: the program this premises charges under, the enrolled vehicles, and each tariff drawn as a day strip
// per season and day type (period names written in the strip, not colour alone).
import { LitElement, css, html, svg } from "lit";
import { getJson } from "../api.ts";
import type { ProgramView, TariffShape } from "../../../core/index.ts";
import { centsPerKWh, localDate } from "../format.ts";
import { shared } from "../shared-styles.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const FILLS = ["var(--bar3)", "var(--bar1)", "var(--bar2)", "var(--bar4)"];

function monthsText(ms: number[]): string {
  if (ms.length === 12) return "All year";
  return ms.map((m) => MONTHS[m - 1]).join(", ");
}

export class OpProgramPage extends LitElement {
  static override properties = { view: { state: true }, error: { state: true } };
  declare view: ProgramView | null;
  declare error: string | null;
  static override styles = [shared, css`svg { width: 100%; max-width: 36rem; height: auto; display: block; font: 10px system-ui, sans-serif; } h3 { margin-top: 0.8rem; }`];
  constructor() { super(); this.view = null; this.error = null; }
  override connectedCallback(): void {
    super.connectedCallback();
    getJson<ProgramView>("/api/v1/dashboard/program").then((v) => { this.view = v; }, (e: Error) => { this.error = e.message; });
  }

  private strip(t: TariffShape, hours: number[], label: string) {
    // Runs of equal period become one labelled block.
    const runs: { from: number; to: number; p: number }[] = [];
    hours.forEach((p, h) => { const last = runs[runs.length - 1]; if (last && last.p === p) last.to = h + 1; else runs.push({ from: h, to: h + 1, p }); });
    const W = 480, H = 44;
    return html`<svg viewBox="0 0 ${W} ${H + 14}" role="img" aria-label=${`${label}: ${runs.map((r) => `${t.periods[r.p]?.name ?? r.p} ${r.from}:00–${r.to}:00`).join(", ")}`}>
      ${runs.map((r) => {
        const x = (r.from / 24) * W, w = ((r.to - r.from) / 24) * W;
        const name = t.periods[r.p]?.name ?? `period ${r.p}`;
        return svg`<rect x=${x} y="0" width=${w} height=${H} fill=${FILLS[r.p % FILLS.length]} stroke="var(--bg)" stroke-width="1.5"></rect>
          <rect x=${x + 2} y="12" width=${Math.max(0, w - 4)} height="20" fill="var(--bg)" opacity="0.85"></rect>
          ${w > 30 ? svg`<text x=${x + w / 2} y="26" text-anchor="middle" fill="var(--fg)">${w > 70 ? name : name.slice(0, 3)}</text>` : null}`;
      })}
      ${[0, 6, 12, 18, 24].map((h) => svg`<text x=${Math.min(W - 8, Math.max(8, (h / 24) * W))} y=${H + 12} text-anchor="middle" fill="var(--fg)">${h}h</text>`)}
    </svg>`;
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const v = this.view;
    if (!v) return html`<h1>Program</h1><p>Loading…</p>`;
    return html`
      <h1>Program</h1>
      <section class="card"><dl>
        <dt>Program</dt><dd>${v.program?.name ?? v.program?.id ?? "No session has been bound to a program yet"}</dd>
        <dt>Premises</dt><dd>${v.premisesId}</dd><dt>Utility</dt><dd>${v.utilityId}</dd>
        <dt>Guest view</dt><dd>${v.guestView ? "On: anyone on your network can read this dashboard" : "Off"}</dd>
      </dl></section>
      <section class="card"><h2>Enrolled vehicles</h2>
        ${v.pevs.length ? html`<ul>${v.pevs.map((p) => html`<li>${p.vin}: program ${p.programId}, commissioned ${localDate(v.timeZone, p.commissionedAt)}${p.offlineUntil ? `, may re-bind offline until ${localDate(v.timeZone, p.offlineUntil)}` : ""}</li>`)}</ul>` : html`<p class="muted">No vehicle has been commissioned at this hub yet.</p>`}
      </section>
      ${v.tariffs.map((t) => html`<section class="card"><h2>${t.name} <span class="muted">(${t.role}${t.example ? ", example figures" : ""})</span></h2>
        <ul>${t.periods.map((p) => html`<li>${p.name}: ${centsPerKWh(p.priceMicroUsdPerKWh)}</li>`)}</ul>
        ${t.seasons.map((s) => html`<h3>${monthsText(s.months)}</h3>
          <p class="muted">Weekdays</p>${this.strip(t, s.weekday, `${monthsText(s.months)} weekdays`)}
          <p class="muted">Weekends and holidays</p>${this.strip(t, s.weekend, `${monthsText(s.months)} weekends`)}`)}
        <p class="muted">Hours in ${t.timeZone} time, rates from ${t.effectiveFrom}.</p>
      </section>`)}`;
  }
}
customElements.define("op-program-page", OpProgramPage);
