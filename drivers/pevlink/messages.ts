// The PEV link's message set, version 1: one vocabulary for S1 (commissioning) and S2 (re-binding),
// whatever carries it (TCP for the simulator, the SE Tunneling cluster for Zigbee vehicles and EVSEs).
import { z } from "zod";
import type { AuthenticationParameters, BindingStatus } from "../../core/binding/index.ts";
import type { UtcSeconds } from "../../core/time/index.ts";
import { PevLinkError } from "./errors.ts";

export const PEV_LINK_VERSION = 1;

export type PevLinkMessageType =
  | "hello" // PEV → hub, On-Plug: PEV ID (VIN) and the PEV's ephemeral X25519 key (FR-13)
  | "accept" // hub → PEV: the hub's ephemeral key; completes the key agreement (FR-09)
  | "challenge" // hub → PEV, S2: prove the per-PEV secret (FR-28)
  | "proof" // PEV → hub, S2: HMAC of the per-PEV secret over the challenge and the link transcript
  | "confirm" // hub → PEV: binding result, parameters, and at S1 the per-PEV secret (FR-16, FR-18)
  | "ack" // PEV → hub: acknowledges confirm or params-update (FR-19)
  | "eumd-detect" // hub → EUMD reachable over the link (S1 step 14, FR-23, BR-8)
  | "eumd-ack" // EUMD → hub (S1 step 16, FR-27)
  | "params-update" // hub → PEV: parameters changed (FR-18, FR-26)
  | "error";

/** The header every message carries: version, type, per-direction sequence, nonce, UTC time (NFR-1). */
export interface PevLinkHeader {
  v: number;
  t: PevLinkMessageType;
  seq: number;
  /** 16 random bytes, hex: a message is never accepted twice. */
  n: string;
  at: UtcSeconds;
  /** Ephemeral X25519 public key, base64url (hello and accept only). */
  kx?: string;
}

// Bodies are validated with zod so a bad field is reported by name, not by a later crash.
const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes, lowercase hex`);

const credential = z.object({
  v: z.literal(1),
  vin: z.string(),
  premisesId: z.string(),
  utilityId: z.string(),
  programId: z.string(),
  issuedAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
  keyId: z.string(),
  signature: z.string(),
});
const params = z.object({
  programId: z.string(),
  programName: z.string(),
  tariffId: z.string(),
  intervalS: z.number().int().positive(),
  commWaitS: z.number().int().min(60),
  offlineRebinding: z.boolean(),
  credential,
});
const bindingStatus = z.enum(["enrolled", "guest", "roaming", "not-enrolled", "invalid"]);

export const BODY_SCHEMAS = {
  hello: z.object({ vin: z.string().max(64), eumd: z.boolean().optional() }),
  accept: z.object({ hub: z.string().max(64).optional() }),
  challenge: z.object({ challenge: hex(32) }),
  proof: z.object({ challenge: hex(32), mac: hex(32) }),
  confirm: z.object({ status: bindingStatus, params: params.optional(), pevSecretHex: hex(32).optional() }),
  ack: z.object({ of: z.enum(["confirm", "params-update"]), accepted: z.boolean(), reason: z.string().max(200).optional() }),
  "eumd-detect": z.object({ params }),
  "eumd-ack": z.object({ eumdId: z.string().min(1).max(64), accepted: z.boolean(), intervalS: z.number().int().positive() }),
  "params-update": z.object({ params }),
  error: z.object({ code: z.string().max(32), message: z.string().max(500) }),
} as const;

export interface PevLinkBodies {
  hello: { vin: string; eumd?: boolean };
  accept: { hub?: string };
  challenge: { challenge: string };
  proof: { challenge: string; mac: string };
  confirm: { status: BindingStatus; params?: AuthenticationParameters; pevSecretHex?: string };
  ack: { of: "confirm" | "params-update"; accepted: boolean; reason?: string };
  "eumd-detect": { params: AuthenticationParameters };
  "eumd-ack": { eumdId: string; accepted: boolean; intervalS: number };
  "params-update": { params: AuthenticationParameters };
  error: { code: string; message: string };
}

export type PevLinkMessage = { [K in PevLinkMessageType]: { header: PevLinkHeader & { t: K }; body: PevLinkBodies[K] } }[PevLinkMessageType];

/** Which side may send which message: the receiver rejects anything else as a protocol error. */
export const SENT_BY_PEV: ReadonlySet<PevLinkMessageType> = new Set(["hello", "proof", "ack", "eumd-ack", "error"]);
export const SENT_BY_HUB: ReadonlySet<PevLinkMessageType> = new Set(["accept", "challenge", "confirm", "eumd-detect", "params-update", "error"]);

export function isMessageType(t: unknown): t is PevLinkMessageType {
  return typeof t === "string" && Object.hasOwn(BODY_SCHEMAS, t);
}

export function parseBody<K extends PevLinkMessageType>(t: K, raw: unknown): PevLinkBodies[K] {
  const r = BODY_SCHEMAS[t].safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "body";
    throw new PevLinkError("malformed", `${t} message: field ${where}: ${issue?.message ?? "invalid"}`);
  }
  return r.data as PevLinkBodies[K];
}
