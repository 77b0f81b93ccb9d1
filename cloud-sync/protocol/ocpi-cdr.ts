// A Charge Detail Record of OCPI 2.2.1 (module `cdrs`, section 10.3.1): the visited utility acts as the CPO, the PEV's
// home utility as the eMSP. Prices are decimal currency units as OCPI sends them (the sender rounds to the cent once;
// the home utility converts back to integer micro-dollars). A credit CDR (credit: true) cancels the CDR it references
// with the negated amounts, so a corrected session is settled as "credit the old, charge the new" (issue 14).
import { createHash } from "node:crypto";
import { z } from "zod";

const ocpiDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "must be an OCPI DateTime in UTC, e.g. 2024-06-03T07:00:00Z");
const ciString = (max: number) => z.string().min(1).max(max);

export const ocpiPriceSchema = z.object({ excl_vat: z.number().finite(), incl_vat: z.number().finite().optional() });

/**
 * eMI3 EVSE ID as OCPI 2.2.1 requires for `evse_id`: `<country>*<operator>*E<outlet>` (ISO 3166 alpha-2, 3
 * alphanumeric operator characters, the power outlet ID of letters, digits and `*`).
 */
export const EMI3_EVSE_ID = /^[A-Z]{2}\*?[A-Z0-9]{3}\*?E[A-Z0-9*]{1,30}$/;

/** OCPI 2.2.1 ConnectorType (the values this project can meet on a residential EVSE; SAE J1772 is IEC_62196_T1). */
export const ocpiConnectorTypeSchema = z.enum(["IEC_62196_T1", "IEC_62196_T1_COMBO", "IEC_62196_T2", "IEC_62196_T2_COMBO", "NEMA_5_20", "NEMA_6_30", "NEMA_6_50", "NEMA_10_30", "NEMA_10_50", "NEMA_14_30", "NEMA_14_50", "TESLA_S", "TESLA_R", "CHADEMO"]);

/** An OCPI 2.2.1 Tariff (module `tariffs`, 11.3.1), as sent inside a CDR: energy price components, $/kWh excl. VAT. */
export const ocpiTariffSchema = z.object({
  country_code: z.string().length(2),
  party_id: z.string().length(3),
  id: ciString(36),
  currency: z.string().length(3),
  type: z.enum(["AD_HOC_PAYMENT", "PROFILE_CHEAP", "PROFILE_FAST", "PROFILE_GREEN", "REGULAR"]).optional(),
  tariff_alt_text: z.array(z.object({ language: z.string().length(2), text: z.string().max(512) })).optional(),
  elements: z.array(z.object({
    price_components: z.array(z.object({
      type: z.enum(["ENERGY", "FLAT", "PARKING_TIME", "TIME"]),
      price: z.number().finite().nonnegative(),
      vat: z.number().finite().nonnegative().optional(),
      step_size: z.number().int().nonnegative(),
    })).min(1),
  })).min(1),
  last_updated: ocpiDateTime,
});
export type OcpiTariff = z.infer<typeof ocpiTariffSchema>;

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
  coordinates: z.object({
    latitude: z.string().max(10).regex(/^-?[0-9]{1,2}\.[0-9]{5,7}$/, "latitude must be decimal degrees with 5-7 decimals"),
    longitude: z.string().max(11).regex(/^-?[0-9]{1,3}\.[0-9]{5,7}$/, "longitude must be decimal degrees with 5-7 decimals"),
  }),
  evse_uid: ciString(36),
  evse_id: ciString(48).regex(EMI3_EVSE_ID, "evse_id must be an eMI3 EVSE ID such as US*ABC*E123"),
  connector_id: ciString(36),
  connector_standard: ocpiConnectorTypeSchema,
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
  /** The tariffs the charging periods' `tariff_id`s name, so the eMSP can check the cost. */
  tariffs: z.array(ocpiTariffSchema).optional(),
  charging_periods: z.array(ocpiChargingPeriodSchema).min(1),
  total_cost: ocpiPriceSchema,
  total_energy_cost: ocpiPriceSchema.optional(),
  /** kWh */
  total_energy: z.number().finite().nonnegative(),
  /** hours */
  total_time: z.number().finite().nonnegative(),
  remark: z.string().max(255).optional(),
  credit: z.boolean().optional(),
  credit_reference_id: z.string().max(39).optional(),
  home_charging_compensation: z.boolean().optional(),
  last_updated: ocpiDateTime,
}).superRefine((c, ctx) => {
  if (c.credit && !c.credit_reference_id) ctx.addIssue({ code: "custom", path: ["credit_reference_id"], message: "a credit CDR must name the CDR it credits" });
  if (!c.credit && c.credit_reference_id !== undefined) ctx.addIssue({ code: "custom", path: ["credit"], message: "credit_reference_id is only for credit CDRs (credit: true)" });
  if (!c.credit && c.id.length > 36) ctx.addIssue({ code: "custom", path: ["id"], message: "a CDR that is not a credit CDR has an ID of at most 36 characters" });
  const known = new Set((c.tariffs ?? []).map((t) => t.id));
  c.charging_periods.forEach((p, i) => {
    if (p.tariff_id !== undefined && c.tariffs && !known.has(p.tariff_id)) ctx.addIssue({ code: "custom", path: ["charging_periods", i, "tariff_id"], message: `tariff ${p.tariff_id} is not among the CDR's tariffs` });
  });
});
export type OcpiCdr = z.infer<typeof ocpiCdrSchema>;

/** Plausibility bounds of a CDR (issue 13): a DC fast charger's power, and a price no US tariff reaches. */
export const CDR_MAX_POWER_KW = 350;
export const CDR_MAX_USD_PER_KWH = 2;

/**
 * Why a CDR cannot be a real charge: a negative amount (a positive one on a credit CDR), or an amount implausible for
 * its energy and duration; null when plausible. A credit CDR is judged by the charge it cancels (its amounts negated).
 */
export function cdrImplausibility(c: OcpiCdr): { path: string; error: string } | null {
  const sign = c.credit ? -1 : 1;
  const amount = sign * c.total_cost.excl_vat;
  if (amount < 0) return { path: "cdr.total_cost.excl_vat", error: c.credit ? "a credit CDR's amount must not be positive" : "a CDR amount must not be negative" };
  const hours = (Date.parse(c.end_date_time) - Date.parse(c.start_date_time)) / 3_600_000;
  if (!(hours >= 0)) return { path: "cdr.end_date_time", error: "the session ends before it starts" };
  if (c.total_energy > CDR_MAX_POWER_KW * hours + 0.001) {
    return { path: "cdr.total_energy", error: `${c.total_energy} kWh in ${hours.toFixed(2)} h is more than ${CDR_MAX_POWER_KW} kW can deliver` };
  }
  if (amount > c.total_energy * CDR_MAX_USD_PER_KWH + 0.01) {
    return { path: "cdr.total_cost.excl_vat", error: `${amount} USD for ${c.total_energy} kWh is more than ${CDR_MAX_USD_PER_KWH} USD/kWh` };
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

/** A utility's OCPI party: ISO 3166 alpha-2 country code and its 3-character party ID (unique at the clearinghouse). */
export const ocpiPartySchema = z.object({
  countryCode: z.string().regex(/^[A-Z]{2}$/, "country code must be ISO 3166 alpha-2, upper case"),
  partyId: z.string().regex(/^[A-Z0-9]{3}$/, "party ID must be 3 upper-case letters or digits"),
});
export type OcpiParty = z.infer<typeof ocpiPartySchema>;

export const utilityRegistrationSchema = z.object({
  utilityId: z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "utility ID may hold only letters, digits and . _ : -"),
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** The bearer token the utility presents to the clearinghouse and accepts on CDR pushes from it. */
  token: z.string().min(16, "token must be at least 16 characters"),
  /** The utility's OCPI party: its CDRs must carry it, and no other utility may register it. */
  ocpi: ocpiPartySchema.optional(),
  /**
   * The utility's Ed25519 public key (SPKI PEM, or the raw 32 bytes as 43 base64url characters): it signs every
   * roaming token it registers, changes or deletes (issue 13), so a leaked bearer token alone registers nothing.
   */
  publicKeyPem: z.string().min(40).max(2000).optional(),
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "publicKey must be 43 base64url characters (a raw Ed25519 key)").optional(),
}).refine((r) => r.publicKeyPem !== undefined || r.publicKey !== undefined, { message: "give the utility's signing key as publicKeyPem or publicKey", path: ["publicKeyPem"] });
export type UtilityRegistration = z.infer<typeof utilityRegistrationSchema>;

/**
 * The default OCPI party ID (3 characters) of a utility that was given none: the ID's first letter or digit and two
 * base-36 characters of its SHA-256, so UTIL-A and UTIL-B do not collide as "UTI" did. Operators set theirs
 * (`--ocpi-party US*ABC`); the clearinghouse refuses a party another utility registered.
 */
export function partyIdOf(utilityId: string): string {
  const first = (utilityId.replace(/[^A-Za-z0-9]/g, "").toUpperCase() + "X")[0]!;
  const h = createHash("sha256").update(utilityId).digest();
  const b36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  return first + b36[h[0]! % 36]! + b36[h[1]! % 36]!;
}
