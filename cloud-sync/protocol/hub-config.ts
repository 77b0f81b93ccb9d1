// Configuration the hub pulls from the utility (on a schedule and on reconnect): tariff versions,
// the EUMD interval length (FR-25), the comm-wait window (≥ 60 s, NFR-3), revoked credentials,
// the utility's credential-signing keys (for offline re-binding) and demand-response events.
import { z } from "zod";
import {
  base64urlSchema, commWaitSchema, customerIdSchema, accountIdSchema, hubIdSchema, intervalLengthSchema,
  premisesIdSchema, refIdSchema, utcSecondsSchema, utilityIdSchema, vinSchema,
} from "./primitives.ts";
import { drEventSchema } from "./dr-event.ts";
import { parseMessage } from "./version.ts";

export const tariffVersionSchema = z.object({
  tariffId: refIdSchema,
  version: z.number().int().min(1),
  effectiveFrom: utcSecondsSchema,
  /** The full URDB-shaped rate record (validated by core/tariff), or absent when the hub already has this version. */
  definition: z.record(z.string(), z.unknown()).optional(),
});
export type TariffVersion = z.infer<typeof tariffVersionSchema>;

/** Revokes every credential for (vin, premises) issued at or before `issuedAtOrBefore`. */
export const credentialRevocationSchema = z.object({
  vin: vinSchema,
  premisesId: premisesIdSchema,
  issuedAtOrBefore: utcSecondsSchema,
  revokedAt: utcSecondsSchema,
  reason: z.string().max(500).optional(),
});
export type CredentialRevocation = z.infer<typeof credentialRevocationSchema>;

/** A utility public key for verifying binding credentials offline: raw Ed25519, base64url. */
export const utilityKeySchema = z.object({
  keyId: refIdSchema,
  publicKey: base64urlSchema.length(43, "an Ed25519 public key is 32 bytes (43 base64url characters)"),
  notAfter: utcSecondsSchema.optional(),
});
export type UtilityKey = z.infer<typeof utilityKeySchema>;

export const hubConfigSchema = z
  .object({
    v: z.literal(1),
    hubId: hubIdSchema,
    premisesId: premisesIdSchema,
    utilityId: utilityIdSchema,
    customerId: customerIdSchema.nullable(),
    accountId: accountIdSchema.nullable(),
    /** Grows with every change, so the hub can tell a new config from the one it has. */
    configVersion: z.number().int().min(1),
    issuedAt: utcSecondsSchema,
    intervalS: intervalLengthSchema,
    commWaitS: commWaitSchema,
    /** The premises' default (non-program) tariff: what fallback energy is charged at (BR-4). */
    defaultTariffId: refIdSchema,
    tariffs: z.array(tariffVersionSchema).max(100),
    revokedCredentials: z.array(credentialRevocationSchema).max(10_000),
    utilityKeys: z.array(utilityKeySchema).min(1).max(20),
    drEvents: z.array(drEventSchema).max(1000),
    /**
     * The utility's IANA time zone (e.g. America/Los_Angeles): billing months and local dates are in it. Optional
     * on the wire so a hub keeps reading a head-end that predates it.
     */
    timeZone: z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/, "must be an IANA zone name").optional(),
    /** How often the hub should pull config when nothing else prompts it, seconds. */
    pullEveryS: z.number().int().min(60).max(86_400),
  })
  .superRefine((c, ctx) => {
    if (!c.tariffs.some((t) => t.tariffId === c.defaultTariffId)) {
      ctx.addIssue({ code: "custom", path: ["defaultTariffId"], message: `default tariff ${c.defaultTariffId} is not among the tariffs` });
    }
    const ids = new Set<string>();
    c.drEvents.forEach((e, i) => {
      if (ids.has(e.id)) ctx.addIssue({ code: "custom", path: ["drEvents", i, "id"], message: `duplicate demand-response event id ${e.id}` });
      ids.add(e.id);
    });
  });
export type HubConfig = z.infer<typeof hubConfigSchema>;

export const parseHubConfig = (input: unknown): HubConfig => parseMessage(hubConfigSchema, input, "hub config");
