// `offpeak utility hub-key` as its own process: the key it prints pairs a hub, and the private key it writes signs
// requests the head-end accepts. And the retired OFFPEAK_CLEARINGHOUSE_TOKEN is refused with the names replacing it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importPrivateKeyPem, SignedUtilityClient } from "../protocol/index.ts";
import { parseHubId } from "../../core/ids/index.ts";
import { defineTestProgram, testUtility } from "./test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "offpeak-hubkey-"));
const run = (args: string[], env: Record<string, string> = {}) => {
  const p = Bun.spawnSync([process.execPath, "cloud-sync/utility/main.ts", ...args], { env: { ...process.env, ...env } });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
};

test("offpeak utility hub-key: the printed public key pairs the hub; the private key file (0600) signs requests the head-end accepts", async () => {
  const file = join(dir, "hub-key.pem");
  const r = run(["hub-key", "--out", file]);
  assert.is(r.code, 0, r.err);
  const printed = JSON.parse(r.out) as { keyId: string; publicKey: string; publicKeyPem: string; privateKeyFile: string; privateKeyPem?: string };
  assert.match(printed.publicKey, /^[A-Za-z0-9_-]{43}$/);
  assert.is(printed.privateKeyPem, undefined, "the private key is not printed when written to a file");
  assert.is(statSync(file).mode & 0o777, 0o600);
  assert.is(run(["hub-key", "--out", file]).code, 1, "an existing key file is never overwritten");

  const t = await testUtility();
  try {
    await defineTestProgram(t, "ev");
    const hubId = parseHubId("HUB-KEYGEN");
    const client = new SignedUtilityClient({ baseUrl: t.utility.url, hubId, privateKey: importPrivateKeyPem(readFileSync(file, "utf8")), clock: t.clock, timeoutMs: 5000 });
    for (const [path, body] of [
      ["/v1/operator/customers", { id: "CUST-K1", name: "Kim" }],
      ["/v1/operator/accounts", { id: "ACCT-K1", customerId: "CUST-K1" }],
      ["/v1/operator/premises", { id: "PREM-K1", accountId: "ACCT-K1", address: "1 Key St", defaultTariffId: "test-flat" }],
    ] as const) assert.is((await t.op("POST", path, body)).status, 201, path);
    const paired = await t.op("POST", "/v1/operator/hubs", { hubId, premisesId: "PREM-K1", publicKey: printed.publicKey });
    assert.is(paired.status, 201, JSON.stringify(paired.body));
    const config = await client.pullConfig();
    assert.is(config.premisesId, "PREM-K1");
  } finally {
    await t.close();
  }
});

test("issue 14: the retired OFFPEAK_CLEARINGHOUSE_TOKEN is refused (exit 2) with the two names that replaced it", () => {
  for (const cmd of [["cloud-sync/utility/main.ts"], ["cloud-sync/clearinghouse/main.ts"]]) {
    const p = Bun.spawnSync([process.execPath, ...cmd, "--port", "0", "--db", ":memory:", "--operator-token", "operator-token-x"], { env: { ...process.env, OFFPEAK_CLEARINGHOUSE_TOKEN: "x" } });
    assert.is(p.exitCode, 2, cmd[0]);
    assert.match(p.stderr.toString(), /OFFPEAK_CLEARINGHOUSE_OPERATOR_TOKEN.*OFFPEAK_UTILITY_CLEARINGHOUSE_TOKEN/s);
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
