// First-run setup (one-time code from the hub's console + a new password) and the everyday login.
import { LitElement, html } from "lit";
import type { LoginAnswer } from "../../../core/index.ts";
import { ApiError, postJson, setCsrf } from "../api.ts";
import { shared } from "../shared-styles.ts";

export class OpLoginPage extends LitElement {
  static override properties = { setupNeeded: { type: Boolean }, minLength: { type: Number }, error: { state: true }, busy: { state: true } };
  declare setupNeeded: boolean;
  declare minLength: number;
  declare error: string | null;
  declare busy: boolean;
  static override styles = [shared];

  constructor() { super(); this.setupNeeded = false; this.minLength = 10; this.error = null; this.busy = false; }

  private async submit(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    this.error = null;
    try {
      if (this.setupNeeded) {
        if (f.get("password") !== f.get("confirm")) throw new ApiError("the two passwords differ", 400, "confirm");
        const r = await postJson<LoginAnswer>("/api/v1/auth/setup", { code: f.get("code"), password: f.get("password") });
        setCsrf(r.csrf);
      } else {
        const r = await postJson<LoginAnswer>("/api/v1/auth/login", { password: f.get("password") });
        setCsrf(r.csrf);
      }
      this.dispatchEvent(new CustomEvent("logged-in", { bubbles: true, composed: true }));
    } catch (err) {
      this.error = (err as Error).message;
    } finally { this.busy = false; }
  }

  override render() {
    const setup = this.setupNeeded;
    return html`<section class="card">
      <h1>${setup ? "Set up your Offpeak hub" : "Log in to Offpeak"}</h1>
      ${setup ? html`<p>Enter the one-time setup code shown in the hub's console or log, then choose the owner's password.</p>` : null}
      <form @submit=${this.submit} novalidate>
        ${setup ? html`<label for="code">Setup code</label><input id="code" name="code" autocomplete="one-time-code" required spellcheck="false">` : null}
        <label for="password">${setup ? "New password" : "Password"}</label>
        <input id="password" name="password" type="password" required minlength=${setup ? this.minLength : 1} autocomplete=${setup ? "new-password" : "current-password"}>
        ${setup ? html`<p class="muted">At least ${this.minLength} characters.</p>
          <label for="confirm">Repeat the password</label><input id="confirm" name="confirm" type="password" required autocomplete="new-password">` : null}
        <p class="error" role="alert">${this.error ?? ""}</p>
        <button class="primary" type="submit" ?disabled=${this.busy}>${setup ? "Set password" : "Log in"}</button>
      </form>
    </section>`;
  }
}
customElements.define("op-login-page", OpLoginPage);
