// Ed25519 keys (node:crypto, supported under Bun): generation, PEM and raw base64url export/import,
// and a short key ID so keys can be named in credentials and rotated.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";

export type { KeyObject };

export class KeyError extends Error {
  constructor(what: string, detail: string) {
    super(`invalid ${what}: ${detail}`);
    this.name = "KeyError";
  }
}

export interface Ed25519KeyPair { publicKey: KeyObject; privateKey: KeyObject }

export function generateEd25519KeyPair(): Ed25519KeyPair {
  return generateKeyPairSync("ed25519");
}

function assertEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "ed25519") throw new KeyError(what, `expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

export const exportPublicKeyPem = (key: KeyObject): string => key.export({ type: "spki", format: "pem" }).toString();
export const exportPrivateKeyPem = (key: KeyObject): string => key.export({ type: "pkcs8", format: "pem" }).toString();

export function importPublicKeyPem(pem: string): KeyObject {
  try {
    return assertEd25519(createPublicKey(pem), "public key PEM");
  } catch (e) {
    if (e instanceof KeyError) throw e;
    throw new KeyError("public key PEM", (e as Error).message);
  }
}

export function importPrivateKeyPem(pem: string): KeyObject {
  try {
    return assertEd25519(createPrivateKey(pem), "private key PEM");
  } catch (e) {
    if (e instanceof KeyError) throw e;
    throw new KeyError("private key PEM", (e as Error).message);
  }
}

/** The raw 32-byte public key as base64url (43 characters): what pairing records and config carry. */
export function exportPublicKeyBase64(key: KeyObject): string {
  const jwk = assertEd25519(key.type === "private" ? createPublicKey(key) : key, "public key").export({ format: "jwk" });
  if (typeof jwk.x !== "string") throw new KeyError("public key", "no x coordinate in JWK export");
  return jwk.x;
}

export function importPublicKeyBase64(b64url: string): KeyObject {
  if (!/^[A-Za-z0-9_-]{43}$/.test(b64url)) throw new KeyError("public key", "expected 43 base64url characters (32 raw Ed25519 bytes)");
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64url }, format: "jwk" });
  } catch (e) {
    throw new KeyError("public key", (e as Error).message);
  }
}

/**
 * A stable, short ID for a public key: base64url of the first 12 bytes of SHA-256(raw key), prefixed with "k"
 * when that would start with "-" or "_". Key IDs travel as reference IDs (hub config `utilityKeys`, credentials),
 * which must start with a letter or digit; without the prefix one key in 32 would yield a config and credentials
 * that every hub refuses. The prefix (rather than a new encoding) keeps every other key's ID as it was.
 */
export function keyIdOf(key: KeyObject): string {
  const raw = Buffer.from(exportPublicKeyBase64(key), "base64url");
  const id = createHash("sha256").update(raw).digest().subarray(0, 12).toString("base64url");
  return /^[A-Za-z0-9]/.test(id) ? id : `k${id}`;
}
