// The hub's own Ed25519 key: made on first start, kept in the data directory (mode 0600), registered with the
// utility at pairing. Losing it means pairing again; it never leaves the hub.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportPrivateKeyPem, exportPublicKeyPem, generateEd25519KeyPair, importPrivateKeyPem, type KeyObject } from "../../cloud-sync/protocol/index.ts";
import { createPublicKey } from "node:crypto";

export interface HubKeys { privateKey: KeyObject; publicKeyPem: string; file: string }

export function loadOrCreateHubKey(dataDir: string): HubKeys {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "hub-key.pem");
  if (!existsSync(file)) {
    const pair = generateEd25519KeyPair();
    writeFileSync(file, exportPrivateKeyPem(pair.privateKey), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = importPrivateKeyPem(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`hub key ${file} is not a readable Ed25519 private key (${(e as Error).message}); restore it from a backup or delete it and pair the hub again`);
  }
  return { privateKey, publicKeyPem: exportPublicKeyPem(createPublicKey(privateKey)), file };
}
