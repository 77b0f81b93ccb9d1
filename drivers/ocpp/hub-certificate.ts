// Security profile 2 needs TLS: the hub makes its own self-signed certificate once (with the openssl CLI, present on
// every Debian/Raspberry Pi OS install), keeps it beside its other state, and shows the SHA-256 fingerprint so the
// owner can pin it in the charger (or compare it with what the charger's app shows).
import { X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface HubCertificate { certPem: string; keyPem: string; fingerprintSha256: string; certPath: string }

export class CertificateError extends Error {}

/**
 * Loads `dir`/ocpp-hub.crt and .key, creating them first when absent: an ECDSA P-256 key, valid 10 years, with the
 * host names and IP addresses the chargers will use in the subject alternative names.
 */
export function ensureHubCertificate(dir: string, names: { dns?: string[]; ips?: string[] } = {}): HubCertificate {
  const certPath = join(dir, "ocpp-hub.crt");
  const keyPath = join(dir, "ocpp-hub.key");
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true });
    const san = [...(names.dns ?? ["localhost"]).map((d) => `DNS:${d}`), ...(names.ips ?? ["127.0.0.1"]).map((i) => `IP:${i}`)].join(",");
    const r = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyPath, "-out", certPath, "-days", "3650", "-subj", "/CN=offpeak-hub OCPP central system", "-addext", `subjectAltName=${san}`],
      { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new CertificateError(`could not create the hub's OCPP certificate in ${dir}: openssl: ${r.stderr.toString().trim()}`);
    chmodSync(keyPath, 0o600);
  }
  const certPem = readFileSync(certPath, "utf8");
  const keyPem = readFileSync(keyPath, "utf8");
  let fingerprintSha256: string;
  try {
    fingerprintSha256 = new X509Certificate(certPem).fingerprint256;
  } catch (e) {
    throw new CertificateError(`${certPath} is not a readable certificate: ${(e as Error).message}`);
  }
  return { certPem, keyPem, fingerprintSha256, certPath };
}
