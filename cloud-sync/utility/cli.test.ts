// `offpeak utility` as its own process (Bun.spawn), seeded with the demo, and a hub talking to it over loopback
// through part A's UtilityClient: commissioning, re-binding, a fallback report, the S4 API, and a restart that
// keeps the credential-signing key. On the engine under test: with OFFPEAK_TEST_DB=postgres the process is started with
// `--db postgres://… --db-schema <empty schema>` and migrates it at start.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { HubId, PremisesId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import { RealClock } from "../../core/time/index.ts";
import { SignedUtilityClient as UtilityClient } from "../protocol/index.ts";
import { exportPublicKeyPem, generateEd25519KeyPair } from "../protocol/index.ts";
import { sessionReport } from "./test-support.ts";
import { testDatabase } from "../../core/storage/testing/index.ts";
import type { DemoSeed } from "./seed-demo.ts";

const OP = "cli-operator-token";
const dir = mkdtempSync(join(tmpdir(), "offpeak-"));
const database = await testDatabase();
const dbArgs = ["--db", database.target, ...(database.schema ? ["--db-schema", database.schema] : [])];
const keys = generateEd25519KeyPair();
const keyFile = join(dir, "hub.pem");
writeFileSync(keyFile, exportPublicKeyPem(keys.publicKey));
const clock = new RealClock();

interface Started { proc: Subprocess<"ignore", "pipe", "pipe">; url: string; seed: DemoSeed | null }

async function start(extra: string[] = []): Promise<Started> {
  const proc = Bun.spawn([process.execPath, "cloud-sync/utility/main.ts", "--port", "0", ...dbArgs, "--operator-token", OP, ...extra],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  const reader = proc.stdout.getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`utility did not start: ${text}${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
    if (m) {
      reader.releaseLock();
      const s = /seeded demo: (\{.*\})/.exec(text);
      return { proc, url: m[1]!, seed: s ? (JSON.parse(s[1]!) as DemoSeed) : null };
    }
  }
}

async function stop(s: Started): Promise<number> {
  s.proc.kill("SIGTERM");
  return await s.proc.exited;
}

let u: Started;
let client: UtilityClient;

test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

test("`offpeak utility --help` prints usage and exits 0; a bad option exits 2", async () => {
  const help = Bun.spawn([process.execPath, "cloud-sync/utility/main.ts", "--help"], { stdout: "pipe" });
  assert.match(await new Response(help.stdout).text(), /--operator-token/);
  assert.is(await help.exited, 0);
  const bad = Bun.spawn([process.execPath, "cloud-sync/utility/main.ts", "--bogus"], { stdout: "pipe", stderr: "pipe" });
  assert.is(await bad.exited, 2);
});

test("demo seed: program, customer, account, premises, an enrolled PEV with a valid VIN, the hub paired", async () => {
  u = await start(["--seed-demo-hub", `HUB-DEMO=${keyFile}`]);
  assert.ok(u.seed);
  assert.is(u.seed!.hubId, "HUB-DEMO");
  assert.ok(u.seed!.customerToken);
  client = new UtilityClient({ baseUrl: u.url, hubId: "HUB-DEMO" as HubId, privateKey: keys.privateKey, clock });
  const cfg = await client.pullConfig();
  assert.is(cfg.premisesId, u.seed!.premisesId);
  assert.is(cfg.defaultTariffId, "pge-e-tou-c");
});

test("FR-14, FR-16, FR-28: commissioning then re-binding against the utility process", async () => {
  const req = (path: "commissioning" | "rebinding") => ({ v: 1 as const, hubId: "HUB-DEMO" as HubId, premisesId: u.seed!.premisesId as PremisesId, vin: u.seed!.vin as Vin, path, pevProofOk: path === "rebinding", at: clock.now() });
  const c = await client.validateBinding(req("commissioning"));
  assert.is(c.status, "enrolled");
  assert.ok((c as { pevSecret?: string }).pevSecret);
  const r = await client.validateBinding(req("rebinding"));
  assert.is(r.status, "enrolled");
  assert.is((r as { pevSecret?: string }).pevSecret, undefined);
});

test("BR-4, FR-10: a fallback session is accepted and shows on the customer's S4 API (FR-35)", async () => {
  const start = Math.floor(clock.now() / 900) * 900 - 7200;
  const rep = sessionReport({ sessionId: "S-CLI-FB", hubId: "HUB-DEMO", premisesId: u.seed!.premisesId, utilityId: "UTIL-DEMO", vin: u.seed!.vin, start, wh: [800, 800], rate: "default", status: null, fallbackReason: "comm-timeout" });
  assert.is((await client.sendSessionReport(rep)).outcome, "accepted");
  const res = await fetch(`${u.url}/v1/customer/sessions`, { headers: { authorization: `Bearer ${u.seed!.customerToken}` } });
  const sessions = ((await res.json()) as { sessions: { sessionId: string; settlement: string; fallbackReason: string }[] }).sessions;
  const s = sessions.find((x) => x.sessionId === "S-CLI-FB");
  assert.is(s?.settlement, "default");
  assert.is(s?.fallbackReason, "comm-timeout");
});

test("restart: the utility keeps its credential key and its data; SIGTERM exits 0", async () => {
  const before = (await (await fetch(`${u.url}/healthz`)).json()) as { keyId: string };
  assert.is(await stop(u), 0);
  u = await start();
  const after = (await (await fetch(`${u.url}/healthz`)).json()) as { keyId: string };
  assert.is(after.keyId, before.keyId);
  client = new UtilityClient({ baseUrl: u.url, hubId: "HUB-DEMO" as HubId, privateKey: keys.privateKey, clock });
  const rep = sessionReport({ sessionId: "S-CLI-FB", hubId: "HUB-DEMO", premisesId: u.seed?.premisesId ?? "PREM-1001", utilityId: "UTIL-DEMO", vin: "1HGCM82633A004352", start: 0, wh: [1], rate: "default", status: null });
  assert.is((await client.sendSessionReport(rep)).outcome, "duplicate", "session intake is idempotent across restarts");
  assert.is(await stop(u), 0);
});

test.run();
