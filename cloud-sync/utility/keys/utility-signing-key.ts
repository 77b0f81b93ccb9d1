// The utility's Ed25519 key that signs binding credentials. Hubs verify credentials offline with its public
// half, so it must survive restarts: generated once and kept in the head-end's database unless supplied.
import type { SqlStore } from "../../../core/storage/index.ts";
import { createPublicKey, type KeyObject } from "node:crypto";
import {
  exportPrivateKeyPem, exportPublicKeyBase64, exportPublicKeyPem, generateEd25519KeyPair, importPrivateKeyPem, keyIdOf,
} from "../../protocol/index.ts";

export interface UtilitySigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** Raw Ed25519 public key, base64url: what hub config's `utilityKeys` carries. */
  publicKeyBase64: string;
  /** The protocol's key ID (keyIdOf): names the key in credentials. */
  keyId: string;
}

/** Uses `pem` (PKCS#8) if given, else the key stored in `db`, else a new one stored there. */
export async function loadUtilitySigningKey(db: SqlStore, pem?: string): Promise<UtilitySigningKey> {
  let privatePem = pem;
  if (!privatePem) {
    const row = await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'signing_key_pem'");
    privatePem = row?.value;
  }
  if (!privatePem) {
    // Two head-ends starting on one empty database must end with one key: the first insert wins, both read it back.
    await db.run("INSERT INTO settings (key, value) VALUES ('signing_key_pem', ?) ON CONFLICT (key) DO NOTHING", exportPrivateKeyPem(generateEd25519KeyPair().privateKey));
    privatePem = (await db.get<{ value: string }>("SELECT value FROM settings WHERE key = 'signing_key_pem'"))!.value;
  }
  const privateKey = importPrivateKeyPem(privatePem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: exportPublicKeyPem(publicKey), publicKeyBase64: exportPublicKeyBase64(publicKey), keyId: keyIdOf(publicKey) };
}
