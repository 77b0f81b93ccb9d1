// The vocabulary of binding a PEV to the customer's utility program (S1 commissioning, S2 re-binding).
// Shared by the hub, the PEV link and the utility's protocol, so it lives in core with no I/O.
import type { PremisesId, UtilityId } from "../ids/ids.ts";
import type { Vin } from "../ids/vin.ts";
import type { UtcSeconds } from "../time/utc.ts";

/** The utility's answer to a binding request. `not-enrolled` is an answer, not an error (FR-05). */
export type BindingStatus = "enrolled" | "guest" | "roaming" | "not-enrolled" | "invalid";

/** S1 (first plug after enrollment) or S2 (every later plug, FR-28). */
export type BindingPath = "commissioning" | "rebinding";

/** Why a session charges at the premises default rate (BR-4, BR-6, FR-10). */
export type FallbackReason =
  | "comm-timeout" // no binding within the comm-wait window (FR-10)
  | "rejected" // the utility answered `invalid`
  | "not-enrolled" // the utility does not know this PEV/premises (FR-05)
  | "no-eumd" // no end-use sub-meter to measure the PEV discretely (BR-6)
  | "invalid-pev-id" // the PEV sent something that is not a valid VIN (FR-03)
  | "proof-failed" // re-binding: the PEV could not prove its secret (FR-09)
  | "no-pev-id" // the PEV link carried no identifier at all
  | "two-vehicles"; // two PEV links claimed the same plug-in before either proved itself

export const FALLBACK_REASON_TEXT: Record<FallbackReason, string> = {
  "comm-timeout": "The utility did not confirm the vehicle within the waiting window",
  rejected: "The utility rejected the vehicle for this premises",
  "not-enrolled": "This vehicle is not enrolled in a program at this premises",
  "no-eumd": "No charging sub-meter (EUMD) was found, so program rates cannot apply",
  "invalid-pev-id": "The vehicle sent an invalid vehicle ID (VIN)",
  "proof-failed": "The vehicle could not prove it is the one that was enrolled",
  "no-pev-id": "The vehicle did not identify itself",
  "two-vehicles": "Two vehicles claimed this plug-in, so neither could be trusted",
};

/**
 * A utility-signed statement that `vin` is bound to `premisesId` under `programId` until `expiresAt`.
 * The hub verifies it offline (Ed25519) to re-bind when the utility is unreachable, where the program allows it.
 */
export interface BindingCredential {
  v: 1;
  vin: Vin;
  premisesId: PremisesId;
  utilityId: UtilityId;
  programId: string;
  issuedAt: UtcSeconds;
  expiresAt: UtcSeconds;
  /** Identifies the utility signing key, so keys can rotate. */
  keyId: string;
  /** Ed25519 signature over credentialSigningBytes(), base64url. */
  signature: string;
}

/** What the utility hands the PEV and the EUMD at commissioning and whenever it changes (FR-18, FR-26). */
export interface AuthenticationParameters {
  programId: string;
  programName: string;
  tariffId: string;
  /** EUMD measurement interval length, seconds (FR-25). */
  intervalS: number;
  /** The comm-wait window the utility wants, seconds (never below 60, NFR-3). */
  commWaitS: number;
  /** May the hub accept the credential offline when the utility is unreachable? */
  offlineRebinding: boolean;
  credential: BindingCredential;
}

/** The bytes a binding credential's signature covers: fixed field order, no signature. */
export function credentialSigningBytes(c: Omit<BindingCredential, "signature"> | BindingCredential): Uint8Array {
  const canonical = [c.v, c.vin, c.premisesId, c.utilityId, c.programId, c.issuedAt, c.expiresAt, c.keyId].join("\n");
  return new TextEncoder().encode(`offpeak-binding-credential\n${canonical}`);
}
