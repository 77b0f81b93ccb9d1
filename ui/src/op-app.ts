// The app shell: decides between first-run setup, login and the dashboard, and routes by URL hash
// (#/now, #/sessions, #/sessions/<id>, #/usage, #/program, #/devices, #/settings), so every page has a link.
import { LitElement, css, html, type TemplateResult } from "lit";
import { authState, setCsrf } from "./api.ts";
import type { AuthStateView } from "../../core/index.ts";
import { live } from "./live-connection.ts";
import { shared } from "./shared-styles.ts";
import "./pages/login-page.ts";
import "./pages/now-page.ts";
import "./pages/sessions-page.ts";
import "./pages/usage-page.ts";
import "./pages/program-page.ts";
import "./pages/devices-page.ts";
import "./pages/settings-page.ts";

const PAGES = [["now", "Now"], ["sessions", "Sessions"], ["usage", "Usage & bills"], ["program", "Program"], ["devices", "Devices"], ["settings", "Settings"]] as const;

export class OpApp extends LitElement {
  static override properties = { auth: { state: true }, route: { state: true }, problem: { state: true } };
  declare auth: AuthStateView | null;
  declare route: string[];
  declare problem: string | null;

  static override styles = [shared, css`
    header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1rem; padding: 0.5rem 1rem; border-bottom: 1px solid var(--line); }
    .brand { font-weight: 700; font-size: 1.1rem; margin-right: auto; }
    nav ul { display: flex; flex-wrap: wrap; gap: 0.25rem; list-style: none; margin: 0; padding: 0; }
    nav a { display: inline-block; padding: 0.55rem 0.6rem; border-radius: 8px; text-decoration: none; color: var(--fg); min-height: 24px; }
    nav a[aria-current="page"] { background: var(--accent); color: var(--accent-fg); font-weight: 600; }
    main { padding: 1rem; max-width: 70rem; margin: 0 auto; }
    .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 0.5rem; background: var(--bg); padding: 0.5rem; z-index: 2; }
  `];

  constructor() {
    super();
    this.auth = null;
    this.route = this.parse();
    this.problem = null;
  }

  private parse(): string[] {
    const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
    return parts.length ? parts : ["now"];
  }

  private readonly onHash = () => { this.route = this.parse(); };
  private readonly onLoggedOut = () => { live.close(); void this.refresh(); };

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener("hashchange", this.onHash);
    addEventListener("offpeak-logged-out", this.onLoggedOut);
    void this.refresh();
  }
  override disconnectedCallback(): void {
    removeEventListener("hashchange", this.onHash);
    removeEventListener("offpeak-logged-out", this.onLoggedOut);
    super.disconnectedCallback();
  }

  async refresh(): Promise<void> {
    try { this.auth = await authState(); this.problem = null; } catch (e) { this.problem = `The hub does not answer: ${(e as Error).message}`; }
  }

  private page(): TemplateResult {
    const [name, arg] = this.route;
    const readOnly = this.auth?.role !== "owner";
    switch (name) {
      case "sessions": return html`<op-sessions-page .sessionId=${arg ?? null}></op-sessions-page>`;
      case "usage": return html`<op-usage-page></op-usage-page>`;
      case "program": return html`<op-program-page></op-program-page>`;
      case "devices": return html`<op-devices-page .readOnly=${readOnly}></op-devices-page>`;
      case "settings": return html`<op-settings-page .readOnly=${readOnly}></op-settings-page>`;
      default: return html`<op-now-page .readOnly=${readOnly}></op-now-page>`;
    }
  }

  private async logout() {
    await fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin" });
    setCsrf(null);
    live.close();
    await this.refresh();
  }

  override render() {
    if (this.problem) return html`<main><p class="error" role="alert">${this.problem}</p><button @click=${() => this.refresh()}>Try again</button></main>`;
    const a = this.auth;
    if (!a) return html`<main><p>Loading…</p></main>`;
    if (!a.loggedIn && a.role !== "guest") {
      return html`<main><op-login-page .setupNeeded=${a.setupNeeded} .minLength=${a.minPasswordLength} @logged-in=${() => this.refresh()}></op-login-page></main>`;
    }
    const current = this.route[0] ?? "now";
    return html`
      <a class="skip" href="#main" @click=${(e: Event) => { e.preventDefault(); this.renderRoot.querySelector("main")?.focus(); }}>Skip to content</a>
      <header>
        <span class="brand">Offpeak</span>
        <nav aria-label="Pages"><ul>
          ${PAGES.map(([id, label]) => html`<li><a href="#/${id}" aria-current=${current === id ? "page" : "false"}>${label}</a></li>`)}
        </ul></nav>
        ${a.role === "owner" ? html`<button @click=${() => this.logout()}>Log out</button>` : html`<span class="badge">Guest view (read-only)</span>`}
      </header>
      <main id="main" tabindex="-1">${this.page()}</main>`;
  }
}
customElements.define("op-app", OpApp);
