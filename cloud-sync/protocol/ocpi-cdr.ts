// A Charge Detail Record in the shape of OCPI 2.2.1 (module `cdrs`, section 10.3.1): the visited utility acts as
// the CPO, the PEV's home utility as the eMSP. Only the fields this project fills are required; prices are decimal
// currency units as OCPI sends them, and the home utility converts them back to integer micro-dollars.
import { z } from "zod";

const ocpiDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "must be an OCPI DateTime in UTC, e.g. 2024-06-03T07:00:00Z");
const ciString = (max: number) => z.string().min(1).max(max);

export const ocpiPriceSchema = z.object({ excl_vat: z.number().finite(), incl_vat: z.number().finite().optional() });

export const ocpiCdrTokenSchema = z.object({
  country_code: z.string().length(2),
  party_id: z.string().length(3),
  /** The PEV's VIN: the token the home utility knows its customer by. */
  uid: ciString(36),
  type: z.enum(["AD_HOC_USER", "APP_USER", "OTHER", "RFID"]),
  contract_id: ciString(36),
});

export const ocpiCdrLocationSchema = z.object({
  id: ciString(36),
  name: z.string().max(255).optional(),
  address: z.string().max(45),
  city: z.string().max(45),
  postal_code: z.string().max(10).optional(),
  country: z.string().length(3),
  coordinates: z.object({ latitude: z.string(), longitude: z.string() }),
  evse_uid: ciString(36),
  evse_id: ciString(48),
  connector_id: ciString(36),
  connector_standard: z.string(),
  connector_format: z.enum(["SOCKET", "CABLE"]),
  connector_power_type: z.enum(["AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC"]),
});

export const ocpiChargingPeriodSchema = z.object({
  start_date_time: ocpiDateTime,
  dimensions: z.array(z.object({ type: z.enum(["ENERGY", "TIME", "PARKING_TIME", "FLAT", "MAX_CURRENT", "MIN_CURRENT", "MAX_POWER", "MIN_POWER", "RESERVATION_TIME", "STATE_OF_CHARGE", "CURRENT", "ENERGY_EXPORT", "ENERGY_IMPORT", "POWER"]), volume: z.number().finite() })).min(1),
  tariff_id: z.string().max(36).optional(),
});

export const ocpiCdrSchema = z.object({
  country_code: z.string().length(2),
  party_id: z.string().length(3),
  id: ciString(39),
  start_date_time: ocpiDateTime,
  end_date_time: ocpiDateTime,
  session_id: ciString(36),
  cdr_token: ocpiCdrTokenSchema,
  auth_method: z.enum(["AUTH_REQUEST", "COMMAND", "WHITELIST"]),
  cdr_location: ocpiCdrLocationSchema,
  meter_id: z.string().max(255).optional(),
  currency: z.string().length(3),
  charging_periods: z.array(ocpiChargingPeriodSchema).min(1),
  total_cost: ocpiPriceSchema,
  /** kWh */
  total_energy: z.number().finite().nonnegative(),
  /** hours */
  total_time: z.number().finite().nonnegative(),
  remark: z.string().max(255).optional(),
  credit: z.boolean().optional(),
  credit_reference_id: z.string().max(39).optional(),
  home_charging_compensation: z.boolean().optional(),
  last_updated: ocpiDateTime,
});
export type OcpiCdr = z.infer<typeof ocpiCdrSchema>;

/** Plausibility bounds of a CDR (issue 13): a DC fast charger's power, and a price no US tariff reaches. */
export const CDR_MAX_POWER_KW = 350;
export const CDR_MAX_USD_PER_KWH = 2;

/** Why a CDR cannot be a real charge: negative or implausible for its energy and duration; null when plausible. */
export function cdrImplausibility(c: OcpiCdr): { path: string; error: string } | null {
  if (c.total_cost.excl_vat < 0) return { path: "cdr.total_cost.excl_vat", error: "a CDR amount must not be negative" };
  const hours = (Date.parse(c.end_date_time) - Date.parse(c.start_date_time)) / 3_600_000;
  if (!(hours >= 0)) return { path: "cdr.end_date_time", error: "the session ends before it starts" };
  if (c.total_energy > CDR_MAX_POWER_KW * hours + 0.001) {
    return { path: "cdr.total_energy", error: `${c.total_energy} kWh in ${hours.toFixed(2)} h is more than ${CDR_MAX_POWER_KW} kW can deliver` };
  }
  if (c.total_cost.excl_vat > c.total_energy * CDR_MAX_USD_PER_KWH + 0.01) {
    return { path: "cdr.total_cost.excl_vat", error: `${c.total_cost.excl_vat} USD for ${c.total_energy} kWh is more than ${CDR_MAX_USD_PER_KWH} USD/kWh` };
  }
  return null;
}

/** What a utility posts to the clearinghouse: the CDR and, when it knows it, the PEV's home utility. */
export const cdrSubmissionSchema = z.object({
  v: z.literal(1),
  homeUtilityId: z.string().min(1).max(64).optional(),
  cdr: ocpiCdrSchema,
});
export type CdrSubmission = z.infer<typeof cdrSubmissionSchema>;

/** What the clearinghouse delivers to the home utility (push to `/v1/clearinghouse/cdrs`, or pull). */
export const cdrDeliverySchema = z.object({
  v: z.literal(1),
  clearinghouseCdrId: z.string().min(1),
  fromUtilityId: z.string().min(1),
  homeUtilityId: z.string().min(1),
  cdr: ocpiCdrSchema,
});
export type CdrDelivery = z.infer<typeof cdrDeliverySchema>;

export const utilityRegistrationSchema = z.object({
  utilityId: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "utility ID may hold only letters, digits and . _ : -"),
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The bearer token the utility presents to the clearinghouse and accepts on CDR pushes from it. */
  token: z.string().min(16, "token must be at least 16 characters"),
  /**
   * The utility's Ed25519 public key (SPKI PEM, or the raw 32 bytes as 43 base64url characters): it signs every
   * roaming token it registers, changes or deletes (issue 13), so a leaked bearer token alone registers nothing.
   */
  publicKeyPem: z.string().min(40).max(2000).optional(),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "publicKey must be 43 base64url characters (a raw Ed25519 key)").optional(),
}).refine((r) => r.publicKeyPem !== undefined || r.publicKey !== undefined, { message: "give the utility's signing key as publicKeyPem or publicKey", path: ["publicKeyPem"] });
export type UtilityRegistration = z.infer<typeof utilityRegistrationSchema>;

/** OCPI party ID (3 characters) derived from a utility ID, for the CDR's party fields. */
export function partyIdOf(utilityId: string): string {
  return (utilityId.replace(/[^A-Za-z0-9]/g, "").toUpperCase() + "XXX").slice(0, 3);
}
