import { test } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "bun:sqlite";
import type { KeyObject } from "node:crypto";
import { TestClock } from "../../core/time/index.ts";
import { ID_PATTERN, type HubId } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import {
  exportPrivateKeyPem, exportPublicKeyBase64, exportPublicKeyPem, generateEd25519KeyPair, importPrivateKeyPem,
  importPublicKeyBase64, importPublicKeyPem, keyIdOf, KeyError,
} from "./keys.ts";
import { createRequestVerifier, RequestAuthError, signRequest, SIGNATURE_HEADERS, type RequestAuthFailure } from "./signing.ts";
import { MemoryNonceStore, SqliteNonceStore, type NonceStore } from "./nonce-store.ts";
import { signBindingCredential, verifyBindingCredential } from "./credentials.ts";
import { EXAMPLE_IDS, exampleHubConfig } from "./examples.ts";
import { parseHubConfig } from "./hub-config.ts";

const hub = generateEd25519KeyPair();
const other = generateEd25519KeyPair();
const HUB = "hub-0001" as HubId;

function setup(nonces: NonceStore = new MemoryNonceStore()) {
  const clock = new TestClock();
  const keys = new Map<string, KeyObject>([[HUB, hub.publicKey]]);
  const verifier = createRequestVerifier({ hubKey: (id) => keys.get(id), nonces, clock });
  const signed = (body: string, o: { key?: KeyObject; time?: number; path?: string; nonce?: string; hubId?: HubId } = {}) => ({
    method: "POST",
    path: o.path ?? "/v1/hub/sessions",
    body,
    headers: signRequest({
      method: "POST", path: o.path ?? "/v1/hub/sessions", body, hubId: o.hubId ?? HUB, privateKey: o.key ?? hub.privateKey,
      time: (o.time ?? clock.now()) as UtcSeconds, nonce: o.nonce,
    }),
  });
  return { clock, verifier, signed };
}

async function refused(p: Promise<unknown>): Promise<RequestAuthFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RequestAuthError) return e.reason;
    throw e;
  }
  assert.unreachable("request was accepted");
  throw new Error("unreachable");
}

test("FR-09: a correctly signed request is accepted and names its hub", async () => {
  const { verifier, signed } = setup();
  const v = await verifier.verify(signed('{"v":1}'));
  assert.is(v.hubId, HUB);
});

test("FR-09: a tampered body, path or method is refused (bad-signature)", async () => {
  const { verifier, signed } = setup();
  const r = signed('{"v":1,"wh":100}');
  assert.is(await refused(verifier.verify({ ...r, body: '{"v":1,"wh":900}' })), "bad-signature");
  const r2 = signed("{}");
  assert.is(await refused(verifier.verify({ ...r2, path: "/v1/hub/acks" })), "bad-signature");
  const r3 = signed("{}");
  assert.is(await refused(verifier.verify({ ...r3, method: "PUT" })), "bad-signature");
});

test("FR-09: a request signed with another key is refused", async () => {
  const { verifier, signed } = setup();
  assert.is(await refused(verifier.verify(signed("{}", { key: other.privateKey }))), "bad-signature");
});

test("FR-09: a stale or future timestamp (beyond ±300 s) is refused; within the window it is accepted", async () => {
  const { clock, verifier, signed } = setup();
  assert.is(await refused(verifier.verify(signed("{}", { time: clock.now() - 301 }))), "stale");
  assert.is(await refused(verifier.verify(signed("{}", { time: clock.now() + 301 }))), "stale");
  await verifier.verify(signed("{}", { time: clock.now() - 299 }));
});

for (const [name, make] of [["memory", () => new MemoryNonceStore()], ["sqlite", () => new SqliteNonceStore(new Database(":memory:"))]] as const) {
  test(`FR-09: a replayed nonce is refused (${name} nonce store), and forgotten once its window has passed`, async () => {
    const { clock, verifier, signed } = setup(make());
    const r = signed("{}");
    await verifier.verify(r);
    assert.is(await refused(verifier.verify(r)), "replayed");
    // The same nonce in a freshly signed request is still a replay.
    assert.is(await refused(verifier.verify(signed("{}", { nonce: r.headers[SIGNATURE_HEADERS.nonce] }))), "replayed");
    clock.advance(700_000);
    // Long after: the old request itself is stale, and a new one with the old nonce passes (the store is bounded).
    assert.is(await refused(verifier.verify(r)), "stale");
    await verifier.verify(signed("{}", { nonce: r.headers[SIGNATURE_HEADERS.nonce] }));
  });
}

test("a forged request does not burn the real hub's nonce", async () => {
  const { verifier, signed } = setup();
  const nonce = "AAAAAAAAAAAAAAAAAAAAAA";
  assert.is(await refused(verifier.verify(signed("{}", { key: other.privateKey, nonce }))), "bad-signature");
  await verifier.verify(signed("{}", { nonce }));
});

test("an unknown hub, a missing header and a malformed header are refused with the header named", async () => {
  const { verifier, signed } = setup();
  assert.is(await refused(verifier.verify(signed("{}", { hubId: "hub-9999" as HubId }))), "unknown-hub");
  const r = signed("{}");
  const { [SIGNATURE_HEADERS.signature]: _, ...noSig } = r.headers;
  try {
    await verifier.verify({ ...r, headers: noSig });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, RequestAuthError);
    assert.is((e as RequestAuthError).toBody().error.path, `headers.${SIGNATURE_HEADERS.signature}`);
    assert.is((e as RequestAuthError).status, 401);
  }
  assert.is(await refused(verifier.verify({ ...r, headers: { ...r.headers, [SIGNATURE_HEADERS.time]: "yesterday" } })), "malformed-header");
});

test("verifyRequest works on a fetch Request and leaves its body readable", async () => {
  const { verifier, signed } = setup();
  const s = signed('{"v":1}', { path: "/v1/hub/binding?x=1" });
  const req = new Request("http://127.0.0.1/v1/hub/binding?x=1", { method: "POST", headers: s.headers, body: s.body });
  const v = await verifier.verifyRequest(req);
  assert.is(v.hubId, HUB);
  assert.is(await req.text(), '{"v":1}');
});

test("keys round-trip through PEM and raw base64url; non-Ed25519 keys are refused", () => {
  const pub = importPublicKeyPem(exportPublicKeyPem(hub.publicKey));
  const priv = importPrivateKeyPem(exportPrivateKeyPem(hub.privateKey));
  const raw = exportPublicKeyBase64(hub.publicKey);
  assert.is(raw.length, 43);
  assert.is(exportPublicKeyBase64(importPublicKeyBase64(raw)), raw);
  assert.is(exportPublicKeyBase64(pub), raw);
  assert.is(exportPublicKeyBase64(priv), raw);
  assert.is(keyIdOf(hub.publicKey), keyIdOf(pub));
  assert.is.not(keyIdOf(hub.publicKey), keyIdOf(other.publicKey));
  assert.throws(() => importPublicKeyBase64("short"), (e: unknown) => e instanceof KeyError);
  assert.throws(() => importPublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"), (e: unknown) => e instanceof KeyError);
});

test("every key ID is a valid reference ID, also for keys whose hash starts with - or _ (one key in 32)", () => {
  // Raw public keys found by search: the base64url of their SHA-256 prefix starts with "-" and "_" respectively.
  for (const [raw, id] of [["Y9FHGxN2fpVo3cOqK0ScOFt4K3Z1LaEIIMP6txMqEQk", "k-n50oL0p7y8hxk56"], ["21UB51spBXGfowQUfoOSo4e3lN5_JZR7KUB86oPWz0I", "k_R8VK5-NAgoJZdy5"]] as const) {
    const key = importPublicKeyBase64(raw);
    assert.is(keyIdOf(key), id);
    assert.ok(ID_PATTERN.test(keyIdOf(key)));
    // The config carrying it is one a hub accepts.
    assert.is(parseHubConfig(exampleHubConfig(key)).utilityKeys[0]!.keyId, id);
  }
  // Every other key keeps its plain 16-character ID, so IDs already handed out stay valid.
  assert.is(keyIdOf(importPublicKeyBase64("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")), "If4x36FUomFia_hU");
});

test("FR-28: a utility-signed binding credential verifies offline; tampering, expiry, wrong PEV/premises and revocation are caught", () => {
  const utility = generateEd25519KeyPair();
  const keyId = keyIdOf(utility.publicKey);
  const now = 1_717_398_000 as UtcSeconds;
  const c = signBindingCredential({
    v: 1, vin: EXAMPLE_IDS.vin, premisesId: EXAMPLE_IDS.premisesId, utilityId: EXAMPLE_IDS.utilityId, programId: "ev-tou",
    issuedAt: now, expiresAt: (now + 86_400) as UtcSeconds, keyId,
  }, utility.privateKey);
  const keys = new Map([[keyId, importPublicKeyBase64(exportPublicKeyBase64(utility.publicKey))]]);
  const base = { keys, now: (now + 10) as UtcSeconds, vin: EXAMPLE_IDS.vin, premisesId: EXAMPLE_IDS.premisesId };
  assert.ok(verifyBindingCredential(c, base).ok);
  const reason = (v: ReturnType<typeof verifyBindingCredential>) => (v.ok ? "ok" : v.reason);
  assert.is(reason(verifyBindingCredential({ ...c, programId: "ev-free" }, base)), "bad-signature");
  assert.is(reason(verifyBindingCredential({ ...c, expiresAt: (now + 999_999) as UtcSeconds }, base)), "bad-signature");
  assert.is(reason(verifyBindingCredential(c, { ...base, now: (now + 86_400) as UtcSeconds })), "expired");
  assert.is(reason(verifyBindingCredential(c, { ...base, vin: EXAMPLE_IDS.guestVin })), "wrong-pev");
  assert.is(reason(verifyBindingCredential(c, { ...base, premisesId: "prem-999" as never })), "wrong-premises");
  assert.is(reason(verifyBindingCredential(c, { ...base, keys: new Map() })), "unknown-key");
  const forged = signBindingCredential({ ...c, keyId }, other.privateKey);
  assert.is(reason(verifyBindingCredential(forged, base)), "bad-signature");
  const revocations = [{ vin: EXAMPLE_IDS.vin, premisesId: EXAMPLE_IDS.premisesId, issuedAtOrBefore: now, revokedAt: (now + 5) as UtcSeconds, reason: "PEV sold" }];
  assert.is(reason(verifyBindingCredential(c, { ...base, revocations })), "revoked");
  // A credential issued after the revocation is unaffected.
  const later = signBindingCredential({ ...c, issuedAt: (now + 6) as UtcSeconds }, utility.privateKey);
  assert.is(reason(verifyBindingCredential(later, { ...base, revocations })), "ok");
});

test.run();
