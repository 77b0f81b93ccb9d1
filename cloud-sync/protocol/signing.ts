// Hub→utility request signing (design: "Binding and trust"). The hub signs, with its own Ed25519 key
// registered at pairing, the method, the path with query, its hub ID, a UTC timestamp, a fresh nonce
// and the SHA-256 of the body. The utility refuses a bad signature, a timestamp outside ±300 s, a nonce
// it has seen, and a hub it does not know. Checks run cheapest first; a nonce is only remembered once
// the signature is good, so forged requests cannot burn a real hub's nonces. The same scheme signs a utility's
// requests to the clearinghouse (roaming token registrations, issue 13): another header names the signer and
// another first line keeps a signature made in one role from ever verifying in the other.
import { createHash, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { ID_PATTERN, type HubId } from "../../core/ids/index.ts";
import type { Clock } from "../../core/time/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import type { NonceStore } from "./nonce-store.ts";
import type { ErrorBody } from "./api-error.ts";
import { readBodyBytes } from "./read-body.ts";

/** The largest body a hub may send (a batch of session reports): 4 MiB. */
export const MAX_HUB_BODY_BYTES = 4 * 1024 * 1024;

export const SIGNATURE_HEADERS = {
  hub: "x-offpeak-hub",
  time: "x-offpeak-time",
  nonce: "x-offpeak-nonce",
  signature: "x-offpeak-signature",
  /** Names the signing utility on a utility → clearinghouse request (in place of `hub`). */
  utility: "x-offpeak-utility",
} as const;

/** Who signs a request: the header naming the signer and the first line of the signed bytes. */
export interface SignerRole { name: "hub" | "utility"; header: string; context: string }
export const HUB_SIGNER: SignerRole = { name: "hub", header: SIGNATURE_HEADERS.hub, context: "offpeak-request-v1" };
export const UTILITY_SIGNER: SignerRole = { name: "utility", header: SIGNATURE_HEADERS.utility, context: "offpeak-utility-request-v1" };

/** How far a request's timestamp may be from the verifier's clock, seconds. */
export const DEFAULT_MAX_SKEW_S = 300;

const NONCE_SHAPE = /^[A-Za-z0-9_-]{16,64}$/;
const SIGNATURE_SHAPE = /^[A-Za-z0-9_-]{86}$/;

export const bodyDigest = (body: Uint8Array | string): string => createHash("sha256").update(body).digest("base64url");

export const newNonce = (): string => randomBytes(16).toString("base64url");

export interface RequestSigningInput {
  method: string;
  /** Path and query exactly as sent, e.g. `/v1/hub/config?since=3`. */
  path: string;
  /** The signer's ID: the hub's, or the utility's for UTILITY_SIGNER. */
  hubId: string;
  time: number;
  nonce: string;
  /** bodyDigest() of the body bytes (of the empty string for GET). */
  digest: string;
}

/** The exact bytes a request signature covers: a fixed, newline-separated canonical form. */
export function requestSigningBytes(r: RequestSigningInput, role: SignerRole = HUB_SIGNER): Uint8Array {
  return new TextEncoder().encode([role.context, r.method.toUpperCase(), r.path, r.hubId, String(r.time), r.nonce, r.digest].join("\n"));
}

export interface SignRequestOptions {
  method: string;
  path: string;
  body: Uint8Array | string;
  hubId: HubId;
  privateKey: KeyObject;
  time: UtcSeconds;
  nonce?: string;
  /** Default HUB_SIGNER. */
  role?: SignerRole;
}

/** The four headers to add to a hub request. */
export function signRequest(o: SignRequestOptions): Record<string, string> {
  const nonce = o.nonce ?? newNonce();
  const role = o.role ?? HUB_SIGNER;
  const bytes = requestSigningBytes({ method: o.method, path: o.path, hubId: o.hubId, time: o.time, nonce, digest: bodyDigest(o.body) }, role);
  const signature = sign(null, bytes, o.privateKey).toString("base64url");
  return {
    [role.header]: o.hubId,
    [SIGNATURE_HEADERS.time]: String(o.time),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature,
  };
}

export type RequestAuthFailure = "missing-header" | "malformed-header" | "unknown-hub" | "unknown-utility" | "stale" | "bad-signature" | "replayed";

/** The four headers of a utility's request to the clearinghouse, signed with the utility's registered key. */
export function signUtilityRequest(o: Omit<SignRequestOptions, "hubId" | "role"> & { utilityId: string }): Record<string, string> {
  const { utilityId, ...rest } = o;
  return signRequest({ ...rest, hubId: utilityId as HubId, role: UTILITY_SIGNER });
}

/** A refused request. The utility answers 401 with toBody(). */
export class RequestAuthError extends Error {
  readonly status = 401;
  constructor(readonly reason: RequestAuthFailure, detail: string, readonly header?: string) {
    super(`request refused (${reason}): ${detail}`);
    this.name = "RequestAuthError";
  }
  toBody(): ErrorBody {
    return { error: { code: this.reason, message: this.message, ...(this.header ? { path: `headers.${this.header}` } : {}) } };
  }
}

export interface RequestToVerify {
  method: string;
  /** Path and query exactly as received. */
  path: string;
  headers: Headers | Record<string, string | undefined>;
  body: Uint8Array | string;
}

export interface VerifiedHub { hubId: HubId; time: UtcSeconds; nonce: string }

export type HubKeyLookup = (hubId: HubId) => KeyObject | null | undefined | Promise<KeyObject | null | undefined>;

export interface RequestVerifierOptions {
  /** The hub's registered public key, or nothing for an unknown (or unpaired) hub. */
  hubKey: HubKeyLookup;
  nonces: NonceStore;
  clock: Clock;
  maxSkewS?: number;
  /** The largest body accepted, bytes (default MAX_HUB_BODY_BYTES); enforced while the body streams in. */
  maxBodyBytes?: number;
  /** Whose requests these are (default HUB_SIGNER); `hubKey` is then looked up by the utility's ID. */
  role?: SignerRole;
}

export interface RequestVerifier {
  /** Resolves to the verified hub or throws RequestAuthError. */
  verify(req: RequestToVerify): Promise<VerifiedHub>;
  /** Convenience for a fetch Request (Bun.serve, Hono's c.req.raw): reads a clone of the body. */
  verifyRequest(req: Request): Promise<VerifiedHub & { body: Uint8Array }>;
}

function header(h: RequestToVerify["headers"], name: string): string | undefined {
  if (h instanceof Headers) return h.get(name) ?? undefined;
  return h[name] ?? h[name.toLowerCase()];
}

export function createRequestVerifier(o: RequestVerifierOptions): RequestVerifier {
  const maxSkew = o.maxSkewS ?? DEFAULT_MAX_SKEW_S;
  const role = o.role ?? HUB_SIGNER;
  const need = (h: RequestToVerify["headers"], name: string): string => {
    const v = header(h, name);
    if (v === undefined || v === "") throw new RequestAuthError("missing-header", `header ${name} is missing`, name);
    return v;
  };

  async function verify(req: RequestToVerify): Promise<VerifiedHub> {
    const hubId = need(req.headers, role.header);
    const timeText = need(req.headers, SIGNATURE_HEADERS.time);
    const nonce = need(req.headers, SIGNATURE_HEADERS.nonce);
    const signature = need(req.headers, SIGNATURE_HEADERS.signature);
    if (!ID_PATTERN.test(hubId) || hubId.length > 64) throw new RequestAuthError("malformed-header", `${role.name} ID ${JSON.stringify(hubId)} is not a valid ID`, role.header);
    if (!/^\d{1,12}$/.test(timeText)) throw new RequestAuthError("malformed-header", `time ${JSON.stringify(timeText)} is not whole UTC seconds`, SIGNATURE_HEADERS.time);
    if (!NONCE_SHAPE.test(nonce)) throw new RequestAuthError("malformed-header", "nonce must be 16-64 base64url characters", SIGNATURE_HEADERS.nonce);
    if (!SIGNATURE_SHAPE.test(signature)) throw new RequestAuthError("malformed-header", "signature must be 64 bytes in base64url (86 characters)", SIGNATURE_HEADERS.signature);

    const time = Number(timeText) as UtcSeconds;
    const now = o.clock.now();
    if (Math.abs(now - time) > maxSkew) {
      throw new RequestAuthError("stale", `timestamp ${time} is ${time - now} s from the utility's clock (allowed ±${maxSkew} s)`, SIGNATURE_HEADERS.time);
    }
    const key = await o.hubKey(hubId as HubId);
    if (!key) {
      if (role.name === "hub") throw new RequestAuthError("unknown-hub", `hub ${hubId} is not paired with this utility`, role.header);
      throw new RequestAuthError("unknown-utility", `utility ${hubId} has no signing key registered here`, role.header);
    }

    const bytes = requestSigningBytes({ method: req.method, path: req.path, hubId, time, nonce, digest: bodyDigest(req.body) }, role);
    let good = false;
    try {
      good = verify_(bytes, key, signature);
    } catch {
      good = false;
    }
    if (!good) throw new RequestAuthError("bad-signature", `signature does not match the method, path, body, time and nonce for this ${role.name}'s key`, SIGNATURE_HEADERS.signature);

    const fresh = await o.nonces.remember(hubId, nonce, (time + maxSkew) as UtcSeconds, now);
    if (!fresh) throw new RequestAuthError("replayed", `nonce ${nonce} was already used`, SIGNATURE_HEADERS.nonce);
    return { hubId: hubId as HubId, time, nonce };
  }

  return {
    verify,
    async verifyRequest(req: Request) {
      // The limit holds while the body streams in: an unsigned 100 MB body is refused at its first 4 MiB.
      const body = await readBodyBytes(req.clone(), o.maxBodyBytes ?? MAX_HUB_BODY_BYTES);
      const url = new URL(req.url);
      const hub = await verify({ method: req.method, path: url.pathname + url.search, headers: req.headers, body });
      return { ...hub, body };
    },
  };
}

function verify_(bytes: Uint8Array, key: KeyObject, signature: string): boolean {
  return verify(null, bytes, key, Buffer.from(signature, "base64url"));
}
