// Binding credentials: the utility signs (PEV, premises, program, validity) with its Ed25519 key; the hub
// verifies offline, when the utility is unreachable and the program allows it (design: "Binding and trust").
import { sign, verify, type KeyObject } from "node:crypto";
import { credentialSigningBytes, type BindingCredential } from "../../core/binding/index.ts";
import type { PremisesId } from "../../core/ids/index.ts";
import type { Vin } from "../../core/ids/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { CredentialRevocation } from "./hub-config.ts";

export type UnsignedCredential = Omit<BindingCredential, "signature">;

export function signBindingCredential(unsigned: UnsignedCredential, utilityPrivateKey: KeyObject): BindingCredential {
  const signature = sign(null, credentialSigningBytes(unsigned), utilityPrivateKey).toString("base64url");
  return { ...unsigned, signature };
}

export type CredentialRejection = "unknown-key" | "bad-signature" | "expired" | "not-yet-valid" | "wrong-pev" | "wrong-premises" | "revoked";

export type CredentialVerdict = { ok: true; credential: BindingCredential } | { ok: false; reason: CredentialRejection; detail: string };

export interface VerifyCredentialOptions {
  /** The utility's public keys by keyId (from hub config `utilityKeys`). */
  keys: ReadonlyMap<string, KeyObject> | ((keyId: string) => KeyObject | undefined);
  now: UtcSeconds;
  /** The PEV and premises this binding is for: the credential must name them. */
  vin: Vin;
  premisesId: PremisesId;
  revocations?: readonly CredentialRevocation[];
  /** Tolerated clock difference for issuedAt in the future, seconds. */
  skewS?: number;
}

/** Verifies a credential offline. Never throws for a bad credential: returns the reason, for the session's event log. */
export function verifyBindingCredential(c: BindingCredential, o: VerifyCredentialOptions): CredentialVerdict {
  const key = typeof o.keys === "function" ? o.keys(c.keyId) : o.keys.get(c.keyId);
  if (!key) return { ok: false, reason: "unknown-key", detail: `no utility key ${c.keyId}` };
  let good = false;
  try {
    good = verify(null, credentialSigningBytes(c), key, Buffer.from(c.signature, "base64url"));
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: "bad-signature", detail: "credential signature does not verify with the utility key" };
  if (c.vin !== o.vin) return { ok: false, reason: "wrong-pev", detail: `credential is for PEV ${c.vin}, not ${o.vin}` };
  if (c.premisesId !== o.premisesId) return { ok: false, reason: "wrong-premises", detail: `credential is for premises ${c.premisesId}, not ${o.premisesId}` };
  if (o.now >= c.expiresAt) return { ok: false, reason: "expired", detail: `credential expired at ${c.expiresAt}` };
  if (c.issuedAt > o.now + (o.skewS ?? 300)) return { ok: false, reason: "not-yet-valid", detail: `credential issued in the future (${c.issuedAt})` };
  const revoked = o.revocations?.find((r) => r.vin === c.vin && r.premisesId === c.premisesId && c.issuedAt <= r.issuedAtOrBefore);
  if (revoked) return { ok: false, reason: "revoked", detail: `credential revoked at ${revoked.revokedAt}${revoked.reason ? `: ${revoked.reason}` : ""}` };
  return { ok: true, credential: c };
}
