// S2 re-binding proof (FR-28): the PEV shows it holds the per-PEV secret it received at commissioning
// without sending it. The MAC covers the link transcript, so a proof cannot be relayed into another link.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { PevLinkError } from "./errors.ts";

const PROOF_LABEL = "offpeak-pevlink-proof-v1";

/** A fresh per-PEV secret (32 random bytes, hex), as the utility issues at commissioning. */
export function newPevSecretHex(): string {
  return randomBytes(32).toString("hex");
}

export function parseSecretHex(secretHex: string, what = "per-PEV secret"): Buffer {
  if (!/^[0-9a-f]{64}$/.test(secretHex)) throw new PevLinkError("malformed", `${what} must be 32 bytes of lowercase hex`);
  return Buffer.from(secretHex, "hex");
}

export function computeProof(secretHex: string, transcript: Uint8Array, challengeHex: string, vin: string): string {
  return createHmac("sha256", parseSecretHex(secretHex))
    .update(PROOF_LABEL)
    .update(new Uint8Array([0]))
    .update(transcript)
    .update(Buffer.from(challengeHex, "hex"))
    .update(vin)
    .digest("hex");
}

export function verifyProof(secretHex: string, transcript: Uint8Array, challengeHex: string, vin: string, macHex: string): boolean {
  const expected = Buffer.from(computeProof(secretHex, transcript, challengeHex, vin), "hex");
  const got = Buffer.from(macHex, "hex");
  return got.length === expected.length && timingSafeEqual(got, expected);
}
