// Devices: charger, EUMD sub-meter, premises meter and the utility link, with their health and when last seen.
import { LitElement, html } from "lit";
import { getJson } from "../api.ts";
import type { DeviceHealth, DevicesView } from "../api-types.ts";
import { ago } from "../format.ts";
import { live } from "../live-connection.ts";
import { shared } from "../shared-styles.ts";

export class OpDevicesPage extends LitElement {
  static override properties = { view: { state: true }, now: { state: true }, error: { state: true } };
  declare view: DevicesView | null;
  declare now: number;
  declare error: string | null;
  private off: (() => void) | null = null;
  static override styles = [shared];
  constructor() { super(); this.view = null; this.now = 0; this.error = null; }
  override connectedCallback(): void {
    super.connectedCallback();
    const load = () => getJson<DevicesView>("/api/v1/dashboard/devices").then((v) => { this.view = v; }, (e: Error) => { this.error = e.message; });
    void load();
    this.off = live.subscribe({ now: (v) => { this.now = v.now; void load(); } });
  }
  override disconnectedCallback(): void { this.off?.(); super.disconnectedCallback(); }

  private health(h: DeviceHealth) {
    const tz = this.view!.timeZone;
    const word = h.online === null ? html`<span class="badge">? not checked yet</span>` : h.online ? html`<span class="badge ok">✓ online</span>` : html`<span class="badge bad">✗ offline</span>`;
    return html`<dl><dt>Health</dt><dd>${word}</dd><dt>Last seen</dt><dd>${ago(tz, h.lastOkAt, this.now || Math.floor(Date.now() / 1000))}</dd>
      ${h.lastError ? html`<dt>Last error</dt><dd>${h.lastError}</dd>` : null}</dl>`;
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const v = this.view;
    if (!v) return html`<h1>Devices</h1><p>Loading…</p>`;
    return html`<h1>Devices</h1><div class="grid">
      <section class="card"><h2>Charger (EVSE)</h2>${this.health(v.charger)}<p>J1772 state ${v.charger.state}${v.charger.output ? html`; ${v.charger.output.enabled ? `enabled at ${v.charger.output.currentA} A` : "held"} (${v.charger.output.why})` : ""}</p></section>
      <section class="card"><h2>Charging sub-meter (EUMD)</h2>${this.health(v.eumd)}<p>${v.eumd.state === "present" ? "Present: program rates can apply." : v.eumd.state === "absent" ? "Absent: sessions charge at the default rate." : "Not known yet."}</p></section>
      <section class="card"><h2>Premises meter</h2>${this.health(v.premises)}</section>
      <section class="card"><h2>Utility link</h2>${this.health(v.utility)}</section>
      <section class="card"><h2>Zigbee network</h2><p class="muted">No Zigbee coordinator is connected to this hub.</p></section>
    </div>`;
  }
}
customElements.define("op-devices-page", OpDevicesPage);
