// The demo utility (`npm start`): one EV program on an example time-of-use tariff, one customer with an account,
// a premises on the regular rate, an enrolled PEV with a valid VIN, and the demo hub paired to the premises.
// Idempotent: seeding an already seeded database changes nothing but the hub key.
import { parseAccountId, parseCustomerId, parsePremisesId } from "../../core/ids/index.ts";
import { exportPublicKeyPem, importPublicKeyPem } from "../protocol/index.ts";
import { bumpConfigVersion } from "./http/hub-config-builder.ts";
import type { RunningUtility } from "./server.ts";

export interface DemoSeedOptions {
  hubId: string;
  /** SPKI PEM of the hub's Ed25519 key. */
  hubPublicKeyPem: string;
  /** Defaults to a valid demo VIN. */
  vin?: string;
  premisesId?: string;
}

export interface DemoSeed {
  programId: string;
  customerId: string;
  accountId: string;
  premisesId: string;
  vin: string;
  hubId: string;
  /** Bearer token for the S4 customer information API of this account (a fresh one on every seeding). */
  customerToken: string;
}

/** A valid VIN (check digit correct) for the demo PEV. */
export const DEMO_VIN = "1HGCM82633A004352";
export const DEMO_PROGRAM_ID = "ev-tou";

export async function seedDemo(utility: RunningUtility, opts: DemoSeedOptions): Promise<DemoSeed> {
  const h = utility.headEnd;
  const e = h.enrollment;
  const premisesId = opts.premisesId ?? "PREM-1001";
  const customerId = "CUST-1001";
  const accountId = "ACCT-1001";
  const vin = opts.vin ?? DEMO_VIN;
  await e.upsertProgram({
    id: DEMO_PROGRAM_ID, name: "EV Time-of-Use", description: "Charge overnight at the off-peak EV rate; the hub waits for cheap hours.",
    tariffId: "sce-tou-d-prime", intervalS: 900, commWaitS: 60, guestCharging: "guest-pays", roamingAllowed: true,
    offlineRebinding: true, credentialTtlS: 30 * 86_400, enrollmentMethods: ["web", "phone"], active: true,
  });
  if (!await h.tariffs.get("sce-tou-d-prime")) throw new Error("seedDemo: core/tariff has no sce-tou-d-prime example tariff");
  await e.upsertCustomer({ id: parseCustomerId(customerId), name: "Demo Customer", email: "demo@example.com" });
  const customerToken = await e.account(accountId) ? await e.rotateCustomerToken(accountId) : (await e.createAccount(accountId, customerId)).customerToken;
  await e.upsertPremises({ id: parsePremisesId(premisesId), accountId: parseAccountId(accountId), address: "1 Demo Street, Pasadena CA", defaultTariffId: "pge-e-tou-c" });
  await e.upsertPev({ vin, accountId, make: "Demo", model: "EV" });
  if ((await e.activeEnrollment(vin))?.premises.id !== premisesId) await e.enroll({ vin, premisesId, programId: DEMO_PROGRAM_ID });
  await h.roaming.markRoaming(vin);
  await e.pairHub({ hubId: opts.hubId, premisesId, publicKeyPem: exportPublicKeyPem(importPublicKeyPem(opts.hubPublicKeyPem)) });
  await bumpConfigVersion(h.db);
  return { programId: DEMO_PROGRAM_ID, customerId, accountId, premisesId, vin, hubId: opts.hubId, customerToken };
}
