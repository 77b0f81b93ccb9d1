// `offpeak utility hub-key`: makes an Ed25519 key pair for a hub and prints the public key in both forms the pairing
// route takes (SPKI PEM and raw base64url) and the private key (PKCS#8 PEM) for the hub's key file; `--out FILE`
// writes the private key to FILE (mode 0600) instead of printing it.
import { writeFileSync } from "node:fs";
import { exportPrivateKeyPem, exportPublicKeyBase64, exportPublicKeyPem, generateEd25519KeyPair, keyIdOf } from "../protocol/index.ts";

export interface HubKeyOutput { keyId: string; publicKey: string; publicKeyPem: string; privateKeyPem?: string; privateKeyFile?: string }

export function makeHubKey(out?: string): HubKeyOutput {
  const k = generateEd25519KeyPair();
  const privateKeyPem = exportPrivateKeyPem(k.privateKey);
  const pub = { keyId: keyIdOf(k.publicKey), publicKey: exportPublicKeyBase64(k.publicKey), publicKeyPem: exportPublicKeyPem(k.publicKey) };
  if (out) {
    writeFileSync(out, privateKeyPem, { mode: 0o600, flag: "wx" });
    return { ...pub, privateKeyFile: out };
  }
  return { ...pub, privateKeyPem };
}
