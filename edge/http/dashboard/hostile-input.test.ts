// The hub's HTTP listener as a stranger on the LAN attacks it (issue 12, item 4): huge bodies, password guessing
// from many addresses, weak owner passwords, DNS rebinding, missing security headers. Real loopback sockets.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestClock } from "../../../core/time/index.ts";
import type { ErrorBody } from "../../../cloud-sync/protocol/index.ts";
import { parseConfig } from "../../config/load.ts";
import { params } from "../../engine/harness.test-support.ts";
import { FakeCharger, FakeMeter, FakePevLink, FakeUtility } from "../../hub/doubles.test-support.ts";
import { startHub, type RunningHub } from "../../hub/runtime.ts";
import { premisesTariffs } from "../../hub/session-tariff.ts";
import { createDashboard, type Dashboard } from "./index.ts";
import { DASHBOARD_MAX_BODY_BYTES } from "./json-object.ts";

let dir = "";
let h: RunningHub;
let dash: Dashboard;
const clock = new TestClock(Date.UTC(2024, 5, 3, 22, 0, 0));

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "offpeak-"));
  const config = parseConfig({ hub: { port: 0, data_dir: dir } }, "test");
  dash = createDashboard({
    timeZone: "America/Los_Angeles", tariffs: premisesTariffs(config.premises.default_tariff, () => {}), log: () => {}, distDir: join(dir, "no-ui"),
    loginAttemptsPerMinute: 5, loginAttemptsPerMinuteAllClients: 12,
  });
  h = await startHub({
    config, clock, log: () => {}, guard: dash.guard, mount: dash.mount,
    ports: { charger: new FakeCharger(), eumd: new FakeMeter(clock, () => 0), premisesMeter: null, pevLink: new FakePevLink(), utility: new FakeUtility(() => params()), reports: null, displays: [] },
  });
});
test.after(async () => { await h.stop(); rmSync(dir, { recursive: true, force: true }); });

/** One raw HTTP/1.1 request from a chosen loopback source address (127.0.0.0/8 all reach the hub's 127.0.0.1). */
function rawRequest(from: string, request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port: h.port, localAddress: from }, () => s.end(request));
    let data = "";
    s.setEncoding("utf8");
    s.on("data", (d: string) => { data += d; });
    s.on("error", reject);
    s.on("close", () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), head, body });
    });
  });
}

const loginFrom = (from: string, password: string) => {
  const body = JSON.stringify({ password });
  return rawRequest(from, `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
};

test("the owner password refuses whitespace, one repeated character and the most common passwords", async () => {
  const setup = (password: string) => fetch(`${h.url}/api/v1/auth/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ code: dash.setupCode(), password }) });
  for (const [pw, why] of [["          ", /whitespace/], ["aaaaaaaaaa", /repeats one character/], ["1234567890", /most common/], ["Password123", /most common/]] as const) {
    const r = await setup(pw);
    assert.is(r.status, 400, JSON.stringify(pw));
    const b = (await r.json()) as ErrorBody;
    assert.is(b.error.path, "password");
    assert.match(b.error.message, why);
  }
  assert.is((await setup("correct horse battery staple")).status, 200);
});

test("a 100 MB body is refused while it streams in (413), and the hub keeps answering", async () => {
  const rssBefore = process.memoryUsage().rss;
  const chunk = new Uint8Array(1024 * 1024).fill(0x20);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (sent >= 100) { ctrl.close(); return; }
      sent++;
      ctrl.enqueue(chunk);
    },
  });
  // No Content-Length: the limit must hold on the bytes actually read, not on what the client declares.
  const r = await fetch(`${h.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: stream, duplex: "half" } as RequestInit);
  assert.is(r.status, 413);
  const b = (await r.json()) as ErrorBody;
  assert.is(b.error.code, "payload-too-large");
  assert.is(b.error.details?.maxBytes, DASHBOARD_MAX_BODY_BYTES);
  // The body was not buffered whole: the process grew by far less than 100 MB.
  assert.ok(process.memoryUsage().rss - rssBefore < 50 * 1024 * 1024, "RSS grew by less than 50 MB");
  // A declared length over the limit is refused before any byte of the body is read.
  const declared = await rawRequest("127.0.0.1", `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\nConnection: close\r\n\r\n{}`);
  assert.is(declared.status, 413);
  assert.is((await fetch(`${h.url}/healthz`)).status, 200);
});

test("password guesses from 40 loopback addresses share one budget across all clients (429 with Retry-After)", async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) statuses.push((await loginFrom(`127.0.0.${10 + i}`, `guess number ${i}`)).status);
  const tried = statuses.filter((s) => s === 401).length;
  assert.ok(tried <= 12, `at most 12 guesses reached the password check, got ${tried}`);
  assert.ok(statuses.filter((s) => s === 429).length >= 28);
  const last = await loginFrom("127.0.0.99", "yet another guess");
  assert.is(last.status, 429);
  assert.match(last.head, /Retry-After: \d+/i);
});

test("DNS rebinding: a request naming a foreign Host is refused on every route, /healthz included", async () => {
  for (const path of ["/healthz", "/api/v1/auth/state", "/"]) {
    const r = await rawRequest("127.0.0.1", `GET ${path} HTTP/1.1\r\nHost: evil.example:${h.port}\r\nConnection: close\r\n\r\n`);
    assert.is(r.status, 421, path);
    assert.match(r.body, /does not answer to the host name/);
  }
  const own = await rawRequest("127.0.0.1", `GET /healthz HTTP/1.1\r\nHost: localhost:${h.port}\r\nConnection: close\r\n\r\n`);
  assert.is(own.status, 200);
});

test("security headers on every answer: /healthz, a refusal and a page", async () => {
  for (const r of [await fetch(`${h.url}/healthz`), await fetch(`${h.url}/api/v1/status`), await fetch(`${h.url}/api/v1/nope`)]) {
    assert.ok(r.headers.get("content-security-policy")?.includes("default-src 'self'"), r.url);
    assert.is(r.headers.get("x-frame-options"), "SAMEORIGIN", r.url);
    assert.is(r.headers.get("x-content-type-options"), "nosniff", r.url);
    assert.is(r.headers.get("referrer-policy"), "no-referrer", r.url);
  }
});

test.run();
