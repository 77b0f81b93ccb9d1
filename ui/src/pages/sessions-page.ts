// Sessions: the history with binding outcome, rate, energy, cost and sync state; one session's timeline of
// events and its interval chart; the CSV download. The list refreshes when the live stream reports a change.
import { LitElement, css, html } from "lit";
import { getJson } from "../api.ts";
import type { DashboardSessionRow, DashboardSessions, SessionDetailView } from "../../../core/index.ts";
import "../charts/bar-chart.ts";
import { kWh, localDateTime, localTime, usd } from "../format.ts";
import { live } from "../live-connection.ts";
import { shared } from "../shared-styles.ts";

function outcome(r: { phase: string; rate: string; programName: string | null; bindingStatus?: string | null }) {
  if (r.rate === "program") return html`<span class="badge ok">✓ Program${r.programName ? `: ${r.programName}` : ""}</span>`;
  if (r.rate === "default" || r.phase === "fallback") return html`<span class="badge warn">⚠ Default rate</span>`;
  return html`<span class="badge">… Waiting</span>`;
}

export class OpSessionsPage extends LitElement {
  static override properties = { sessionId: { attribute: false }, rows: { state: true }, detail: { state: true }, tz: { state: true }, error: { state: true } };
  declare sessionId: string | null;
  declare rows: DashboardSessionRow[] | null;
  declare detail: SessionDetailView | null;
  declare tz: string;
  declare error: string | null;
  private off: (() => void) | null = null;
  private lastKey = "";
  static override styles = [shared, css`ol.timeline { padding-left: 1.2rem; } ol.timeline li { margin: 0.3rem 0; } td.num { text-align: right; }`];

  constructor() { super(); this.sessionId = null; this.rows = null; this.detail = null; this.tz = "UTC"; this.error = null; }

  override connectedCallback(): void {
    super.connectedCallback();
    this.off = live.subscribe({ now: (v) => {
      const key = `${v.session?.id}|${v.session?.phase}|${v.session?.rate}|${v.lastSession?.id}`;
      if (key !== this.lastKey) { this.lastKey = key; void this.load(); }
    } });
    void this.load();
  }
  override disconnectedCallback(): void { this.off?.(); super.disconnectedCallback(); }
  protected override willUpdate(changed: Map<string, unknown>): void { if (changed.has("sessionId") && this.isConnected) void this.load(); }

  async load() {
    try {
      if (this.sessionId) {
        const [d, list] = await Promise.all([getJson<SessionDetailView>(`/api/v1/sessions/${encodeURIComponent(this.sessionId)}`), getJson<DashboardSessions>("/api/v1/dashboard/sessions?limit=1")]);
        this.tz = list.timeZone;
        this.detail = d;
      } else {
        const r = await getJson<DashboardSessions>("/api/v1/dashboard/sessions?limit=100");
        this.tz = r.timeZone;
        this.rows = r.sessions;
      }
      this.error = null;
    } catch (e) { this.error = (e as Error).message; }
  }

  private renderDetail(d: SessionDetailView) {
    const tz = this.tz;
    return html`
      <p><a href="#/sessions">← All sessions</a></p>
      <h1>Session ${localDateTime(tz, d.pluggedAt)}</h1>
      <section class="card"><dl>
        <dt>Outcome</dt><dd>${outcome(d)}</dd>
        ${d.fallbackReasonText ? html`<dt>Why</dt><dd>${d.fallbackReasonText}</dd>` : null}
        <dt>Energy</dt><dd>${kWh(d.totalWh)}</dd>
        <dt>Vehicle</dt><dd>${d.vin ?? "did not identify itself"}</dd>
        <dt>Plugged in</dt><dd>${localDateTime(tz, d.pluggedAt)}</dd>
        <dt>Unplugged</dt><dd>${d.endedAt === null ? "still plugged in" : localDateTime(tz, d.endedAt)}</dd>
      </dl></section>
      <section class="card"><h2>Energy per interval</h2>
        ${d.intervals.length ? html`<op-bar-chart .caption=${"Energy per metering interval"} .format=${(v: number) => `${v} Wh`}
          .bars=${d.intervals.map((i) => ({ label: localTime(tz, i.start), segments: [{ series: i.quality === "ok" ? "" : i.quality, value: i.wh }] }))}></op-bar-chart>`
          : html`<p class="muted">No interval has closed yet.</p>`}
      </section>
      <section class="card"><h2>Timeline</h2>
        <ol class="timeline">${d.events.map((e) => html`<li><time>${localTime(tz, e.at)}</time> <strong>${e.kind}</strong>: ${e.reason}</li>`)}</ol>
      </section>`;
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    if (this.sessionId) return this.detail ? this.renderDetail(this.detail) : html`<p>Loading…</p>`;
    const rows = this.rows;
    return html`
      <div class="row"><h1>Sessions</h1><a class="button" id="csv" href="/api/v1/sessions.csv" download>Download CSV</a></div>
      ${!rows ? html`<p>Loading…</p>` : rows.length === 0 ? html`<p class="muted">No charging sessions yet.</p>` : html`
        <div class="table-wrap"><table>
          <thead><tr><th>Plugged in</th><th>Outcome</th><th>Energy</th><th>Cost</th><th>Synced</th></tr></thead>
          <tbody>${rows.map((r) => html`<tr>
            <td><a href="#/sessions/${encodeURIComponent(r.id)}">${localDateTime(this.tz, r.pluggedAt)}</a>${r.endedAt === null ? html` <span class="badge">now</span>` : null}</td>
            <td>${outcome(r)}</td><td class="num">${kWh(r.totalWh)}</td><td class="num">${r.costNanoUsd !== null ? usd(r.costNanoUsd) : html`<span title=${r.unpriced}>unpriced</span>`}</td><td>${r.sync}</td>
          </tr>`)}</tbody>
        </table></div>`}`;
  }
}
customElements.define("op-sessions-page", OpSessionsPage);
