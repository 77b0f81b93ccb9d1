// Security of the dashboard API over real loopback HTTP: login required, CSRF, Origin, rate limit, secure headers,
// one-time setup code, guest view off by default.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../../core/time/index.ts";
import { parseConfig } from "../../config/load.ts";
import { params } from "../../engine/harness.test-support.ts";
import { FakeCharger, FakeMeter, FakePevLink, FakeUtility } from "../../hub/doubles.test-support.ts";
import { startHub, type RunningHub } from "../../hub/runtime.ts";
import { premisesTariffs } from "../../hub/session-tariff.ts";
import { createDashboard, type Dashboard } from "./index.ts";

let dir = "";
let h: RunningHub;
let dash: Dashboard;
const clock = new TestClock(Date.UTC(2024, 5, 3, 22, 0, 0));
const PASSWORD = "a long enough password";
let cookie = "";
let csrf = "";
const logLines: string[] = [];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  const charger = new FakeCharger();
  const config = parseConfig({ hub: { port: 0, data_dir: dir } }, "test");
  // The static bundle is built into this test's own temp folder (it is checked once below).
  dash = createDashboard({ timeZone: "America/Los_Angeles", tariffs: premisesTariffs(config.premises.default_tariff, (l) => logLines.push(l)), log: (l) => logLines.push(l), distDir: join(dir, "no-ui") });
  h = await startHub({
    config, clock, log: () => {}, guard: dash.guard, mount: dash.mount,
    ports: { charger, eumd: new FakeMeter(clock, () => 0), premisesMeter: null, pevLink: new FakePevLink(), utility: new FakeUtility(() => params()), reports: null, displays: [] },
  });
});
test.after(async () => { await h.stop(); rmSync(dir, { recursive: true, force: true }); });

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(h.url + path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

test("no default password: a one-time setup code is logged, and the API is closed until setup", async () => {
  const code = dash.setupCode();
  assert.ok(code);
  assert.ok(logLines.some((l) => l.includes(code!)), "the code is in the hub's log");
  const state = await (await fetch(`${h.url}/api/v1/auth/state`)).json() as { setupNeeded: boolean; loggedIn: boolean };
  assert.is(state.setupNeeded, true);
  assert.is(state.loggedIn, false);
  for (const p of ["/api/v1/status", "/api/v1/sessions", "/api/v1/dashboard/now", "/api/v1/events", "/openapi.json"]) {
    assert.is((await fetch(h.url + p)).status, 401, p);
  }
  assert.is((await fetch(`${h.url}/healthz`)).status, 200);
  const wrong = await post("/api/v1/auth/setup", { code: "aaaa-bbbb-cccc", password: PASSWORD });
  assert.is(wrong.status, 401);
  assert.is(((await wrong.json()) as { error: { path: string } }).error.path, "code");
  const short = await post("/api/v1/auth/setup", { code, password: "short" });
  assert.is(short.status, 400);
  assert.match(((await short.json()) as { error: { message: string } }).error.message, /at least 10 characters/);
  const ok = await post("/api/v1/auth/setup", { code, password: PASSWORD });
  assert.is(ok.status, 200);
  const setCookie = ok.headers.get("set-cookie") ?? "";
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /SameSite=Strict/i);
  assert.match(setCookie, /Path=\//);
  cookie = setCookie.split(";")[0]!;
  csrf = ((await ok.json()) as { csrf: string }).csrf;
  assert.is((await post("/api/v1/auth/setup", { code, password: PASSWORD })).status, 409, "the code works once");
  assert.is(dash.setupCode(), null);
});

test("the built page is public and cached right: index.html no-cache, hashed assets immutable, gzip on request", async () => {
  const page = await fetch(`${h.url}/`, { headers: { "accept-encoding": "gzip" } });
  assert.is(page.status, 200);
  assert.is(page.headers.get("cache-control"), "no-cache");
  assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  const html = await page.text();
  const script = /src="(\/assets\/main-[\w]+\.js)"/.exec(html)?.[1];
  assert.ok(script, html);
  const js = await fetch(h.url + script!, { headers: { "accept-encoding": "gzip" } });
  assert.is(js.status, 200);
  assert.is(js.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.match(js.headers.get("content-type") ?? "", /javascript/);
  assert.is((await fetch(`${h.url}/assets/nope.js`)).status, 404);
  assert.is((await fetch(`${h.url}/api/v1/nope`)).status, 401, "unknown API paths are behind login too");
});

test("the password is stored as an argon2id hash, never in clear", () => {
  const row = h.store.getSetting<{ hash: string }>("dashboard.password");
  assert.ok(row);
  assert.match(row!.hash, /^\$argon2id\$/);
  assert.not.ok(JSON.stringify(row).includes(PASSWORD));
});

test("with the cookie the API answers, with secure headers and a self-only CSP", async () => {
  const r = await fetch(`${h.url}/api/v1/status`, { headers: { cookie } });
  assert.is(r.status, 200);
  const csp = r.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'/);
  assert.not.match(csp, /unsafe-inline|unsafe-eval/);
  assert.is(r.headers.get("x-content-type-options"), "nosniff");
  assert.is(r.headers.get("x-frame-options"), "SAMEORIGIN");
  const refused = await fetch(`${h.url}/api/v1/status`);
  assert.ok(refused.headers.get("content-security-policy"), "refusals carry the headers too");
});

test("CSRF: a state change needs the session's token header, and a foreign Origin is refused even with it", async () => {
  const body = { mode: "charge-now" };
  const noToken = await post("/api/v1/dashboard/charge-mode", body, { cookie });
  assert.is(noToken.status, 403);
  assert.is(((await noToken.json()) as { error: { path: string } }).error.path, "headers.x-csrf-token");
  const wrongToken = await post("/api/v1/dashboard/charge-mode", body, { cookie, "x-csrf-token": "nope" });
  assert.is(wrongToken.status, 403);
  const foreign = await post("/api/v1/dashboard/charge-mode", body, { cookie, "x-csrf-token": csrf, origin: "http://evil.example" });
  assert.is(foreign.status, 403);
  assert.is(((await foreign.json()) as { error: { path: string } }).error.path, "headers.origin");
  const crossSite = await post("/api/v1/auth/login", { password: PASSWORD }, { "sec-fetch-site": "cross-site" });
  assert.is(crossSite.status, 403);
  const form = await fetch(`${h.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "password=x" });
  assert.is(form.status, 415, "no form posts to login");
  const ok = await post("/api/v1/dashboard/charge-mode", body, { cookie, "x-csrf-token": csrf, origin: h.url });
  assert.is(ok.status, 200);
  const bad = await post("/api/v1/dashboard/charge-mode", { mode: "cheapest-hours", departAt: "25:00" }, { cookie, "x-csrf-token": csrf });
  assert.is(bad.status, 400);
  assert.is(((await bad.json()) as { error: { path: string } }).error.path, "departAt");
});

test("FR-35: the customer sees a utility demand-response event on the Now view and can opt out, where the program allows it", async () => {
  const now = clock.now();
  await h.hub.dispatch({ type: "dr.event", id: "DR-9", action: "pause", limitA: null, startsAt: now, endsAt: (now + 3600) as typeof now, optOutAllowed: true });
  const view = await (await fetch(`${h.url}/api/v1/dashboard/now`, { headers: { cookie } })).json() as { demandResponse: { id: string; optedOut: boolean } | null };
  assert.is(view.demandResponse?.id, "DR-9");
  assert.is((await post("/api/v1/dashboard/dr/opt-out", { id: "DR-9" }, { cookie })).status, 403, "CSRF token required");
  const unknown = await post("/api/v1/dashboard/dr/opt-out", { id: "DR-0" }, { cookie, "x-csrf-token": csrf });
  assert.is(unknown.status, 400);
  assert.is(((await unknown.json()) as { error: { path: string } }).error.path, "id");
  const ok = await post("/api/v1/dashboard/dr/opt-out", { id: "DR-9" }, { cookie, "x-csrf-token": csrf });
  assert.is(ok.status, 200);
  assert.is(h.hub.snapshot().dr?.optedOut, true);
  assert.ok(h.store.hubEvents().some((e) => e.kind === "dr.opted-out"));
  await h.hub.dispatch({ type: "dr.cancel", id: "DR-9" });
  await h.hub.dispatch({ type: "dr.event", id: "DR-10", action: "pause", limitA: null, startsAt: now, endsAt: (now + 3600) as typeof now, optOutAllowed: false });
  const refused = await post("/api/v1/dashboard/dr/opt-out", { id: "DR-10" }, { cookie, "x-csrf-token": csrf });
  assert.is(refused.status, 409);
  assert.is(h.hub.snapshot().dr?.optedOut, false);
  await h.hub.dispatch({ type: "dr.cancel", id: "DR-10" });
});

test("the guest view is off by default; when the owner turns it on, guests can read but not change anything", async () => {
  assert.is((await fetch(`${h.url}/api/v1/dashboard/now`)).status, 401);
  assert.is((await post("/api/v1/auth/guest-view", { enabled: true }, { cookie, "x-csrf-token": csrf })).status, 200);
  assert.is((await fetch(`${h.url}/api/v1/dashboard/now`)).status, 200);
  assert.is((await post("/api/v1/dashboard/charge-mode", { mode: "charge-now" })).status, 401, "no session: no changes");
  assert.is((await post("/api/v1/auth/guest-view", { enabled: false }, { cookie, "x-csrf-token": csrf })).status, 200);
  assert.is((await fetch(`${h.url}/api/v1/dashboard/now`)).status, 401);
});

test("changing the password logs out every other session", async () => {
  const second = await post("/api/v1/auth/login", { password: PASSWORD });
  assert.is(second.status, 200);
  const other = (second.headers.get("set-cookie") ?? "").split(";")[0]!;
  assert.is((await fetch(`${h.url}/api/v1/status`, { headers: { cookie: other } })).status, 200, "a second device is logged in");
  const res = await post("/api/v1/auth/password", { current: PASSWORD, next: "another long password" }, { cookie, "x-csrf-token": csrf });
  assert.is(res.status, 200);
  assert.is((await fetch(`${h.url}/api/v1/status`, { headers: { cookie } })).status, 200, "the session that changed it stays");
  assert.is((await fetch(`${h.url}/api/v1/status`, { headers: { cookie: other } })).status, 401, "the other device is logged out");
});

test("the sessions CSV is behind login; logout ends the session", async () => {
  assert.is((await fetch(`${h.url}/api/v1/sessions.csv`)).status, 401);
  const csv = await fetch(`${h.url}/api/v1/sessions.csv`, { headers: { cookie } });
  assert.is(csv.status, 200);
  assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
  assert.match(await csv.text(), /^session_id,plugged_in_local \(America\/Los_Angeles\)/);
  assert.is((await fetch(`${h.url}/api/v1/auth/logout`, { method: "POST", headers: { cookie } })).status, 200);
  assert.is((await fetch(`${h.url}/api/v1/status`, { headers: { cookie } })).status, 401, "logged out");
});

test("login attempts are rate-limited per client: the 6th within a minute gets 429 with Retry-After", async () => {
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) codes.push((await post("/api/v1/auth/login", { password: `wrong ${i}` })).status);
  // The attempt after setup (409) counted too: at most 5 answers, then refusals.
  assert.ok(codes.slice(0, 4).every((c) => c === 401), codes.join());
  assert.is(codes[5], 429, codes.join());
  const again = await post("/api/v1/auth/login", { password: PASSWORD });
  assert.is(again.status, 429, "even the right password waits: no oracle while limited");
  assert.ok(Number(again.headers.get("retry-after")) > 0);
});

test.run();
