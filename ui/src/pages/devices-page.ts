// Devices: charger, EUMD sub-meter, premises meter and the utility link, with their health and when last seen; the
// Zigbee network (when the hub has a coordinator) with its devices and a permit-join button that counts down; the OCPP
// central system (charge point, pending ones to accept, the TLS fingerprint) and the vehicle tags the charger reports.
import { LitElement, html } from "lit";
import { getJson, postJson } from "../api.ts";
import type { DeviceHealth, DevicesView, OcppView, PermitJoinAnswer, ZigbeeNetworkView } from "../../../core/index.ts";
import { ago, localDateTime } from "../format.ts";
import { live } from "../live-connection.ts";
import { shared } from "../shared-styles.ts";

export class OpDevicesPage extends LitElement {
  static override properties = { view: { state: true }, now: { state: true }, error: { state: true }, joinLeft: { state: true }, message: { state: true }, tagMessage: { state: true }, readOnly: { type: Boolean } };
  declare view: DevicesView | null;
  declare now: number;
  declare error: string | null;
  /** Permit-join seconds left, counted down here between loads (the hub's answer is the truth). */
  declare joinLeft: number;
  declare message: string | null;
  declare tagMessage: string | null;
  declare readOnly: boolean;
  private off: (() => void) | null = null;
  private countdown: ReturnType<typeof setInterval> | null = null;
  static override styles = [shared];
  constructor() { super(); this.view = null; this.now = 0; this.error = null; this.joinLeft = 0; this.message = null; this.tagMessage = null; this.readOnly = false; }
  override connectedCallback(): void {
    super.connectedCallback();
    const load = () => getJson<DevicesView>("/api/v1/dashboard/devices").then((v) => this.show(v), (e: Error) => { this.error = e.message; });
    void load();
    this.off = live.subscribe({ now: (v) => { this.now = v.now; void load(); } });
  }
  override disconnectedCallback(): void { this.off?.(); this.tick(0); super.disconnectedCallback(); }

  private show(v: DevicesView): void {
    this.view = v;
    if (v.zigbee) this.tick(v.zigbee.permitJoinSecondsLeft);
  }

  private tick(left: number): void {
    this.joinLeft = left;
    if (left > 0 && !this.countdown) this.countdown = setInterval(() => this.tick(Math.max(0, this.joinLeft - 1)), 1000);
    if (left <= 0 && this.countdown) { clearInterval(this.countdown); this.countdown = null; }
  }

  private async permitJoin(seconds: number) {
    try {
      const z = await postJson<PermitJoinAnswer>("/api/v1/dashboard/zigbee/permit-join", { seconds });
      if (this.view) this.view = { ...this.view, zigbee: z };
      this.tick(z.permitJoinSecondsLeft);
      this.message = seconds ? "Permit join is open: put the device in pairing mode now." : "Permit join closed.";
    } catch (e) { this.message = `Permit join: ${(e as Error).message}`; }
  }

  private zigbee(z: ZigbeeNetworkView) {
    const tz = this.view!.timeZone;
    const open = this.joinLeft > 0;
    return html`<section class="card"><h2>Zigbee network</h2>
      <p>${z.adapter} coordinator, channel ${z.channel}. ${open ? html`<strong>Joining open: ${this.joinLeft} s left</strong>` : "Joining closed."}</p>
      <p><button class=${open ? "" : "primary"} ?disabled=${this.readOnly} @click=${() => this.permitJoin(open ? 0 : 120)}>${open ? "Close joining" : "Permit join (2 min)"}</button></p>
      <p role="status">${this.message ?? ""}</p>
      ${z.devices.length === 0 ? html`<p class="muted">No devices have joined yet.</p>` : html`<div class="table-wrap"><table>
        <thead><tr><th scope="col">Device</th><th scope="col">Address</th><th scope="col">Last seen</th></tr></thead>
        <tbody>${z.devices.map((d) => html`<tr><td>${d.modelId ?? d.type}${d.manufacturer ? html` <span class="muted">${d.manufacturer}</span>` : null}${d.interview === "SUCCESSFUL" ? null : html` <span class="badge">${d.interview.toLowerCase()}</span>`}</td>
          <td>${d.ieeeAddr}</td><td>${d.lastSeen === null ? "never" : localDateTime(tz, d.lastSeen)}</td></tr>`)}</tbody></table></div>`}
    </section>`;
  }

  private async accept(id: string) {
    try {
      const o = await postJson<OcppView>("/api/v1/dashboard/ocpp/accept", { id });
      if (this.view) this.view = { ...this.view, ocpp: o };
      this.message = `Charge point ${id} accepted.`;
    } catch (e) { this.message = `Accept ${id}: ${(e as Error).message}`; }
  }

  private ocpp(o: OcppView) {
    const tz = this.view!.timeZone;
    // Every charge point the hub drives (several on a hub with [[charge_points]]), or the one of [devices.charger].
    const points = o.chargePoints?.length ? o.chargePoints : o.chargePoint ? [{ ...o.chargePoint, hubChargePoint: null }] : [];
    const line = (cp: (typeof points)[number]) => html`<p>${cp.id}${points.length > 1 ? ` (charge point ${cp.hubChargePoint ?? "charger"})` : ""}: ${cp.connected ? "connected" : "not connected"}${cp.vendor ? `, ${cp.vendor} ${cp.model ?? ""}` : ""}${cp.quirks ? ` (quirk profile ${cp.quirks})` : ""}${cp.controlMode === "remote-start-stop" ? "; held and allowed by Remote Start/Stop" : ""}</p>`;
    return html`<section class="card"><h2>OCPP charge point${points.length > 1 ? "s" : ""}</h2>
      <p>Chargers connect to <code>${o.url}</code> followed by their charge point ID.</p>
      ${o.fingerprintSha256 ? html`<p>TLS (security profile 2). Certificate SHA-256 fingerprint: <code>${o.fingerprintSha256}</code></p>` : null}
      ${points.length ? points.map(line) : html`<p class="muted">No charge point accepted yet.</p>`}
      ${o.pending.length ? html`<h3>Waiting for you</h3><ul>${o.pending.map((p) => html`<li>${p.id} ${p.vendor ? `(${p.vendor} ${p.model ?? ""})` : ""} from ${p.remote}, last seen ${localDateTime(tz, p.lastSeenAt)}${p.offeredPassword ? "" : " — offered no password"}
        <button class="primary" ?disabled=${this.readOnly || !p.offeredPassword} @click=${() => this.accept(p.id)}>Accept</button></li>`)}</ul>` : null}
      <p role="status">${this.message ?? ""}</p></section>`;
  }

  private async addTag(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    try {
      const r = await postJson<{ tags: DevicesView["vehicleTags"] }>("/api/v1/dashboard/vehicle-tags", { tag: String(f.get("tag") ?? "").trim(), vin: String(f.get("vin") ?? "").trim() });
      if (this.view) this.view = { ...this.view, vehicleTags: r.tags };
      this.tagMessage = "Vehicle tag registered.";
    } catch (err) { this.tagMessage = `Vehicle tag: ${(err as Error).message}`; }
  }

  private tags(v: DevicesView) {
    return html`<section class="card"><h2>Vehicle tags</h2>
      <p class="muted">An RFID card or a car's Autocharge ID (VID:…) the charger reports stands for this VIN when the car opens no secure link.</p>
      ${v.vehicleTags.length ? html`<ul>${v.vehicleTags.map((t) => html`<li><code>${t.tag}</code> → ${t.vin}</li>`)}</ul>` : null}
      ${this.readOnly ? null : html`<form @submit=${(e: Event) => this.addTag(e)}><label>Tag <input name="tag" maxlength="20" required></label>
        <label>VIN <input name="vin" maxlength="17" required></label> <button class="primary">Register</button></form>`}
      <p role="status">${this.tagMessage ?? ""}</p></section>`;
  }

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
      ${v.zigbee ? this.zigbee(v.zigbee) : html`<section class="card"><h2>Zigbee network</h2><p class="muted">No Zigbee coordinator is configured on this hub.</p></section>`}
      ${v.ocpp ? this.ocpp(v.ocpp) : null}
      ${v.ocpp || v.vehicleTags.length ? this.tags(v) : null}
    </div>`;
  }
}
customElements.define("op-devices-page", OpDevicesPage);
