// OCPP 1.6 Security Whitepaper, security profiles 1 and 2: the charge point sends HTTP Basic authentication with its
// charge point ID as user name and its AuthorizationKey as password. Passwords are compared in constant time (over
// SHA-256 digests, so neither the length nor the first differing byte leaks through timing).
import { createHash, timingSafeEqual } from "node:crypto";

export type SecurityProfile = 0 | 1 | 2;

export interface BasicCredentials { user: string; password: string }

/** The credentials of an `Authorization: Basic ...` header, or null when absent or not decodable. */
export function parseBasicAuth(header: string | null): BasicCredentials | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

export function passwordMatches(offered: string, expected: string): boolean {
  return timingSafeEqual(digest(offered), digest(expected));
}

/**
 * The Security Whitepaper's AuthorizationKey is 16-40 characters (the charge point stores at most 20 bytes as hex);
 * anything shorter is too easy to guess on a LAN.
 */
export function checkPasswordStrength(chargePointId: string, password: string): void {
  if (password.length < 16 || password.length > 40) {
    throw new RangeError(`charge point ${chargePointId}: password must be 16-40 characters (OCPP 1.6 security profile 1/2), got ${password.length}`);
  }
}
