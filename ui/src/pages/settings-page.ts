// Settings: the utility link and outbox, the comm-wait window and interval length (set by the utility: read-only),
// what fallback does, the guest view switch and the owner's password.
import { LitElement, html } from "lit";
import { getJson, postJson } from "../api.ts";
import type { SettingsView } from "../../../core/index.ts";
import { ago, duration } from "../format.ts";
import { shared } from "../shared-styles.ts";

export class OpSettingsPage extends LitElement {
  static override properties = { view: { state: true }, readOnly: { type: Boolean }, message: { state: true }, error: { state: true } };
  declare view: SettingsView | null;
  declare readOnly: boolean;
  declare message: string | null;
  declare error: string | null;
  static override styles = [shared];
  constructor() { super(); this.view = null; this.readOnly = false; this.message = null; this.error = null; }
  override connectedCallback(): void { super.connectedCallback(); void this.load(); }
  private async load() { try { this.view = await getJson<SettingsView>("/api/v1/dashboard/settings"); } catch (e) { this.error = (e as Error).message; } }

  private async act(what: string, path: string, body: unknown, form?: HTMLFormElement) {
    try { await postJson(path, body); this.message = `${what}: saved.`; form?.reset(); await this.load(); } catch (e) { this.message = `${what}: ${(e as Error).message}`; }
  }

  override render() {
    if (this.error) return html`<p class="error" role="alert">${this.error}</p>`;
    const v = this.view;
    if (!v) return html`<h1>Settings</h1><p>Loading…</p>`;
    const now = Math.floor(Date.now() / 1000);
    return html`<h1>Settings</h1>
      <p role="status">${this.message ?? ""}</p>
      <div class="grid">
      <section class="card"><h2>Utility link</h2><dl>
        <dt>Link</dt><dd>${v.utility.online === null ? "not used yet" : v.utility.online ? "✓ reachable" : "✗ unreachable"}</dd>
        <dt>Last contact</dt><dd>${ago(v.timeZone, v.utility.lastOkAt, now)}</dd>
        <dt>Waiting to send</dt><dd>${v.outbox ? `${v.outbox.waiting} message${v.outbox.waiting === 1 ? "" : "s"}${v.outbox.deadLetters ? `, ${v.outbox.deadLetters} refused` : ""}` : "sync not running"}</dd>
        ${v.outbox?.lastError ? html`<dt>Last error</dt><dd>${v.outbox.lastError}</dd>` : null}
      </dl></section>
      <section class="card"><h2>Session rules</h2><dl>
        <dt>Waiting window</dt><dd>${duration(v.commWaitS)} after plug-in</dd>
        <dt>Interval length</dt><dd>${duration(v.intervalS)}${v.pendingIntervalS ? ` (changing to ${duration(v.pendingIntervalS)})` : ""} <span class="muted">set by the utility</span></dd>
      </dl>
        <form @submit=${(e: Event) => { e.preventDefault(); const f = new FormData(e.target as HTMLFormElement); void this.act("Fallback", "/api/v1/dashboard/fallback", { preference: f.get("preference") }); }}>
          <fieldset ?disabled=${this.readOnly}><legend>If the utility does not confirm the car</legend>
            <label for="pref">Then</label>
            <select id="pref" name="preference">
              <option value="charge-now" ?selected=${v.fallbackPreference === "charge-now"}>charge at once at the default rate</option>
              <option value="wait-off-peak" ?selected=${v.fallbackPreference === "wait-off-peak"}>wait for the off-peak period</option>
            </select>
            <p><button type="submit">Save</button></p></fieldset>
        </form>
      </section>
      <section class="card"><h2>Guest view</h2>
        <p>${v.guestView ? "On: anyone on your home network can read (not change) this dashboard without a password." : "Off: only you, after logging in."}</p>
        <button ?disabled=${this.readOnly} @click=${() => this.act("Guest view", "/api/v1/auth/guest-view", { enabled: !v.guestView })}>${v.guestView ? "Turn guest view off" : "Turn guest view on"}</button>
      </section>
      <section class="card"><h2>Password</h2>
        <form @submit=${(e: Event) => { e.preventDefault(); const form = e.target as HTMLFormElement; const f = new FormData(form); void this.act("Password", "/api/v1/auth/password", { current: f.get("current"), next: f.get("next") }, form); }}>
          <fieldset ?disabled=${this.readOnly}><legend class="sr">Change the password</legend>
          <label for="cur">Current password</label><input id="cur" name="current" type="password" autocomplete="current-password" required>
          <label for="next">New password</label><input id="next" name="next" type="password" autocomplete="new-password" required>
          <p><button type="submit">Change password</button></p></fieldset>
        </form>
      </section></div>`;
  }
}
customElements.define("op-settings-page", OpSettingsPage);
